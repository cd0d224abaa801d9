package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ASN schemes and PodCIDR allocation: deterministic, and stable when hosts are appended. */
class ResolutionTest {

    static LoadedProfile parse(String text) {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        assertThat(p.problems().stream().filter(Problem::isError)).as(text).isEmpty();
        return p;
    }

    static NodeConfig node(LoadedProfile p, String name) throws Exception {
        return p.nodeConfig(name, SecretResolver.referencesOnly());
    }

    @Test
    void perNodeSchemeNumbersHostsInOrderAndSkipsOverriddenValues() throws Exception {
        LoadedProfile p = parse(ProfileText.leaf("per-node", 4, "  # overrides below\n")
                .replace("base: 4200000001}", "base: 4200000001, overrides: {n2: 4200000002, n4: 4200000900}}"));
        assertThat(node(p, "n1").localAs()).isEqualTo(4_200_000_001L);
        assertThat(node(p, "n2").localAs()).isEqualTo(4_200_000_002L);
        assertThat(node(p, "n3").localAs()).as("4200000002 is pinned to n2, so n3 skips it").isEqualTo(4_200_000_003L);
        assertThat(node(p, "n4").localAs()).isEqualTo(4_200_000_900L);
    }

    @Test
    void singleSchemePutsEveryHostInTheBaseAs() throws Exception {
        LoadedProfile p = parse(ProfileText.leaf("single", 3, ""));
        assertThat(List.of(node(p, "n1").localAs(), node(p, "n2").localAs(), node(p, "n3").localAs()))
                .containsOnly(4_200_000_001L);
    }

    @Test
    void appendingHostsMovesNoExistingPodCidrOrAs() throws Exception {
        LoadedProfile before = parse(ProfileText.leaf("per-node", 20, ""));
        LoadedProfile after = parse(ProfileText.leaf("per-node", 25, ""));
        for (int i = 1; i <= 20; i++) {
            NodeConfig a = node(before, "n" + i);
            NodeConfig b = node(after, "n" + i);
            assertThat(b.podCidr()).isEqualTo(a.podCidr());
            assertThat(b.localAs()).isEqualTo(a.localAs());
        }
        assertThat(node(after, "n21").podCidr()).isEqualTo(Cidr.of("10.244.20.0/24"));
        assertThat(after.diffFrom(before).changedHosts()).isEmpty();
        assertThat(after.diffFrom(before).addedHosts()).hasSize(5);
    }

    @Test
    void explicitPodCidrsAreReservedBeforeAllocation() throws Exception {
        String text = ProfileText.leaf("per-node", 3, "").replace("{name: n2, address: 10.0.1.3, rack: r1}",
                "{name: n2, address: 10.0.1.3, rack: r1, podCIDR: 10.244.0.0/24}");
        LoadedProfile p = parse(text);
        assertThat(node(p, "n1").podCidr()).isEqualTo(Cidr.of("10.244.1.0/24"));
        assertThat(node(p, "n2").podCidr()).isEqualTo(Cidr.of("10.244.0.0/24"));
        assertThat(node(p, "n3").podCidr()).isEqualTo(Cidr.of("10.244.2.0/24"));
    }

    @Test
    void aSchemeThatRunsPastThePrivateRangeIsAnError() {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", ProfileText.leaf("per-node", 3, "").replace("base: 4200000001", "base: 4294967293"));
        assertThat(p.hasErrors()).isTrue();
        assertThat(p.problems()).extracting(Problem::message).anyMatch(m -> m.contains("leaves too few private ASNs"));
    }

    @Test
    void aNodeWithOnlyAnIpv6AddressPeersWithEachSwitchsIpv6Address() throws Exception {
        String text = ProfileText.leaf("per-node", 1, "").replace("{name: n1, address: 10.0.1.2, rack: r1}",
                "{name: n1, address: \"2001:db8::2\", routerId: 10.9.9.9, rack: r1}")
                .replace("addresses: [10.0.0.1]", "addresses: [10.0.0.1, \"2001:db8::1\"]")
                .replace("addresses: [10.0.0.2]", "addresses: [10.0.0.2, \"2001:db8::3\"]");
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        assertThat(p.hasErrors()).as(p.problems().toString()).isFalse();
        // Its IPv4 PodCIDR goes over the IPv6 sessions with RFC 8950 (SessionFamiliesTest).
        assertThat(node(p, "n1").neighbor("leaf1").orElseThrow().address().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void problemsCarryExactColumns() {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", ProfileText.leaf("per-node", 1, "  bgp: {holdTime: 9, hodlTime: 3}\n"));
        Problem unknown = p.problems().stream().filter(x -> x.message().contains("hodlTime")).findFirst().orElseThrow();
        assertThat(unknown.location().line()).isEqualTo(9);
        assertThat(unknown.location().column()).isEqualTo("  bgp: {holdTime: 9, ".length() + 1);
        assertThat(unknown.toString()).startsWith("t.yaml:9:" + unknown.location().column() + ": error: unknown key 'hodlTime'");
    }
}
