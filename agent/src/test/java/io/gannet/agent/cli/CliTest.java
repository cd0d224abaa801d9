package io.gannet.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.agent.GannetCli;
import io.gannet.agent.control.FixtureDaemon;
import io.gannet.agent.control.RunningServer;
import io.gannet.agent.control.server.JsonCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The real {@code gannet} picocli commands, in-process, against a real control server over a temp Unix socket. */
class CliTest {
    private RunningServer s;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void start() {
        s = new RunningServer(FixtureDaemon.standard());
    }

    @AfterEach
    void stop() {
        s.close();
    }

    private Run gannet(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--socket");
        a.add(s.socket.toString());
        return gannetRaw(a.toArray(String[]::new));
    }

    private static Run gannetRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = GannetCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void showPeersPrintsABirdcLikeTable() {
        Run r = gannet("show", "peers");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("Name +Address +AS +State +Since \\(UTC\\) +Received +Accepted +Advertised +BFD +Last error");
        assertThat(lines.get(1)).matches("tor1 +192\\.0\\.2\\.1 +65001 +Established +2025-11-22 08:26:40 +3 +3 +1 +Up +-");
        assertThat(lines.get(2)).matches("tor2 +2001:db8::2 +65002 +Idle +2025-11-22 08:26:40 +0 +0 +0 +Down +hold timer expired");
        // Columns line up: every "State" cell starts where the header's does.
        int col = lines.get(0).indexOf("State");
        assertThat(lines.get(1).substring(col)).startsWith("Established");
        assertThat(lines.get(2).substring(col)).startsWith("Idle");
    }

    @Test
    void jsonPrintsTheApiAnswerAsIs() throws Exception {
        Run r = gannet("show", "peers", "--json");
        assertThat(r.exit()).isZero();
        JsonNode j = JsonCodec.mapper().readTree(r.out());
        assertThat(j.path("peers").get(0).path("name").asText()).isEqualTo("tor1");
        for (String[] cmd : new String[][] {{"show", "routes"}, {"show", "bfd"}, {"show", "route", "10.1.0.0/24", "--detail"}}) {
            List<String> args = new ArrayList<>(List.of(cmd));
            args.add("--json");
            Run each = gannet(args.toArray(String[]::new));
            assertThat(each.exit()).isZero();
            assertThat(JsonCodec.mapper().readTree(each.out()).isObject()).isTrue();
        }
    }

    @Test
    void showRoutesFiltersAndFlagsTheBest() {
        Run all = gannet("show", "routes");
        assertThat(all.exit()).isZero();
        assertThat(all.out()).contains("3 prefixes, 4 paths.");
        Run one = gannet("show", "routes", "10.1.0.0/24");
        List<String> lines = one.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).matches("> +10\\.1\\.0\\.0/24 +192\\.0\\.2\\.1 +tor1 +65001 65100 +igp +0 +200 +65000:100 65000:1:2");
        assertThat(lines.get(2)).matches(" +10\\.1\\.0\\.0/24 +192\\.0\\.2\\.9 +tor9 +65009 65100 +igp +0 +100 +.*");
        Run byPeer = gannet("show", "routes", "--peer", "tor2");
        assertThat(byPeer.out()).contains("2001:db8:100::/48").doesNotContain("10.1.0.0/24");
        Run longer = gannet("show", "routes", "10.0.0.0/8", "--longer", "--limit", "2");
        assertThat(longer.out()).contains("1 prefix, 2 paths (truncated");
    }

    @Test
    void showRouteDetailExplainsTheChoice() {
        Run r = gannet("show", "route", "10.1.0.0/24", "--detail");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("10.1.0.0/24: 2 paths, best chosen by: highest LOCAL_PREF (200)");
        assertThat(r.out()).contains("* best from tor1 (192.0.2.1, router id 1.1.1.0)");
        assertThat(r.out()).containsPattern("ext communities +rt:65000:1");
        assertThat(r.out()).containsPattern("not best +lower LOCAL_PREF \\(100 < 200\\)");
    }

    @Test
    void showBfdAndSections() {
        Run bfd = gannet("show", "bfd");
        assertThat(bfd.exit()).isZero();
        assertThat(bfd.out().lines().toList().get(1)).matches("192\\.0\\.2\\.1 +eth0 +single +Up +Up +2025-11-22 08:26:41 +300 +300 +3 +1 +1 +No Diagnostic +tor1");
        Run vips = gannet("show", "vips");
        assertThat(vips.exit()).isEqualTo(ExitCodes.DAEMON_ERROR);
        assertThat(vips.err()).isEqualTo("gannet: vips: not available in this build\n");
        s.daemon.makeVipsAvailable();
        Run available = gannet("show", "vips");
        assertThat(available.out()).isEqualTo("vip            state      backends\n192.0.2.80/32  announced  3\n");
    }

    @Test
    void runtimeCommandsReachTheDaemon() {
        Run d = gannet("peer", "disable", "tor1", "--message", "maintenance: swapping optics");
        assertThat(d.exit()).as(d.err()).isZero();
        assertThat(d.out()).isEqualTo("peer tor1 disabled, Cease sent: maintenance: swapping optics\n");
        assertThat(gannet("peer", "disable", "tor1").out()).isEqualTo("peer tor1 is already disabled (nothing changed)\n");
        assertThat(gannet("show", "peers").out()).contains("Idle (disabled)");
        assertThat(gannet("peer", "enable", "tor1").exit()).isZero();
        assertThat(gannet("peer", "reset", "tor2").exit()).isZero();
        Run a = gannet("announce", "192.0.2.80/32", "--community", "65000:80", "--community", "no-export",
                "--large-community", "65000:0:80", "--med", "5", "--local-pref", "300", "--next-hop", "192.0.2.100");
        assertThat(a.exit()).as(a.err()).isZero();
        assertThat(gannet("show", "routes", "192.0.2.80/32").out())
                .containsPattern("> +192\\.0\\.2\\.80/32 +192\\.0\\.2\\.100 +local +\\(empty\\) +igp +5 +300 +65000:80 no-export 65000:0:80");
        assertThat(gannet("withdraw", "192.0.2.80/32").out()).isEqualTo("withdrew 192.0.2.80/32\n");
        Run reload = gannet("reload");
        assertThat(reload.out()).contains("router id  restart required  router id changed");
        // Issue 9: a reload with a part not applied is not a success for scripts.
        assertThat(reload.exit()).isEqualTo(io.gannet.agent.cli.ReloadCommand.RESTART_REQUIRED);
        assertThat(s.daemon.executed()).hasSize(6);
    }

    @Test
    void rejectedCommandsSayWhyExitFourAndChangeNothing() {
        String before = s.daemon.fingerprint();
        Run unknown = gannet("peer", "disable", "tor9");
        assertThat(unknown.exit()).isEqualTo(ExitCodes.REJECTED);
        assertThat(unknown.err()).isEqualTo("gannet: no peer named 'tor9' (known: tor1, tor2)\n");
        Run badPrefix = gannet("announce", "10.0.0.1/8");
        assertThat(badPrefix.err()).isEqualTo("gannet: prefix 10.0.0.1/8 has host bits set (the network is 10.0.0.0/8)\n");
        assertThat(badPrefix.exit()).isEqualTo(ExitCodes.REJECTED);
        Run badCommunity = gannet("announce", "10.0.0.0/8", "--community", "big");
        assertThat(badCommunity.err()).startsWith("gannet: community 'big' is not ASN:VALUE");
        Run longMessage = gannet("peer", "reset", "tor1", "--message", "é".repeat(128));
        assertThat(longMessage.err()).isEqualTo("gannet: message is 256 octets of UTF-8; RFC 9003 allows at most 255\n");
        Run noRoute = gannet("show", "route", "10.99.0.0/16", "--detail");
        assertThat(noRoute.exit()).isEqualTo(ExitCodes.REJECTED);
        assertThat(noRoute.err()).isEqualTo("gannet: no route for 10.99.0.0/16 in the RIB\n");
        Run jsonError = gannet("peer", "enable", "ghost", "--json");
        assertThat(jsonError.out()).contains("\"error\":\"unknown_peer\"");
        assertThat(s.daemon.fingerprint()).isEqualTo(before);
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(gannet("show").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(gannet("announce", "10.0.0.0/8", "--med", "many").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(gannet("show", "route").exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void noDaemonIsAClearMessageAndExitThree() throws Exception {
        Path missing = s.dir.resolve("nothing-here.sock");
        Run r = gannetRaw("show", "peers", "--socket", missing.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.NO_DAEMON);
        assertThat(r.err()).startsWith("gannet: no control socket at " + missing + ": is the gannet daemon running?");

        Path stale = s.dir.resolve("stale.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        Run refused = gannetRaw("show", "peers", "--socket", stale.toString());
        assertThat(refused.exit()).isEqualTo(ExitCodes.NO_DAEMON);
        assertThat(refused.err()).isEqualTo("gannet: no gannet daemon is listening on " + stale
                + " (stale socket file: the daemon is not running)\n");

        Path file = Files.writeString(s.dir.resolve("plain-file"), "x");
        Run notSocket = gannetRaw("peer", "reset", "tor1", "--socket", file.toString());
        assertThat(notSocket.exit()).isEqualTo(ExitCodes.NO_DAEMON);
        assertThat(notSocket.err()).contains("is not a socket");
    }
}
