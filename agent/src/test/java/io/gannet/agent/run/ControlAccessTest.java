package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.security.SecureRandom;
import io.gannet.testsupport.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "an API only the right people can drive", through {@code gannet run} and the real
 * CLI: the loopback control port needs a bearer token from a private token file (the daemon
 * refuses to start otherwise, with a structured start_failed line), read tokens cannot change
 * anything, the Unix socket keeps its mode and gets the configured group, and every command is
 * one structured audit line naming who sent it (SO_PEERCRED uid/pid or the token's name).
 */
class ControlAccessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIP = "192.0.2.10/32";

    @TempDir
    Path dir;
    private final List<GannetProcess> daemons = new ArrayList<>();

    @AfterEach
    void stop() {
        daemons.forEach(GannetProcess::close);
    }

    @Test
    void controlPortRefusesToStartWithoutAPrivateTokenFile() throws Exception {
        int port = LoopbackDaemon.freePort();
        Path noFile = Files.createDirectories(dir.resolve("no-file"));
        GannetProcess a = start(noFile, "--control-port", Integer.toString(port));
        assertThat(a.awaitExit(Duration.ofSeconds(90))).as(a.log()).isEqualTo(1);
        assertThat(a.log()).contains("--control-port needs --control-tokens FILE");

        Path open = Files.createDirectories(dir.resolve("open-file"));
        Path tokens = tokenFile(open.resolve("tokens"), "ops write " + token(), "rw-r--r--");
        GannetProcess b = start(open, "--control-port", Integer.toString(port), "--control-tokens", tokens.toString(),
                "--log-format", "json");
        assertThat(b.awaitExit(Duration.ofSeconds(90))).as(b.log()).isEqualTo(1);
        JsonNode failed = events(b, "start_failed").get(0);
        assertThat(failed.path("level").asText()).isEqualTo("error");
        assertThat(failed.path("reason").asText()).contains("token file " + tokens)
                .contains("group or others (mode rw-r--r--)").contains("chmod 600 " + tokens);
        assertThat(b.socket()).as("nothing was served").doesNotExist();

        Path bad = Files.createDirectories(dir.resolve("bad-line"));
        Path shortToken = tokenFile(bad.resolve("tokens"), "# ops\nops write tooshort", "rw-------");
        GannetProcess c = start(bad, "--control-port", Integer.toString(port), "--control-tokens", shortToken.toString());
        assertThat(c.awaitExit(Duration.ofSeconds(90))).as(c.log()).isEqualTo(1);
        assertThat(c.log()).contains(shortToken + ":2: token of 'ops' is 8 characters; use at least 32");

        Path group = Files.createDirectories(dir.resolve("bad-group"));
        GannetProcess d = start(group, "--control-group", "no-such-group-" + ProcessHandle.current().pid());
        assertThat(d.awaitExit(Duration.ofSeconds(90))).as(d.log()).isEqualTo(1);
        assertThat(d.log()).contains("--control-group: no group named 'no-such-group-");
        assertThat(d.log()).as("refused before any session started").doesNotContain("bgp_peer_state");
    }

    @Test
    void controlPortNeedsABearerTokenAndWriteScopeAndEveryCommandIsAudited() throws Exception {
        Requirements.requireRoot(); // giving the socket the group "daemon" (chgrp) needs root
        int port = LoopbackDaemon.freePort();
        String readToken = token();
        String writeToken = token();
        Path tokens = tokenFile(dir.resolve("tokens"), "# NAME SCOPE TOKEN\nreader read " + readToken + "\nops write "
                + writeToken + "\n", "rw-------");
        Path readerFile = tokenFile(dir.resolve("reader.token"), readToken + "\n", "rw-------");
        Path opsFile = tokenFile(dir.resolve("ops.token"), "ops write " + writeToken + "\n", "rw-------");
        GannetProcess g = LoopbackDaemon.start(dir, "--control-port", Integer.toString(port),
                "--control-tokens", tokens.toString(), "--control-group", "daemon", "--log-format", "json");
        daemons.add(g);

        // The socket keeps owner+group-only mode and takes the configured group.
        PosixFileAttributes socket = Files.readAttributes(g.socket(), PosixFileAttributes.class);
        assertThat(PosixFilePermissions.toString(socket.permissions())).isEqualTo("rw-rw----");
        assertThat(socket.group().getName()).isEqualTo("daemon");

        // No token, a wrong token: 401 with the RFC 6750 challenge and a JSON error.
        HttpClient http = HttpClient.newHttpClient();
        URI peers = URI.create("http://127.0.0.1:" + port + "/v1/peers");
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(peers).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"gannet\"");
        JsonNode err = JSON.readTree(none.body());
        assertThat(err.path("error").asText()).isEqualTo("unauthorized");
        assertThat(err.path("message").asText()).contains("needs a bearer token").contains("--token-file");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(peers).header("Authorization", "Bearer " + token())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).as("/metrics on the control port is guarded too").isEqualTo(401);

        String p = Integer.toString(port);
        GannetProcess.CliResult anonymous = GannetProcess.cliExactly("show", "peers", "--control-port", p);
        assertThat(anonymous.exit()).isEqualTo(4);
        assertThat(anonymous.err()).contains("needs a bearer token");

        // A read token reads, and cannot announce: 403, nothing changed.
        GannetProcess.CliResult read = GannetProcess.cliExactly("show", "peers", "--control-port", p,
                "--token-file", readerFile.toString());
        assertThat(read.exit()).as(read.err()).isZero();
        assertThat(read.out()).contains("sw1");
        GannetProcess.CliResult denied = GannetProcess.cliExactly("announce", VIP, "--control-port", p,
                "--token-file", readerFile.toString());
        assertThat(denied.exit()).isEqualTo(4);
        assertThat(denied.err()).contains("the token 'reader' may only read");
        assertThat(g.cli("show", "routes", "--json")).doesNotContain("192.0.2.10");

        // A write token announces; the socket's root user withdraws and disables a peer.
        GannetProcess.CliResult announced = GannetProcess.cliExactly("announce", VIP, "--control-port", p,
                "--token-file", opsFile.toString());
        assertThat(announced.exit()).as(announced.err()).isZero();
        assertThat(announced.out()).contains("announced " + VIP + " to 0 peers");
        assertThat(announced.err()).contains("gannet: warning: no peer received " + VIP
                + ": no BGP session is Established");
        assertThat(g.cli("show", "routes", "--json")).contains("192.0.2.10");
        assertThat(g.cliResult("withdraw", VIP).exit()).isZero();
        assertThat(g.cliResult("peer", "disable", "sw1", "--message", "maintenance").exit()).isZero();

        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        String me = "unix uid=" + uid + " pid=" + ProcessHandle.current().pid();
        g.awaitTrue("four audit lines", () -> events(g, "operator_command").size() >= 4, () -> "");
        List<JsonNode> audit = events(g, "operator_command");
        assertThat(audit).hasSize(4).as("reads are not audited");
        assertThat(line(audit.get(0))).isEqualTo("tcp token=reader|announce|" + VIP + "|refused|403");
        assertThat(audit.get(0).path("level").asText()).isEqualTo("warn");
        assertThat(line(audit.get(1))).isEqualTo("tcp token=ops|announce|" + VIP + "|ok|200");
        assertThat(line(audit.get(2))).isEqualTo(me + "|withdraw|" + VIP + "|ok|200");
        assertThat(line(audit.get(3))).isEqualTo(me + "|peer disable|sw1|ok|200");
        assertThat(audit.get(3).path("reason").asText()).contains("maintenance");
    }

    private GannetProcess start(Path d, String... args) throws Exception {
        GannetProcess g = GannetProcess.start(null, d, LoopbackDaemon.profile(d), "node1", args);
        daemons.add(g);
        return g;
    }

    private static String line(JsonNode e) {
        return String.join("|", e.path("who").asText(), e.path("action").asText(), e.path("target").asText(),
                e.path("outcome").asText(), e.path("status").asText());
    }

    /** The daemon's JSON log lines of one event. */
    private static List<JsonNode> events(GannetProcess g, String event) {
        List<JsonNode> out = new ArrayList<>();
        for (String l : g.log().split("\n")) {
            if (l.startsWith("{")) {
                try {
                    JsonNode n = JSON.readTree(l);
                    if (event.equals(n.path("event").asText())) {
                        out.add(n);
                    }
                } catch (java.io.IOException e) {
                    // a line of another shape
                }
            }
        }
        return out;
    }

    private static String token() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Path tokenFile(Path file, String text, String mode) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}
