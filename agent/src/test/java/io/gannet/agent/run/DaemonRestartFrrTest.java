package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.lab.FrrRoutingSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FRR side of {@link DaemonRestartTest}: a whole FRR leaf (zebra, bfdd, bgpd) configured by
 * {@code gannet profile render --switch --format frr}, graceful restart and BFD (100 ms x 3) on.
 * SIGTERM and SIGKILL restarts of the daemon: not one ping through the switch to the node's
 * PodCIDR is lost and the PodCIDR never leaves bgpd's table.
 */
class DaemonRestartFrrTest {
    private static final String POD_CIDR = "10.244.15.0/24";
    private static final String POD_ADDRESS = "10.244.15.10";
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: restart-frr
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
                  - {name: sw1, addresses: [10.255.15.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.15.1, podCIDR: %s}
            """.formatted(POD_CIDR);

    @TempDir
    Path dir;
    private NetworkNamespace nodeNs;
    private NetworkNamespace swNs;
    private FrrRoutingSwitch frr;
    private TrafficThroughSwitch traffic;
    private GannetProcess gannet;

    @AfterEach
    void tearDown() {
        if (gannet != null) {
            gannet.close();
        }
        if (traffic != null) {
            traffic.close();
        }
        if (frr != null) {
            frr.close();
        }
        if (swNs != null) {
            swNs.close();
        }
        if (nodeNs != null) {
            nodeNs.close();
        }
    }

    @Test
    void sigtermAndKillNineRestartsKeepThePodCidrAtAnFrrLeafAndLoseNoPacket() throws Exception {
        Requirements.requireNetns();
        for (String c : new String[] {"/usr/lib/frr/zebra", "/usr/lib/frr/bfdd", Fabric.BGPD, "vtysh", "ping"}) {
            Requirements.requireCommand(c);
        }
        nodeNs = NetworkNamespace.create("rfn");
        swNs = NetworkNamespace.create("rfs");
        nodeNs.linkTo(swNs, "rf-node", "10.255.15.1/30", "rf-sw", "10.255.15.2/30");
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        String conf = GannetProcess.render(profile, "sw1", "frr");
        assertThat(conf).contains("bfd 3 100 100").contains("bfd check-control-plane-failure").contains("graceful-restart-helper");
        frr = FrrRoutingSwitch.start(swNs, conf);
        traffic = new TrafficThroughSwitch("rfc", swNs, nodeNs, POD_ADDRESS, "10.255.15.2", "10.255.16.0");
        startDaemonAndAwaitTraffic(profile);

        for (String how : new String[] {"SIGTERM", "SIGKILL"}) {
            traffic.start(() -> frr.vtysh("show bgp ipv4 unicast " + POD_CIDR), t -> t.contains("10.255.15.1"));
            boolean exited = how.equals("SIGTERM") ? gannet.terminate(Duration.ofSeconds(20)) : gannet.kill(Duration.ofSeconds(10));
            assertThat(exited).as(how).isTrue();
            Thread.sleep(1500);
            startDaemonAndAwaitTraffic(profile);
            Thread.sleep(1000);
            TrafficThroughSwitch.Outcome o = traffic.stop();
            System.out.println("DaemonRestartFrrTest: " + how + " restart against FRR: " + o.sent() + " pings, " + o.lost()
                    + " lost; " + o.ribSamples() + " RIB samples, " + o.ribWithoutPodCidr().size() + " without the PodCIDR");
            assertThat(o.ribWithoutPodCidr()).as(how + ": the PodCIDR left FRR's table" + frr.diagnostics()).isEmpty();
            assertThat(o.sent()).isGreaterThan(100);
            assertThat(o.lost()).as(how + ": pings lost through the switch" + frr.diagnostics()).isZero();
        }
    }

    private void startDaemonAndAwaitTraffic(Path profile) throws Exception {
        gannet = GannetProcess.start(nodeNs, dir, profile, "node1");
        awaitTrue("BGP Established", () -> gannet.established("sw1"));
        awaitTrue("BFD Up", () -> "Up".equals(bfdSession().path("state").asText()));
        awaitTrue("FRR has the PodCIDR from node1", () -> frr.vtysh("show bgp ipv4 unicast " + POD_CIDR).contains("10.255.15.1")
                && frr.vtysh("show bgp ipv4 unicast summary").contains("Total number of neighbors 1")
                && !frr.vtysh("show bfd peers").contains("Status: down"));
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
        gannet.awaitTrue(what, condition, Duration.ofSeconds(45), Duration.ofMillis(100), frr::diagnostics);
    }
}
