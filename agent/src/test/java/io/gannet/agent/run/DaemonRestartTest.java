package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, "restarts must not blackhole the node", against a real BIRD 2 leaf configured by
 * {@code gannet profile render --switch --format bird}: graceful restart and BFD (100 ms x 3)
 * both on. The daemon is stopped with SIGTERM and, separately, killed with SIGKILL, and started
 * again on the same state directory. Meanwhile a client namespace behind the switch pings an
 * address of the node's PodCIDR every 20 ms through the switch (which forwards by the route it
 * learned from us) and the switch's RIB is polled every 100 ms: not one ping may be lost and the
 * PodCIDR may never leave the switch's RIB; afterwards BIRD is not in an error wait.
 */
class DaemonRestartTest extends DaemonAgainstBird {
    static final String POD_CIDR = "10.244.13.0/24";
    static final String POD_ADDRESS = "10.244.13.10";
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: restart-e2e
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
                gracefulRestart: {enabled: true}
              bfd:
                enabled: true
                minTxMs: 100
                minRxMs: 100
                multiplier: 3
              inventory:
                switches:
                  - {name: sw1, addresses: [10.255.13.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.13.1, podCIDR: %s}
            """.formatted(POD_CIDR);

    private TrafficThroughSwitch traffic;

    DaemonRestartTest() {
        super("rsn", "rs-node", "10.255.13.1/30", "rss", "rs-sw", "10.255.13.2/30", "ping");
    }

    @AfterEach
    void closeTraffic() {
        if (traffic != null) {
            traffic.close();
        }
    }

    @Test
    void sigtermAndKillNineRestartsKeepThePodCidrAtABirdLeafAndLoseNoPacket() throws Exception {
        Files.writeString(profile, PROFILE);
        String conf = GannetProcess.render(profile, "sw1", "bird");
        assertThat(conf).contains("bfd graceful;").contains("graceful restart on;");
        bird = BirdSwitch.start(swNs, dir, conf);
        traffic = new TrafficThroughSwitch("rsc", swNs, nodeNs, POD_ADDRESS, "10.255.13.2", "10.255.14.0");
        startDaemonAndAwaitTraffic();

        for (String how : new String[] {"SIGTERM", "SIGKILL"}) {
            traffic.start(() -> bird.birdc("show", "route", "for", POD_ADDRESS), t -> t.contains(POD_CIDR));
            boolean exited = how.equals("SIGTERM") ? gannet.terminate(Duration.ofSeconds(20)) : gannet.kill(Duration.ofSeconds(10));
            assertThat(exited).as(how).isTrue();
            // Longer than BFD's 300 ms detection time: the switch has seen BFD go down.
            Thread.sleep(1500);
            startDaemonAndAwaitTraffic();
            Thread.sleep(1000);
            TrafficThroughSwitch.Outcome o = traffic.stop();
            System.out.println("DaemonRestartTest: " + how + " restart against BIRD: " + o.sent() + " pings, " + o.lost()
                    + " lost; " + o.ribSamples() + " RIB samples, " + o.ribWithoutPodCidr().size() + " without the PodCIDR");
            assertThat(o.ribWithoutPodCidr()).as(how + ": the PodCIDR left BIRD's RIB" + bird.diagnostics()).isEmpty();
            assertThat(o.sent()).isGreaterThan(100);
            assertThat(o.lost()).as(how + ": pings lost through the switch").isZero();
            assertThat(bird.birdc("show", "protocols", "all", "host_node1")).as(how).doesNotContain("Error wait");
        }
    }

    private void startDaemonAndAwaitTraffic() throws Exception {
        gannet = GannetProcess.start(nodeNs, dir, profile, "node1");
        awaitTrue("BGP Established", () -> gannet.established("sw1"));
        awaitTrue("BFD Up", () -> "Up".equals(bfdSession().path("state").asText()));
        awaitTrue("BIRD has the PodCIDR from node1",
                () -> bird.birdc("show", "protocols", "all", "host_node1").contains("Established")
                        && bird.birdc("show", "route", "for", POD_ADDRESS).contains(POD_CIDR));
        awaitTrue("the PodCIDR address answers through the switch", traffic::reachable);
    }

    private JsonNode bfdSession() {
        try {
            return new ObjectMapper().readTree(gannet.cli("show", "bfd", "--json")).path("sessions").path(0);
        } catch (IOException e) {
            return new ObjectMapper().missingNode();
        }
    }

    private void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        gannet.awaitTrue(what, condition, Duration.ofSeconds(45), Duration.ofMillis(100),
                () -> bird.diagnostics() + "\n--- birdc show bfd sessions:\n" + bird.birdc("show", "bfd", "sessions"));
    }
}
