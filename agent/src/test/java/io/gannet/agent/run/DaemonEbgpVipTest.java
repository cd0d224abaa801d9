package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.lab.FrrSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An l4lb host of an {@code ebgp-leaf} profile whose VIPs are tagged {@code no-export}, as the
 * shipped example does: {@code gannet run} sends the VIP to its eBGP leaves with the community
 * attached (for the switch to act on), {@code gannet announce --community no-export} likewise,
 * and each session advertises only what the profile asks (families, extended messages, and GR
 * for those families only). The sessions use the profile's DelayOpen (RFC 4271 8.1.1). Switches are FRR bgpd configured by {@code profile render --switch}.
 */
class DaemonEbgpVipTest extends DaemonAgainstFrr {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: frr-vip}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              vipPool: [203.0.113.0/24]
              bgp: {holdTime: 60, connectRetry: 1, delayOpen: 2}
              bfd: {enabled: false}
              communities: {vip: [no-export]}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.202.0.2], asn: 4200100001}
                  - {name: leaf2, addresses: [10.202.0.3], asn: 4200100002, families: [ipv4, ipv6], extendedMessage: true}
                hosts:
                  - {name: lb1, address: 10.202.0.1, role: l4lb, vips: [203.0.113.10]}
            """;

    @Test
    void noExportVipsReachTheEbgpLeavesAndEachSessionAdvertisesWhatTheProfileAsks() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        fabric = new Fabric("dvip", dir, "10.202.0.1/24");
        fabric.addSwitch("leaf1", "10.202.0.2/24", GannetProcess.render(profile, "leaf1"), Fabric.TEST_NETS.get(0));
        fabric.addSwitch("leaf2", "10.202.0.3/24", GannetProcess.render(profile, "leaf2"), Fabric.TEST_NETS.get(1));
        gannet = GannetProcess.start(fabric.node(), dir, profile, "lb1");
        gannet.awaitTrue("both sessions Established", () -> gannet.established("leaf1") && gannet.established("leaf2"),
                fabric::diagnostics);
        // The profile's delayOpen is in force: each session's way to OpenConfirm says so.
        assertThat(gannet.log()).contains("reason=\"DelayOpen");

        // The profile's VIP, tagged no-export, reaches both eBGP leaves with the community.
        for (String sw : new String[] {"leaf1", "leaf2"}) {
            FrrSwitch frr = fabric.frr(sw);
            gannet.awaitTrue(sw + " has the VIP", () -> frr.routesFrom("10.202.0.1").containsKey("203.0.113.10/32"),
                    fabric::diagnostics);
            assertThat(frr.communities("203.0.113.10/32")).as(sw).containsExactly("no-export");
        }
        // So does an operator's announcement with --community no-export.
        gannet.cli("announce", "203.0.113.11/32", "--community", "no-export", "--community", "65000:7");
        FrrSwitch leaf1 = fabric.frr("leaf1");
        gannet.awaitTrue("leaf1 has the announced VIP", () -> leaf1.routesFrom("10.202.0.1").containsKey("203.0.113.11/32"),
                fabric::diagnostics);
        assertThat(leaf1.communities("203.0.113.11/32")).containsExactlyInAnyOrder("65000:7", "no-export");

        // leaf1: an IPv4-only session; no IPv6, no GR for IPv6, no extended messages.
        JsonNode caps1 = leaf1.neighbor("10.202.0.1").path("neighborCapabilities");
        assertThat(caps1.path("multiprotocolExtensions").has("ipv6Unicast")).as(caps1.toString()).isFalse();
        assertThat(caps1.path("multiprotocolExtensions").path("ipv4Unicast").path("advertisedAndReceived").asBoolean())
                .as(caps1.toString()).isTrue();
        assertThat(caps1.path("extendedMessage").asText()).as(caps1.toString()).isEqualTo("advertised");
        JsonNode gr1 = leaf1.neighbor("10.202.0.1").path("gracefulRestartInfo");
        assertThat(gr1.toString()).doesNotContain("ipv6Unicast");
        // leaf2: both families and extended messages, as its switch entry asks.
        JsonNode caps2 = fabric.frr("leaf2").neighbor("10.202.0.1").path("neighborCapabilities");
        assertThat(caps2.path("multiprotocolExtensions").path("ipv6Unicast").path("advertisedAndReceived").asBoolean())
                .as(caps2.toString()).isTrue();
        assertThat(caps2.path("extendedMessage").asText()).as(caps2.toString()).isEqualTo("advertisedAndReceived");
    }
}
