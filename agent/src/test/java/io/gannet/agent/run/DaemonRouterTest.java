package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.lab.FrrSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code role: router} through {@code gannet run}: a Gannet core between two FRR leaves in
 * different ASes (each configured by {@code profile render --switch}) learns each leaf's route
 * and passes it to the other, prepending its own AS (transit). A node of the same profile keeps
 * its announce-only defaults (covered in topology-profiles' RouterRoleTest).
 */
class DaemonRouterTest extends DaemonAgainstFrr {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: frr-router}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.204.0.2], asn: 4200100001}
                  - {name: leaf2, addresses: [10.204.0.3], asn: 4200100002}
                hosts:
                  - {name: core1, address: 10.204.0.1, role: router}
            """;

    @Test
    void aRouterPassesEachLeafsRoutesToTheOther() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        fabric = new Fabric("drt", dir, "10.204.0.1/24");
        String net1 = Fabric.TEST_NETS.get(0);
        String net2 = Fabric.TEST_NETS.get(1);
        fabric.addSwitch("leaf1", "10.204.0.2/24", GannetProcess.render(profile, "leaf1"), net1);
        fabric.addSwitch("leaf2", "10.204.0.3/24", GannetProcess.render(profile, "leaf2"), net2);
        gannet = GannetProcess.start(fabric.node(), dir, profile, "core1");
        gannet.awaitTrue("both sessions Established", () -> gannet.established("leaf1") && gannet.established("leaf2"),
                fabric::diagnostics);

        FrrSwitch leaf1 = fabric.frr("leaf1");
        FrrSwitch leaf2 = fabric.frr("leaf2");
        gannet.awaitTrue("leaf2 learned leaf1's route through the router",
                () -> leaf2.routesFrom("10.204.0.1").containsKey(net1), fabric::diagnostics);
        gannet.awaitTrue("leaf1 learned leaf2's route through the router",
                () -> leaf1.routesFrom("10.204.0.1").containsKey(net2), fabric::diagnostics);
        JsonNode path = leaf2.routesFrom("10.204.0.1").get(net1);
        assertThat(path.path("path").asText()).isEqualTo("4200000001 4200100001");
        assertThat(path.path("nexthops").path(0).path("ip").asText()).isEqualTo("10.204.0.1");
        assertThat(leaf1.routesFrom("10.204.0.1")).doesNotContainKey(net1); // never back to where it came from
        JsonNode peer = gannet.peer("leaf1");
        assertThat(peer.path("prefixesAccepted").asLong()).isEqualTo(1);
        assertThat(peer.path("prefixesAdvertised").asLong()).isEqualTo(1);
    }
}
