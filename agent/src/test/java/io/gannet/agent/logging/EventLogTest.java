package io.gannet.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLogTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-11-22T14:47:11.042Z"));

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private EventLog log(LogFormat f) {
        return new EventLog(lines::add, f, CLOCK);
    }

    /** A small logfmt reader (key=bare or key="quoted with \" \\ \n escapes"), to check lines round-trip. */
    static Map<String, String> parseLogfmt(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        int i = 0;
        while (i < line.length()) {
            int eq = line.indexOf('=', i);
            String key = line.substring(i, eq);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char e = line.charAt(i++);
                        v.append(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'u' -> {
                                char u = (char) Integer.parseInt(line.substring(i, i + 4), 16);
                                i += 4;
                                yield u;
                            }
                            default -> e;
                        });
                    } else {
                        v.append(c);
                    }
                }
                i++;
            } else {
                while (i < line.length() && line.charAt(i) != ' ') {
                    v.append(line.charAt(i++));
                }
            }
            if (m.put(key, v.toString()) != null) {
                throw new AssertionError("duplicate key " + key + " in " + line);
            }
            i++;
        }
        return m;
    }

    @Test
    void peerStateChangeIsOneLogfmtLineWithPeerAndReason() {
        log(LogFormat.LOGFMT).peerStateChanged("tor1", "192.0.2.1", "Established", "Idle", "hold timer expired");
        assertThat(lines).containsExactly("ts=2026-11-22T14:47:11.042Z level=warn event=bgp_peer_state peer=tor1 "
                + "neighbor=192.0.2.1 from=Established to=Idle reason=\"hold timer expired\"");
    }

    @Test
    void jsonIsSelectableAndCarriesTheSameKeys() throws Exception {
        log(LogFormat.JSON).bfdStateChanged("192.0.2.1", "tor1", "Init", "Up", "No Diagnostic");
        JsonNode j = new ObjectMapper().readTree(lines.get(0));
        assertThat(j.path("event").asText()).isEqualTo("bfd_session_state");
        assertThat(j.path("level").asText()).isEqualTo("info");
        assertThat(j.path("client").asText()).isEqualTo("tor1");
        assertThat(j.path("to").asText()).isEqualTo("Up");
        assertThat(j.path("reason").asText()).isEqualTo("No Diagnostic");
        assertThat(LogFormat.parse("json")).isEqualTo(LogFormat.JSON);
    }

    @Test
    void hostileValuesCannotBreakTheLineOrForgeKeys() throws Exception {
        String nasty = "bye\" level=error injected=1\nsecond line \\ \t\u0000 \u2028";
        for (LogFormat f : LogFormat.values()) {
            lines.clear();
            log(f).notification("peer with space", "received", 6, 2, "Cease/Administrative Shutdown", nasty);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).doesNotContain("\n");
            Map<String, String> kv = f == LogFormat.JSON
                    ? new ObjectMapper().convertValue(new ObjectMapper().readTree(lines.get(0)),
                            new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {})
                    : parseLogfmt(lines.get(0));
            assertThat(kv).containsEntry("communication", nasty).containsEntry("peer", "peer with space")
                    .containsEntry("level", "warn").doesNotContainKey("injected");
        }
    }

    @Test
    void expectedNetworkErrorsHaveNoStackTrace() {
        EventLog l = log(LogFormat.LOGFMT);
        l.networkError("tor1", "192.0.2.1", "connect", new ConnectException("Connection refused"));
        l.networkError("tor1", "192.0.2.1", "read", new IOException("wrapped", new SocketException("Connection reset")));
        assertThat(lines.get(0)).isEqualTo("ts=2026-11-22T14:47:11.042Z level=warn event=network_error peer=tor1 "
                + "neighbor=192.0.2.1 op=connect error=\"Connection refused\"");
        assertThat(lines.get(1)).doesNotContain("stack=").contains("error=wrapped");
    }

    @Test
    void unexpectedErrorsKeepTheirStackTraceOnOneLine() {
        log(LogFormat.LOGFMT).networkError("tor1", "192.0.2.1", "decode", new IllegalStateException("bug"));
        assertThat(lines).hasSize(1);
        Map<String, String> kv = parseLogfmt(lines.get(0));
        assertThat(kv).containsEntry("level", "error").containsEntry("error", "IllegalStateException: bug");
        assertThat(kv.get("stack")).startsWith("java.lang.IllegalStateException: bug\n\tat ");
    }

    @Test
    void asyncSinkNeverBlocksAndReportsDrops() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        LogSink slow = line -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(line);
        };
        try (AsyncLogSink sink = new AsyncLogSink(slow, 4)) {
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                sink.write("line " + i);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
            assertThat(sink.dropped()).isGreaterThanOrEqualTo(95);
            release.countDown();
            // The writer needs a moment to drain the full queue; until it has, "after" is
            // dropped like any other line (that is the sink's contract), so offer it again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long droppedBefore;
            do {
                droppedBefore = sink.dropped();
                sink.write("after");
                if (sink.dropped() > droppedBefore) {
                    Thread.sleep(10);
                }
            } while (sink.dropped() > droppedBefore && System.nanoTime() < deadline);
            while (!written.contains("after") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(written).contains("line 0", "after");
        assertThat(written).anyMatch(l -> l.startsWith("level=warn event=log_lines_dropped count="));
    }
}
