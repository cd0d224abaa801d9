package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The real daemon ({@code gannet run} in its own process, in a "node" namespace) peered over a
 * veth pair with a real BIRD 2 "leaf switch" configured by {@code gannet profile render
 * --switch}, both from one profile. The real {@code gannet} CLI drives the daemon over its
 * control socket. Covers issue 2's daemon, issue 3's "a daemon started from a profile brings up
 * its sessions and announces exactly its PodCIDR", and issue 4's CLI against a live daemon.
 */
class DaemonWithBirdTest extends DaemonAgainstBird {
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

    DaemonWithBirdTest() {
        super("e2en", "e2e-node", "10.255.7.1/30", "e2es", "e2e-sw", "10.255.7.2/30");
    }

    @Test
    void announcesExactlyItsPodCidrAcceptsNothingAndObeysTheCli() throws Exception {
        Files.writeString(profile, PROFILE.formatted("false"));
        startBird(true);
        startDaemon();
        awaitTrue("session Established", () -> established());

        // BIRD learned exactly node1's PodCIDR, next hop node1's address, AS path node1's AS.
        awaitTrue("BIRD has the PodCIDR", () -> bird.birdc("show", "route", "protocol", "host_node1").contains("10.244.7.0/24"));
        String birdRoutes = bird.birdc("show", "route", "all", "protocol", "host_node1");
        assertThat(birdRoutes).contains("10.244.7.0/24").contains("10.255.7.1").contains("4200000001");
        assertThat(countRoutes(birdRoutes)).isEqualTo(1);

        // The switch announced a route; node1's default import policy rejected it.
        awaitTrue("the switch's route was received", () -> peer().path("prefixesReceived").asLong() == 1);
        assertThat(peer().path("prefixesAccepted").asLong()).isZero();
        assertThat(peer().path("prefixesAdvertised").asLong()).isEqualTo(1);
        String peers = gannet.cli("show", "peers");
        assertThat(peers).contains("sw1").contains("Established");
        String routes = gannet.cli("show", "routes", "--json");
        assertThat(routes).contains("10.244.7.0/24").doesNotContain("203.0.113.0/24");

        // /metrics from the running daemon, through a Prometheus text-format parser: the
        // session, its counters and the UPDATE processing histogram are fed by the speaker.
        awaitTrue("metrics published", () -> metric("gannet_bgp_peer_up", "peer", "sw1") == 1);
        assertThat(metric("gannet_bgp_peer_state", "peer", "sw1")).isEqualTo(6);
        assertThat(metric("gannet_bgp_update_processing_seconds_count")).isGreaterThanOrEqualTo(1);

        // Operator commands: disable sends Cease / Administrative Shutdown with our message.
        assertThat(gannet.cli("peer", "disable", "sw1", "--message", "maintenance window")).isNotBlank();
        awaitTrue("BIRD saw the shutdown", () -> bird.birdc("show", "protocols", "all", "host_node1").contains("maintenance window"));
        assertThat(peer().path("adminDisabled").asBoolean()).isTrue();
        assertThat(peer().path("lastError").asText()).contains("maintenance window");
        gannet.cli("peer", "enable", "sw1");
        awaitTrue("re-established", () -> established());

        // Bad input changes nothing and says why.
        GannetProcess.CliResult unknown = gannet.cliResult("peer", "reset", "nosuchpeer");
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
        awaitTrue("BIRD has the PodCIDR", () -> bird.birdc("show", "route", "protocol", "host_node1").contains("10.244.7.0/24"));

        // SIGTERM with graceful restart configured: TCP closes without a NOTIFICATION.
        assertThat(gannet.terminate(Duration.ofSeconds(20))).isTrue();
        Thread.sleep(1500);
        assertThat(bird.birdc("show", "route", "all", "protocol", "host_node1")).contains("10.244.7.0/24");

        // The next daemon is the restarting speaker; BIRD keeps the route and gets End-of-RIB.
        startDaemon();
        awaitTrue("re-established", () -> established());
        Thread.sleep(1000);
        String after = bird.birdc("show", "route", "all", "protocol", "host_node1");
        assertThat(after).contains("10.244.7.0/24");
        assertThat(bird.birdc("show", "protocols", "all", "host_node1")).contains("Established");
    }

    private void startBird(boolean exportStatic) throws IOException {
        String conf = GannetProcess.render(profile, "sw1", "bird");
        if (exportStatic) {
            conf = conf.replace("export none;", "export where proto = \"e2e_static\";")
                    + "\nprotocol static e2e_static { ipv4; route 203.0.113.0/24 blackhole; }\n";
        }
        bird = BirdSwitch.start(swNs, dir, conf);
    }

    private void startDaemon() throws IOException {
        gannet = GannetProcess.start(nodeNs, dir, profile, "node1");
    }

    private JsonNode peer() {
        return gannet.peer("sw1");
    }

    private boolean established() {
        return gannet.established("sw1");
    }

    /** One sample of the daemon's /metrics (served on the control socket too), parsed strictly. */
    private double metric(String name, String... labels) {
        try {
            String text = io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/metrics").body();
            return io.gannet.agent.metrics.PrometheusTextParser.find(io.gannet.agent.metrics.PrometheusTextParser.parse(text), name, labels).value();
        } catch (java.io.IOException | RuntimeException | AssertionError e) {
            return Double.NaN;
        }
    }

    private static long countRoutes(String birdOutput) {
        return birdOutput.lines().filter(l -> l.matches("^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+.*")).count();
    }

    /** Up to 45 s, polling every 250 ms. */
    private void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        gannet.awaitTrue(what, condition, Duration.ofSeconds(45), Duration.ofMillis(250), bird::diagnostics);
    }
}
