package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.lab.FrrSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's proof for the daemon: {@code gannet run} started from an {@code ebgp-leaf} and
 * from an {@code ibgp-core} profile brings up both of its sessions with real FRR switches and
 * announces exactly its PodCIDR. Each switch is one FRR bgpd in its own namespace, configured
 * from {@code gannet profile render --switch NAME --format frr} of the same profile plus one
 * route it announces back (to prove the node's import policy rejects it). The node and the
 * switches share one L2 segment: a bridge in the node's namespace with one veth per switch
 * (a profile gives a host one address for all of its uplinks).
 */
class DaemonWithFrrTest extends DaemonAgainstFrr {
    /** One node, two switches on 10.201.0.0/24; {@code %s} fills model, AS scheme and switch AS lines. */
    private static final String EBGP_LEAF = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: frr-ebgp}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              communities: {podCIDR: ["65000:1"]}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.201.0.2], asn: 4200100001}
                  - {name: leaf2, addresses: [10.201.0.3], asn: 4200100002}
                hosts:
                  - {name: node1, address: 10.201.0.1, podCIDR: 10.244.21.0/24}
            """;

    private static final String IBGP_CORE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: frr-ibgp}
            spec:
              model: ibgp-core
              asn: {scheme: single, base: 64512}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              communities: {podCIDR: ["64512:100"]}
              inventory:
                switches:
                  - {name: core1, addresses: [10.201.0.2]}
                  - {name: core2, addresses: [10.201.0.3]}
                hosts:
                  - {name: node1, address: 10.201.0.1, podCIDR: 10.244.22.0/24}
            """;

    @Test
    void ebgpLeafNodePeersWithTwoFrrLeavesAndAnnouncesExactlyItsPodCidr() throws Exception {
        provesSessionsAndAnnouncement(EBGP_LEAF, "10.244.21.0/24", 4200000001L, Map.of("leaf1", 4200100001L, "leaf2", 4200100002L),
                "65000:1");
    }

    @Test
    void ibgpCoreNodePeersWithTwoFrrCoresAndAnnouncesExactlyItsPodCidr() throws Exception {
        provesSessionsAndAnnouncement(IBGP_CORE, "10.244.22.0/24", 64512L, Map.of("core1", 64512L, "core2", 64512L),
                "64512:100");
    }

    private void provesSessionsAndAnnouncement(String profileText, String podCidr, long nodeAs, Map<String, Long> switchAs,
            String community) throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, profileText);
        fabric = new Fabric("drf", dir, "10.201.0.1/24");
        List<String> switches = new TreeSet<>(switchAs.keySet()).stream().toList();
        Map<String, String> announcedBack = new LinkedHashMap<>();
        for (int i = 0; i < switches.size(); i++) {
            String sw = switches.get(i);
            String back = Fabric.TEST_NETS.get(i);
            announcedBack.put(sw, back);
            fabric.addSwitch(sw, "10.201.0." + (i + 2) + "/24", GannetProcess.render(profile, sw), back);
        }
        gannet = GannetProcess.start(fabric.node(), dir, profile, "node1");

        gannet.awaitTrue("both sessions Established", () -> switches.stream().allMatch(gannet::established), fabric::diagnostics);
        for (String sw : switches) {
            FrrSwitch frr = fabric.frr(sw);
            // The switch learned exactly one route from the node: its PodCIDR, next hop the node.
            gannet.awaitTrue(sw + " has the PodCIDR", () -> frr.routesFrom("10.201.0.1").containsKey(podCidr), fabric::diagnostics);
            Map<String, JsonNode> fromNode = frr.routesFrom("10.201.0.1");
            assertThat(fromNode.keySet()).as("%s's routes from node1", sw).containsExactly(podCidr);
            JsonNode path = fromNode.get(podCidr);
            assertThat(path.path("valid").asBoolean()).isTrue();
            assertThat(path.path("nexthops").path(0).path("ip").asText()).isEqualTo("10.201.0.1");
            assertThat(path.path("pathFrom").asText()).isEqualTo(nodeAs == switchAs.get(sw) ? "internal" : "external");
            if (nodeAs != switchAs.get(sw)) {
                assertThat(path.path("path").asText()).isEqualTo(Long.toString(nodeAs));
            }
            assertThat(frr.communities(podCidr)).containsExactly(community);
            // Everything else in the switch's table is the switch's own route.
            assertThat(frr.routes().keySet()).containsExactlyInAnyOrder(podCidr, announcedBack.get(sw));

            // The node saw the switch's route and its import policy (the profile's default: reject all) refused it.
            // Exactly 1 although FRR re-sends its route when its route-map timer fires: received is
            // the pre-policy Adj-RIB-In's size, not a count of announcements.
            gannet.awaitTrue(sw + "'s route received", () -> gannet.peer(sw).path("prefixesReceived").asLong() == 1, fabric::diagnostics);
            Thread.sleep(1500); // past FRR's re-send
            assertThat(gannet.peer(sw).path("prefixesReceived").asLong()).isEqualTo(1);
            JsonNode peer = gannet.peer(sw);
            assertThat(peer.path("state").asText()).isEqualTo("Established");
            assertThat(peer.path("remoteAs").asLong()).isEqualTo(switchAs.get(sw));
            assertThat(peer.path("localAs").asLong()).isEqualTo(nodeAs);
            assertThat(peer.path("prefixesAccepted").asLong()).isZero();
            assertThat(peer.path("prefixesAdvertised").asLong()).isEqualTo(1);
        }
        JsonNode routes = new ObjectMapper().readTree(gannet.cli("show", "routes", "--json"));
        Set<String> best = new TreeSet<>();
        for (JsonNode r : routes.path("routes")) {
            best.add(r.path("prefix").asText());
        }
        assertThat(best).as("the node's Loc-RIB: its own PodCIDR only").containsExactly(podCidr);
    }
}
