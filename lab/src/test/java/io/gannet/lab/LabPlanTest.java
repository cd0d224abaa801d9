package io.gannet.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.topology.config.NodeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code gannet lab up} decides before it creates anything, from the example profiles:
 * which hosts and switches run, the shared segment, the lab's copy of the profile.
 */
class LabPlanTest {
    private static final Path EXAMPLES = Path.of("..", "topology-profiles", "examples");

    private static Lab.Plan plan(String profile, int nodes, Lab.Router router) throws Exception {
        return Lab.plan(new Lab.Options("t", EXAMPLES.resolve(profile), nodes, router, Path.of("/nonexistent"), List.of("gannet"),
                Map.of(), Path.of("/nonexistent")));
    }

    @Test
    void ibgpCoreTakesTheFirstNodesAndBothCoresOnOneSegmentAndPinsTheMissingPodCidr() throws Exception {
        Lab.Plan p = plan("ibgp-core.yaml", 2, Lab.Router.FRR);
        assertThat(p.nodes()).extracting(NodeConfig::name).containsExactly("node1", "node2");
        assertThat(p.switchAddress()).containsExactly(Map.entry("core1", "10.0.0.1"), Map.entry("core2", "10.0.0.2"));
        assertThat(p.segment().toString()).isEqualTo("10.0.0.0/15");
        // node1 keeps the profile's 10.244.1.0/24; node2 gets the profile's own allocation from
        // the pool, so the lab's copy of the profile is the file itself.
        assertThat(p.nodes()).extracting(n -> n.podCidr().toString()).containsExactly("10.244.1.0/24", "10.244.0.0/24");
        assertThat(p.labProfileYaml()).isEqualTo(java.nio.file.Files.readString(EXAMPLES.resolve("ibgp-core.yaml")));
        // An MD5 key from an unset environment variable: the lab's key, on both sides.
        assertThat(p.switchConfig().get("core1")).contains("neighbor 10.1.1.11 password");
        assertThat(p.secretsEnv()).containsKey("GANNET_CORE_MD5");
        // The two edge L4LB hosts share VIP 203.0.113.10 and peer with the same cores.
        assertThat(p.l4lb().hosts()).extracting(NodeConfig::name).containsExactly("lb1", "lb2");
        assertThat(p.l4lb().vip()).isEqualTo("203.0.113.10");
    }

    @Test
    void ebgpLeafTakesRackOneWithItsLeavesAndDistinctPodCidrs() throws Exception {
        Lab.Plan p = plan("ebgp-leaf.yaml", 2, Lab.Router.BIRD);
        assertThat(p.nodes()).extracting(NodeConfig::name).containsExactly("r1-node1", "r1-node2");
        // rack 1's leaves for the nodes, rack 3's for the L4LB hosts (the IPv6-only one stays out)
        assertThat(p.switchAddress()).containsOnlyKeys("leaf-r1-a", "leaf-r1-b", "leaf-r3-a", "leaf-r3-b");
        assertThat(p.l4lb().hosts()).extracting(NodeConfig::name).containsExactly("r3-lb1", "r3-lb2");
        assertThat(p.l4lb().vip()).isEqualTo("198.51.100.7");
        assertThat(p.segment().toString()).isEqualTo("10.10.0.0/22");
        assertThat(p.nodes()).extracting(n -> n.podCidr().toString()).containsExactly("10.32.0.0/25", "10.32.0.128/25");
        assertThat(p.switchConfig().get("leaf-r1-a")).contains("protocol bgp");
        // rack 3's MD5 key file is not on this machine: the lab's copy takes the key from the environment
        assertThat(p.labProfileYaml()).doesNotContain("/etc/gannet/md5/leaf-r3").contains("env: \"" + Lab.LAB_MD5_ENV + "\"");
        assertThat(p.secretsEnv()).containsKey(Lab.LAB_MD5_ENV);
        assertThat(p.switchConfig().get("leaf-r3-a")).contains("password");
    }

    @Test
    void storeAllocatedPodCidrsAreLeftToTheLabsEtcd(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // allocation: store: the lab's nodes claim their blocks from the lab's one etcd at run time.
        String text = java.nio.file.Files.readString(EXAMPLES.resolve("ebgp-leaf.yaml"))
                .replace("    prefixLength: 25\n", "    prefixLength: 25\n    allocation: store\n");
        assertThat(text).contains("allocation: store");
        Path profile = tmp.resolve("store.yaml");
        java.nio.file.Files.writeString(profile, text);
        Lab.Plan p = Lab.plan(new Lab.Options("t", profile, 2, Lab.Router.FRR, tmp, List.of("gannet"), Map.of(), tmp));
        assertThat(p.nodes()).extracting(NodeConfig::podCidr).containsOnlyNulls();
        assertThat(p.labProfileYaml()).contains("allocation: \"store\"").doesNotContain("podCIDR: \"10.32.0.0/25\"");
        // The segment covers no block of the pool.
        assertThat(p.segment().overlaps(io.gannet.topology.net.Cidr.of("10.32.0.0/16"))).isFalse();
    }

    @Test
    void aDualStackProfileIsRefusedWithWhatToDo(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        String text = """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: dual}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  podCIDRPool:
                    - {cidr: 10.244.0.0/16, prefixLength: 24}
                    - {cidr: "fd00:10:244::/56", prefixLength: 64}
                  inventory:
                    switches:
                      - {name: leaf1, addresses: [10.0.0.1, "fd00::1"], asn: 4200100001}
                    hosts:
                      - {name: n1, address: [10.0.1.2, "fd00::2"]}
                      - {name: n2, address: [10.0.1.3, "fd00::3"]}
                """;
        Path profile = tmp.resolve("dual.yaml");
        java.nio.file.Files.writeString(profile, text);
        assertThatThrownBy(() -> Lab.plan(new Lab.Options("t", profile, 2, Lab.Router.FRR, tmp, List.of("gannet"), Map.of(), tmp)))
                .isInstanceOf(Lab.LabException.class).hasMessageContaining("host n1 is dual-stack").hasMessageContaining("IPv4 fabrics");
    }

    @Test
    void moreNodesThanTheProfileHasIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> plan("ibgp-core.yaml", 5, Lab.Router.FRR)).isInstanceOf(Lab.LabException.class)
                .hasMessageContaining("has 4 node hosts; --nodes 5 needs as many");
    }
}
