package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.agent.GannetCli;
import io.gannet.testsupport.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon ({@code gannet run} in its own process, in a "node" namespace) peered over a
 * veth pair with a real BIRD 2 "leaf switch" configured by {@code gannet profile render
 * --switch}, both from one profile. The real {@code gannet} CLI drives the daemon over its
 * control socket. Covers issue 2's daemon, issue 3's "a daemon started from a profile brings up
 * its sessions and announces exactly its PodCIDR", and issue 4's CLI against a live daemon.
 */
class DaemonWithBirdTest {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: e2e
            spec:
              model: ebgp-leaf
              asn:
                scheme: per-node
                base: 4200000001
              podCIDRPool:
                cidr: 10.244.0.0/16
                prefixLength: 24
              bgp:
                holdTime: 9
                connectRetry: 1
                gracefulRestart: {enabled: %s}
              bfd:
                enabled: false
              inventory:
                switches:
                  - {name: sw1, addresses: [10.255.7.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.7.1, podCIDR: 10.244.7.0/24}
            """;

    @TempDir
    Path dir;
    private NetworkNamespace nodeNs;
    private NetworkNamespace swNs;
    private Process daemon;
    private Path socket;
    private Path profile;

    @BeforeEach
    void setUp() throws IOException {
        Requirements.requireNetns();
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
        nodeNs = NetworkNamespace.create("e2en");
        swNs = NetworkNamespace.create("e2es");
        nodeNs.linkTo(swNs, "e2e-node", "10.255.7.1/30", "e2e-sw", "10.255.7.2/30");
        socket = dir.resolve("gannet.sock");
        profile = dir.resolve("profile.yaml");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (Files.exists(dir.resolve("bird.pid"))) {
            NetworkNamespace.Shell.runQuietly("kill", Files.readString(dir.resolve("bird.pid")).trim());
        }
        if (swNs != null) {
            swNs.close();
        }
        if (nodeNs != null) {
            nodeNs.close();
        }
    }

    @Test
    void announcesExactlyItsPodCidrAcceptsNothingAndObeysTheCli() throws Exception {
        Files.writeString(profile, PROFILE.formatted("false"));
        startBird(true);
        startDaemon();
        awaitTrue("session Established", () -> established());

        // BIRD learned exactly node1's PodCIDR, next hop node1's address, AS path node1's AS.
        awaitTrue("BIRD has the PodCIDR", () -> birdc("show", "route", "protocol", "host_node1").contains("10.244.7.0/24"));
        String birdRoutes = birdc("show", "route", "all", "protocol", "host_node1");
        assertThat(birdRoutes).contains("10.244.7.0/24").contains("10.255.7.1").contains("4200000001");
        assertThat(countRoutes(birdRoutes)).isEqualTo(1);

        // The switch announced a route; node1's default import policy rejected it.
        awaitTrue("the switch's route was received", () -> peer().path("prefixesReceived").asLong() == 1);
        assertThat(peer().path("prefixesAccepted").asLong()).isZero();
        assertThat(peer().path("prefixesAdvertised").asLong()).isEqualTo(1);
        String peers = cli("show", "peers");
        assertThat(peers).contains("sw1").contains("Established");
        String routes = cli("show", "routes", "--json");
        assertThat(routes).contains("10.244.7.0/24").doesNotContain("203.0.113.0/24");

        // Operator commands: disable sends Cease / Administrative Shutdown with our message.
        assertThat(cli("peer", "disable", "sw1", "--message", "maintenance window")).isNotBlank();
        awaitTrue("BIRD saw the shutdown", () -> birdc("show", "protocols", "all", "host_node1").contains("maintenance window"));
        assertThat(peer().path("adminDisabled").asBoolean()).isTrue();
        assertThat(peer().path("lastError").asText()).contains("maintenance window");
        cli("peer", "enable", "sw1");
        awaitTrue("re-established", () -> established());

        // Bad input changes nothing and says why.
        CliResult unknown = cliResult("peer", "reset", "nosuchpeer");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("nosuchpeer");
        assertThat(established()).isTrue();
    }

    @Test
    void gracefulRestartKeepsTheRoutesAtTheSwitchAcrossADaemonRestart() throws Exception {
        Files.writeString(profile, PROFILE.formatted("true"));
        startBird(false);
        startDaemon();
        awaitTrue("session Established", () -> established());
        awaitTrue("BIRD has the PodCIDR", () -> birdc("show", "route", "protocol", "host_node1").contains("10.244.7.0/24"));

        // SIGTERM with graceful restart configured: TCP closes without a NOTIFICATION.
        daemon.destroy();
        assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(1500);
        assertThat(birdc("show", "route", "all", "protocol", "host_node1")).contains("10.244.7.0/24");

        // The next daemon is the restarting speaker; BIRD keeps the route and gets End-of-RIB.
        startDaemon();
        awaitTrue("re-established", () -> established());
        Thread.sleep(1000);
        String after = birdc("show", "route", "all", "protocol", "host_node1");
        assertThat(after).contains("10.244.7.0/24");
        assertThat(birdc("show", "protocols", "all", "host_node1")).contains("Established");
    }

    private void startBird(boolean exportStatic) throws IOException {
        String conf = cli("profile", "render", profile.toString(), "--switch", "sw1", "--format", "bird");
        if (exportStatic) {
            conf = conf.replace("export none;", "export where proto = \"e2e_static\";")
                    + "\nprotocol static e2e_static { ipv4; route 203.0.113.0/24 blackhole; }\n";
        }
        Path confFile = dir.resolve("bird.conf");
        Files.writeString(confFile, conf);
        swNs.exec("bird", "-c", confFile.toString(), "-s", dir.resolve("bird.ctl").toString(), "-P", dir.resolve("bird.pid").toString());
    }

    private void startDaemon() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), GannetCli.class.getName(), "run",
                "--profile", profile.toString(), "--node", "node1",
                "--state-dir", dir.resolve("state").toString(), "--socket", socket.toString()));
        ProcessBuilder pb = new ProcessBuilder(nodeNs.inside(cmd.toArray(String[]::new)));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("gannet.log").toFile()));
        daemon = pb.start();
    }

    private JsonNode peer() {
        try {
            return new ObjectMapper().readTree(cli("show", "peers", "--json")).path("peers").path(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private boolean established() {
        return "Established".equals(peer().path("state").asText());
    }

    private String birdc(String... args) {
        List<String> cmd = new ArrayList<>(List.of("birdc", "-s", dir.resolve("bird.ctl").toString()));
        cmd.addAll(List.of(args));
        return NetworkNamespace.Shell.runQuietly(cmd.toArray(String[]::new));
    }

    private static long countRoutes(String birdOutput) {
        return birdOutput.lines().filter(l -> l.matches("^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+.*")).count();
    }

    record CliResult(int exit, String out, String err) {}

    private CliResult cliResult(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        if (!args[0].equals("profile")) {
            full.add("--socket");
            full.add(socket.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = GannetCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(full.toArray(String[]::new));
        return new CliResult(exit, out.toString(), err.toString());
    }

    private String cli(String... args) {
        return cliResult(args).out();
    }

    private void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for " + what + "\n--- gannet log:\n"
                + (Files.exists(dir.resolve("gannet.log")) ? Files.readString(dir.resolve("gannet.log")) : "(none)")
                + "\n--- birdc show protocols all:\n" + birdc("show", "protocols", "all"));
    }
}
