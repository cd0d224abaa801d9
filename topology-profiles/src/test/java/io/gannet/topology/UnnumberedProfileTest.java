package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.topology.config.BgpFamily;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import org.junit.jupiter.api.Test;

/** A switch given by the hosts' interface to it (unnumbered peering) instead of addresses. */
class UnnumberedProfileTest {
    private static final String TEXT = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: unnumbered}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bfd: {enabled: false}
              inventory:
                racks: [{name: r1}]
                switches:
                  - {name: leaf1, rack: r1, interface: eth1, routerId: 10.0.0.1, asn: 4200100001}
                  - {name: leaf2, rack: r1, addresses: [10.0.0.2], asn: 4200100002}
                hosts:
                  - {name: n1, address: 10.0.1.2, rack: r1, switchPorts: {leaf1: swp1}}
                  - {name: n2, address: 10.0.1.3, rack: r1, switchPorts: {leaf1: swp2}}
            """;

    @Test
    void theHostsSessionIsOnItsInterfaceAndTheSwitchPeersByPort() throws Exception {
        assertThat(SchemaTest.SCHEMA.validate(new YAMLMapper().readTree(TEXT))).isEmpty();
        LoadedProfile p = ResolutionTest.parse(TEXT);
        NeighborConfig n = ResolutionTest.node(p, "n1").neighbor("leaf1").orElseThrow();
        assertThat(n.unnumbered()).isTrue();
        assertThat(n.interfaceName()).isEqualTo("eth1");
        assertThat(n.address()).isNull();
        assertThat(n.where()).isEqualTo("link-local on eth1");
        // Link-local IPv6 carries the host's IPv4 PodCIDR (RFC 8950) and IPv6.
        assertThat(n.families()).containsExactly(BgpFamily.IPV4_UNICAST, BgpFamily.IPV6_UNICAST);
        assertThat(ResolutionTest.node(p, "n1").neighbor("leaf2").orElseThrow().unnumbered()).isFalse();

        String frr = p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly());
        assertThat(frr).contains(" neighbor swp1 interface remote-as ").contains(" neighbor swp2 interface remote-as ")
                .contains("  neighbor swp1 activate\n").doesNotContain("update-source");
        assertThat(io.gannet.topology.render.NodeConfigWriter.yaml(ResolutionTest.node(p, "n1"))).contains("interface: eth1");

        String bird = p.renderSwitch("leaf1", SwitchFormat.BIRD, SecretResolver.referencesOnly());
        assertThat(bird).contains("protocol radv gannet_radv {").contains("  interface \"swp1\" { max ra interval 10; default lifetime 0; };")
                .contains("  interface \"swp2\";\n").contains("  neighbor range fe80::/10 as 4200000001;")
                .contains("    extended next hop on;");
        assertThatThrownBy(() -> p.renderSwitch("leaf1", SwitchFormat.GANNET, SecretResolver.referencesOnly()))
                .isInstanceOf(ProfileException.class).hasMessageContaining("leaf1 is unnumbered");
    }

    @Test
    void aHostWithoutTheSwitchsPortCannotHaveTheSwitchRendered() {
        LoadedProfile p = ResolutionTest.parse(TEXT.replace(", switchPorts: {leaf1: swp2}", ""));
        assertThatThrownBy(() -> p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly()))
                .isInstanceOf(ProfileException.class).hasMessageContaining("host n2 needs switchPorts.leaf1");
    }

    @Test
    void mistakesAreReportedWhereTheyAreWritten() throws Exception {
        LoadedProfile both = TopologyProfiles.parse("t.yaml", TEXT.replace("interface: eth1,", "interface: eth1, addresses: [10.0.0.9],"));
        assertThat(both.problems()).filteredOn(Problem::isError).extracting(Problem::toString)
                .anyMatch(m -> m.startsWith("t.yaml:12:") && m.contains("has addresses and an interface"));
        LoadedProfile badName = TopologyProfiles.parse("t.yaml", TEXT.replace("interface: eth1", "interface: \"eth 1/x\""));
        assertThat(badName.problems()).filteredOn(Problem::isError).extracting(Problem::message)
                .anyMatch(m -> m.contains("is not an interface name"));
        LoadedProfile unknown = TopologyProfiles.parse("t.yaml", TEXT.replace("switchPorts: {leaf1: swp1}", "switchPorts: {leaf9: swp1}"));
        assertThat(unknown.problems()).filteredOn(Problem::isError).extracting(Problem::message)
                .anyMatch(m -> m.contains("switchPorts for 'leaf9'"));
        LoadedProfile notAMap = TopologyProfiles.parse("t.yaml", TEXT.replace("switchPorts: {leaf1: swp1}", "switchPorts: [swp1]"));
        assertThat(notAMap.problems()).filteredOn(Problem::isError).extracting(Problem::toString)
                .anyMatch(m -> m.startsWith("t.yaml:15:") && m.contains("switchPorts must be a mapping"));
        LoadedProfile numbered = TopologyProfiles.parse("t.yaml", TEXT.replace("switchPorts: {leaf1: swp1}", "switchPorts: {leaf2: swp1}"));
        assertThat(numbered.problems()).filteredOn(Problem::isError).extracting(Problem::message)
                .anyMatch(m -> m.contains("switchPorts are for unnumbered switches"));
        LoadedProfile noRouterId = TopologyProfiles.parse("t.yaml", TEXT.replace("interface: eth1, routerId: 10.0.0.1,", "interface: eth1,"));
        assertThat(noRouterId.problems()).filteredOn(Problem::isError).extracting(Problem::message)
                .anyMatch(m -> m.contains("switch leaf1 is unnumbered (no address): set routerId"));
        // BFD on an unnumbered session is single-hop, whatever the iBGP/eBGP default would be.
        LoadedProfile bfd = ResolutionTest.parse(TEXT.replace("bfd: {enabled: false}", "bfd: {enabled: true, multihop: true}"));
        NeighborConfig n = ResolutionTest.node(bfd, "n1").neighbor("leaf1").orElseThrow();
        assertThat(n.bfd().enabled()).isTrue();
        assertThat(n.bfd().multihop()).isFalse();
    }
}
