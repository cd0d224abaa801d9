package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.model.PodCidrPool;
import org.junit.jupiter.api.Test;

/** {@code podCIDRPool.allocation: store} and {@code spec.fixedIPPools}: schema, validation, rendering. */
class StoreAllocationProfileTest {
    private static String profile(String pool, String extra) {
        return """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: t}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  podCIDRPool: %s
                %s
                  inventory:
                    switches:
                      - {name: leaf1, addresses: [10.0.0.1], asn: 4200100001}
                    hosts:
                      - {name: n1, address: 10.0.1.1}
                      - {name: n2, address: 10.0.1.2, podCIDR: 10.244.7.0/24}
                """.formatted(pool, extra);
    }

    @Test
    void storeModeLeavesUnpinnedNodesToTheStoreAndLetsThemExportAnyPoolBlock() throws Exception {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", profile("{cidr: 10.244.0.0/16, prefixLength: 24, allocation: store}",
                "  fixedIPPools: [{name: db, cidr: 10.250.0.0/24}]"));
        assertThat(p.hasErrors()).as("%s", p.problems()).isFalse();
        assertThat(p.podCidrPool().map(PodCidrPool::fromStore)).contains(true);
        assertThat(p.fixedIpPools()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("db");
            assertThat(f.cidr().toString()).isEqualTo("10.250.0.0/24");
        });
        NodeConfig n1 = p.nodeConfig("n1");
        assertThat(n1.podCidr()).isNull();
        assertThat(n1.exportPolicy().statements()).anySatisfy(s -> assertThat(s.name()).isEqualTo("own-runtime-prefixes"));
        assertThat(p.nodeConfig("n2").podCidr().toString()).isEqualTo("10.244.7.0/24");
        assertThat(p.explicitPodCidrs(true)).containsOnlyKeys("n2");
    }

    @Test
    void profileModeIsTheDefaultAndUnchanged() throws Exception {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", profile("{cidr: 10.244.0.0/16, prefixLength: 24}", ""));
        assertThat(p.hasErrors()).as("%s", p.problems()).isFalse();
        assertThat(p.podCidrPool().map(PodCidrPool::fromStore)).contains(false);
        assertThat(p.nodeConfig("n1").podCidr().toString()).isEqualTo("10.244.0.0/24");
    }

    @Test
    void badAllocationAndOverlappingFixedPoolsAreReportedWithTheirLine() {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", profile("{cidr: 10.244.0.0/16, prefixLength: 24, allocation: etcd}",
                "  fixedIPPools: [{name: db, cidr: 10.244.9.0/24}, {name: db, cidr: 10.250.0.0/24}, {name: big, cidr: 10.0.0.0/8},"
                        + " {name: tiny, cidr: 10.251.0.0/31}, {name: one, cidr: \"fd00:251::1/128\"}]"));
        assertThat(p.problems()).extracting(Object::toString).anySatisfy(s -> assertThat(s).contains("t.yaml:7:").contains("allocation must be one of profile, store, got"))
                .anySatisfy(s -> assertThat(s).contains("fixed-IP pool db (10.244.9.0/24) overlaps the PodCIDR pool 10.244.0.0/16"))
                .anySatisfy(s -> assertThat(s).contains("fixed-IP pool name 'db' is used twice"))
                .anySatisfy(s -> assertThat(s).contains("fixed-IP pool 10.0.0.0/8 is larger than 65,536 addresses"))
                // these passed validation and stopped the daemon at start with a bare "too small for pods"
                .anySatisfy(s -> assertThat(s).contains("t.yaml:8:").contains("fixed-IP pool 10.251.0.0/31 is too small: it needs at least a /30"))
                .anySatisfy(s -> assertThat(s).contains("fixed-IP pool fd00:251::1/128 is too small: it needs at least a /126"));
    }
}
