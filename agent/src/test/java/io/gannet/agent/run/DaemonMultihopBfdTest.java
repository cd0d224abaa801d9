package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.lab.BirdSwitch;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Multihop BFD (RFC 5883) chosen from the profile, end to end: the real daemon ({@code gannet
 * run}, own process, "node" namespace) peers over eBGP with GTSM ({@code ttlSecurity: 1}, as the
 * ebgp-leaf example) with a real BIRD 2 configured by {@code gannet profile render --switch}, which
 * makes the session {@code ttl security on; multihop 1;} so that BIRD, like FRR 8.4 for a
 * ttl-security neighbor, runs multihop BFD. Both ends meet on UDP 4784; {@code show bfd}, its JSON
 * and the metrics say multihop; a cut of the path takes BGP down at BFD speed (Cease 6/10), not
 * after the 9 s hold time, and both come back when the path does.
 */
class DaemonMultihopBfdTest extends DaemonAgainstBird {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: bfd-multihop-e2e
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 9, connectRetry: 1, ttlSecurity: 1}
              bfd: {enabled: true, minTxMs: 100, minRxMs: 100, multiplier: 3}
              inventory:
                switches:
                  - {name: sw1, addresses: [10.255.29.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.29.1, podCIDR: 10.244.29.0/24}
            """;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Pattern TS = Pattern.compile("^ts=(\\S+) ");

    DaemonMultihopBfdTest() {
        super("mhn", "mh-node", "10.255.29.1/30", "mhs", "mh-sw", "10.255.29.2/30", "nft", "curl");
    }

    @Test
    void gtsmSessionRunsMultihopBfdWithBirdAndACutTakesBgpDownAtBfdSpeed() throws Exception {
        Files.writeString(profile, PROFILE);
        String conf = GannetProcess.render(profile, "sw1", "bird");
        assertThat(conf).contains("  ttl security on;\n  multihop 1;").contains("  bfd graceful;\n").doesNotContain("direct;");
        // Short error wait, so re-establishment after the cut is ours to time.
        bird = BirdSwitch.start(swNs, dir, conf.replace("  error wait time 2, 30;\n", "  error wait time 1, 5;\n"));
        gannet = GannetProcess.start(nodeNs, dir, profile, "node1", "--metrics", "127.0.0.1:9324");

        awaitTrue("BGP Established and BFD Up", () -> gannet.established("sw1") && "Up".equals(bfdSession().path("state").asText()), 45);
        JsonNode s = bfdSession();
        assertThat(s.path("multihop").asBoolean()).isTrue();
        assertThat(s.path("interfaceName").isNull()).isTrue();
        assertThat(s.path("txIntervalMicros").asLong()).isEqualTo(100_000);
        assertThat(gannet.cli("show", "bfd")).containsPattern("10\\.255\\.29\\.2 +- +multi +Up +Up");
        // BIRD's side is multihop too: no interface in its session list.
        assertThat(bird.birdc("show", "bfd", "sessions")).containsPattern("10\\.255\\.29\\.1 +--- +Up");
        awaitTrue("multihop in the metrics", () -> metrics().matches("(?s).*gannet_bfd_session_up\\{[^}]*hop=\"multi\"[^}]*} 1.*"), 10);

        // Cut: the switch's packets stop, the link stays up.
        Instant cutAt = Instant.now();
        cut(true);
        awaitTrue("BGP down after the cut", () -> !gannet.established("sw1"), 5);
        long downMillis = Duration.between(cutAt, logTime("event=bgp_peer_state", "from=Established", cutAt)).toMillis();
        System.out.println("DaemonMultihopBfdTest: cut -> BGP down " + downMillis + " ms (multihop BFD 100 ms x 3, hold time 9 s)");
        assertThat(downMillis).isLessThan(1000);
        assertThat(gannet.peer("sw1").path("lastError").asText()).contains("BFD down").contains("6/10");

        cut(false);
        awaitTrue("BFD Up again", () -> "Up".equals(bfdSession().path("state").asText()), 20);
        awaitTrue("BGP re-established", () -> gannet.established("sw1"), 30);
        assertThat(bfdSession().path("multihop").asBoolean()).isTrue();
    }

    private void cut(boolean on) {
        if (on) {
            swNs.exec("nft", "add table inet mhcut");
            swNs.exec("nft", "add chain inet mhcut out { type filter hook output priority 0 ; }");
            swNs.exec("nft", "add rule inet mhcut out ip daddr 10.255.29.1 drop");
        } else {
            swNs.exec("nft", "delete table inet mhcut");
        }
    }

    /** The timestamp of the first log line after {@code after} that contains both fragments. */
    private Instant logTime(String fragment1, String fragment2, Instant after) {
        for (String line : gannet.log().lines().toList()) {
            Matcher m = TS.matcher(line);
            if (m.find() && line.contains(fragment1) && line.contains(fragment2)) {
                Instant t = Instant.parse(m.group(1));
                if (!t.isBefore(after)) {
                    return t;
                }
            }
        }
        throw new AssertionError("no log line with " + fragment1 + " " + fragment2 + " after " + after + "\n" + gannet.log());
    }

    private String metrics() {
        return NetworkNamespace.Shell.runQuietly(nodeNs.inside("curl", "-s", "http://127.0.0.1:9324/metrics").toArray(String[]::new));
    }

    private JsonNode bfdSession() {
        try {
            return new ObjectMapper().readTree(gannet.cli("show", "bfd", "--json")).path("sessions").path(0);
        } catch (IOException e) {
            return new ObjectMapper().missingNode();
        }
    }

    private void awaitTrue(String what, BooleanSupplier condition, int seconds) throws Exception {
        gannet.awaitTrue(what, condition, Duration.ofSeconds(seconds), POLL,
                () -> bird.diagnostics() + "\n--- birdc show bfd sessions:\n" + bird.birdc("show", "bfd", "sessions"));
    }
}
