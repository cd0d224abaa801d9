package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: maintenance and reloads are not failures. The real daemon with BFD (100 ms x 3) peered
 * with a real BIRD 2 leaf rendered by {@code gannet profile render} ({@code bfd on}: BIRD takes
 * any BFD Down as a failure). Operator disable/enable cycles do not feed BFD damping and do not
 * leave "BFD down" as the peer's last error; a reload that changes only local timers
 * (connect retry) or BFD timers resets nothing at either end; a peer the operator disabled stays
 * disabled across a reload that replaces its session; a reload that must reset a session sends
 * what lets the switch reconnect at once (no error wait, no BFD Down at BIRD).
 */
class DaemonMaintenanceTest extends DaemonAgainstBird {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: maintenance-e2e
            spec:
              model: ebgp-leaf
              asn:
                scheme: per-node
                base: 4200000001
              podCIDRPool:
                cidr: 10.244.0.0/16
                prefixLength: 24
              bgp:
                holdTime: %d
                connectRetry: %d
                gracefulRestart: {enabled: false}
              bfd:
                enabled: true
                minTxMs: %d
                minRxMs: %d
                multiplier: 3
              inventory:
                switches:
                  - {name: sw1, addresses: [10.255.17.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.17.1, podCIDR: 10.244.17.0/24}
            """;

    DaemonMaintenanceTest() {
        super("mtn", "mt-node", "10.255.17.1/30", "mts", "mt-sw", "10.255.17.2/30");
    }

    private void writeProfile(int hold, int connectRetry, int bfdMs) throws IOException {
        Files.writeString(profile, PROFILE.formatted(hold, connectRetry, bfdMs, bfdMs));
    }

    @Test
    void maintenanceIsNotABfdFlapAndReloadResetsOnlyWhatItMust() throws Exception {
        writeProfile(9, 1, 100);
        String conf = GannetProcess.render(profile, "sw1", "bird");
        assertThat(conf).contains("bfd on;").contains("error wait time");
        bird = BirdSwitch.start(swNs, dir, conf);
        gannet = GannetProcess.start(nodeNs, dir, profile, "node1");
        awaitUp();

        // Four maintenance cycles: each disable ends BIRD's session (and so its BFD); none is a flap.
        for (int cycle = 1; cycle <= 4; cycle++) {
            int i = cycle;
            GannetProcess.CliResult d = gannet.cliResult("peer", "disable", "sw1", "--message", "maintenance " + i);
            assertThat(d.exit()).as(d.err()).isZero();
            awaitTrue("BIRD saw maintenance " + i, () -> bird.birdc("show", "protocols", "all", "host_node1").contains("maintenance " + i));
            awaitTrue("BFD down after the disable", () -> !"Up".equals(bfdSession().path("state").asText()));
            assertThat(peer().path("lastError").asText()).doesNotContain("BFD down").contains("maintenance " + i);
            GannetProcess.CliResult e = gannet.cliResult("peer", "enable", "sw1");
            assertThat(e.exit()).as(e.err()).isZero();
            awaitUp();
        }
        assertThat(gannet.log()).doesNotContain("action=bfd-damping");
        assertThat(peer().path("lastError").asText()).doesNotContain("BFD down");

        // connectRetry only: applied in place, nothing reset at either end.
        Session before = Session.of(this);
        writeProfile(9, 2, 100);
        GannetProcess.CliResult r = gannet.cliResult("reload");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("changed sw1 [connectRetry]");
        Thread.sleep(1500);
        assertThat(Session.of(this)).as("connectRetry reload reset the session").isEqualTo(before);

        // BFD timers only: the running BFD session takes them (Poll Sequence); BGP untouched.
        writeProfile(9, 2, 150);
        r = gannet.cliResult("reload");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        awaitTrue("BFD at 150 ms", () -> bfdSession().path("txIntervalMicros").asLong() == 150_000
                && "Up".equals(bfdSession().path("state").asText()));
        Thread.sleep(1500);
        assertThat(Session.of(this)).as("BFD timer reload reset the session").isEqualTo(before);
        assertThat(bird.birdc("show", "protocols", "all", "host_node1")).doesNotContain("BFD session down");

        // A disabled peer whose session a reload replaces (hold time is negotiated) stays disabled.
        assertThat(gannet.cliResult("peer", "disable", "sw1").exit()).isZero();
        awaitTrue("disabled", () -> !gannet.established("sw1"));
        writeProfile(12, 2, 150);
        r = gannet.cliResult("reload");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("holdTime");
        Thread.sleep(3000);
        assertThat(peer().path("adminDisabled").asBoolean()).as("still disabled after the reload").isTrue();
        assertThat(peer().path("state").asText()).isEqualTo("Idle");
        assertThat(bird.birdc("show", "protocols", "host_node1")).doesNotContain("Established");
        assertThat(gannet.cliResult("peer", "enable", "sw1").exit()).isZero();
        awaitUp();

        // A reload that must reset the live session: the switch reconnects without an error wait.
        long sinceBeforeReset = peer().path("sinceEpochMillis").asLong();
        writeProfile(15, 2, 150);
        r = gannet.cliResult("reload");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        boolean reEstablished = false;
        while (System.nanoTime() < deadline) {
            String p = bird.birdc("show", "protocols", "all", "host_node1");
            assertThat(p).as("BIRD after a reset by reload").doesNotContain("Error wait").doesNotContain("BFD session down");
            if (p.contains("Established") && gannet.established("sw1")
                    && peer().path("sinceEpochMillis").asLong() != sinceBeforeReset) {
                reEstablished = true;
                break;
            }
            Thread.sleep(100);
        }
        assertThat(reEstablished).as("re-established after the reset" + bird.diagnostics()).isTrue();
        assertThat(gannet.log()).doesNotContain("action=bfd-damping");
    }

    /** Both ends' record of the session: our since/flaps and BIRD's "up since" line. */
    private record Session(long since, long flaps, String birdLine) {
        static Session of(DaemonMaintenanceTest t) {
            JsonNode p = t.peer();
            String line = t.bird.birdc("show", "protocols", "host_node1").lines().filter(l -> l.startsWith("host_node1"))
                    .findFirst().orElse("");
            return new Session(p.path("sinceEpochMillis").asLong(), p.path("flaps").asLong(), line);
        }
    }

    private void awaitUp() throws Exception {
        awaitTrue("BGP Established at both ends and BFD Up", () -> gannet.established("sw1")
                && "Up".equals(bfdSession().path("state").asText())
                && bird.birdc("show", "protocols", "host_node1").contains("Established"));
    }

    private JsonNode peer() {
        return gannet.peer("sw1");
    }

    private JsonNode bfdSession() {
        try {
            return new ObjectMapper().readTree(gannet.cli("show", "bfd", "--json")).path("sessions").path(0);
        } catch (IOException e) {
            return new ObjectMapper().missingNode();
        }
    }

    private void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        gannet.awaitTrue(what, condition, Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> bird.diagnostics() + "\n--- birdc show bfd sessions:\n" + bird.birdc("show", "bfd", "sessions"));
    }
}
