package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.config.BgpFamily;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import org.junit.jupiter.api.Test;

/** What each session advertises: address families and RFC 8654, per profile, per host override and per switch. */
class SessionFamiliesTest {
    private static NeighborConfig neighbor(LoadedProfile p, String host, String sw) throws Exception {
        return ResolutionTest.node(p, host).neighbor(sw).orElseThrow();
    }

    @Test
    void anIpv4OnlyHostNegotiatesIpv4OnlyAndNoExtendedMessagesByDefault() throws Exception {
        LoadedProfile p = ResolutionTest.parse(ProfileText.leaf("per-node", 1, ""));
        NeighborConfig n = neighbor(p, "n1", "leaf1");
        assertThat(n.families()).containsExactly(BgpFamily.IPV4_UNICAST);
        assertThat(n.extendedMessage()).isFalse();
        String frr = p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly());
        assertThat(frr).contains("address-family ipv4 unicast").doesNotContain("address-family ipv6 unicast");
    }

    @Test
    void anL4lbHostWithAnIpv6VipPoolAlsoCarriesIpv6() throws Exception {
        String text = ProfileText.leaf("per-node", 1, "").replace("vipPool: [203.0.113.0/24]", "vipPool: [203.0.113.0/24, \"2001:db8:ff::/64\"]")
                .replace("{name: n1, address: 10.0.1.2, rack: r1}", "{name: n1, address: 10.0.1.2, rack: r1, role: l4lb}");
        LoadedProfile p = ResolutionTest.parse(text);
        assertThat(neighbor(p, "n1", "leaf1").families()).containsExactly(BgpFamily.IPV4_UNICAST, BgpFamily.IPV6_UNICAST);
        assertThat(p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly()))
                .contains("address-family ipv6 unicast");
        assertThat(p.renderSwitch("leaf1", SwitchFormat.BIRD, SecretResolver.referencesOnly()))
                .contains("  ipv4 {").contains("  ipv6 {");
    }

    @Test
    void aNodeWithOnlyAnIpv6AddressSendsItsIpv4PodCidrOverItsIpv6SessionWithRfc8950() throws Exception {
        String text = ProfileText.leaf("per-node", 1, "")
                .replace("{name: leaf1, rack: r1, addresses: [10.0.0.1], asn: 4200100001}",
                        "{name: leaf1, rack: r1, addresses: [\"2001:db8:a::1\"], routerId: 10.0.0.1, asn: 4200100001}")
                .replace("{name: leaf2, rack: r1, addresses: [10.0.0.2], asn: 4200100002}",
                        "{name: leaf2, rack: r1, addresses: [\"2001:db8:b::1\"], routerId: 10.0.0.2, asn: 4200100002}")
                .replace("{name: n1, address: 10.0.1.2, rack: r1}", "{name: n1, address: \"2001:db8:a::11\", routerId: 10.0.1.2, rack: r1}");
        LoadedProfile p = ResolutionTest.parse(text);
        NeighborConfig n = neighbor(p, "n1", "leaf1");
        assertThat(n.families()).containsExactly(BgpFamily.IPV4_UNICAST, BgpFamily.IPV6_UNICAST);
        assertThat(ResolutionTest.node(p, "n1").podCidr().toString()).startsWith("10.244.");
        assertThat(p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly()))
                .contains(" neighbor 2001:db8:a::11 capability extended-nexthop\n");
        assertThat(p.renderSwitch("leaf1", SwitchFormat.BIRD, SecretResolver.referencesOnly()))
                .contains("  ipv4 {\n    extended next hop on;\n");
        // An IPv4 session has none of it.
        LoadedProfile v4 = ResolutionTest.parse(ProfileText.leaf("per-node", 1, "  bgp: {families: [ipv4, ipv6]}\n"));
        assertThat(v4.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly())).doesNotContain("extended-nexthop");
        assertThat(v4.renderSwitch("leaf1", SwitchFormat.BIRD, SecretResolver.referencesOnly())).doesNotContain("extended next hop");
    }

    @Test
    void theProfileAHostOverrideAndASwitchSayWhatToAdvertise() throws Exception {
        String text = ProfileText.leaf("per-node", 2, "  bgp: {families: [ipv4, ipv6], extendedMessage: true, delayOpen: 5}\n"
                + "  overrides:\n    n2:\n      bgp: {families: [ipv6-unicast]}\n")
                .replace("{name: leaf2, rack: r1, addresses: [10.0.0.2], asn: 4200100002}",
                        "{name: leaf2, rack: r1, addresses: [10.0.0.2], asn: 4200100002, families: [ipv4], extendedMessage: false}");
        LoadedProfile p = ResolutionTest.parse(text);
        assertThat(neighbor(p, "n1", "leaf1").families()).containsExactly(BgpFamily.IPV4_UNICAST, BgpFamily.IPV6_UNICAST);
        assertThat(neighbor(p, "n1", "leaf1").extendedMessage()).isTrue();
        assertThat(neighbor(p, "n1", "leaf1").delayOpenSeconds()).isEqualTo(5); // RFC 4271 8.1.1
        assertThat(neighbor(p, "n1", "leaf2").delayOpenSeconds()).isEqualTo(5);
        assertThat(neighbor(p, "n2", "leaf1").families()).containsExactly(BgpFamily.IPV6_UNICAST);
        assertThat(neighbor(p, "n1", "leaf2").families()).containsExactly(BgpFamily.IPV4_UNICAST); // the switch wins
        assertThat(neighbor(p, "n1", "leaf2").extendedMessage()).isFalse();
        String bird = p.renderSwitch("leaf1", SwitchFormat.BIRD, SecretResolver.referencesOnly());
        assertThat(bird).contains("enable extended messages on;");
        // A changed family list is negotiated in OPEN: reload reports a session reset.
        LoadedProfile before = ResolutionTest.parse(ProfileText.leaf("per-node", 2, ""));
        assertThat(p.diffFrom(before).changedHosts()).isNotEmpty();
    }

    @Test
    void aWrongFamilyIsReportedWhereItIsWritten() {
        String text = ProfileText.leaf("per-node", 1, "").replace("asn: 4200100002}", "asn: 4200100002, families: [ipv4, vpnv4, ipv4]}");
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        assertThat(p.problems()).filteredOn(Problem::isError).extracting(Problem::toString)
                .anyMatch(m -> m.startsWith("t.yaml:") && m.contains("'vpnv4' is not an address family: use ipv4 or ipv6"))
                .anyMatch(m -> m.contains("address family ipv4 is listed twice"));
        LoadedProfile empty = TopologyProfiles.parse("t.yaml", ProfileText.leaf("per-node", 1, "  bgp: {families: []}\n"));
        assertThat(empty.problems()).filteredOn(Problem::isError).extracting(Problem::message)
                .anyMatch(m -> m.contains("families is empty"));
    }
}
