package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.topology.config.BgpFamily;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import io.gannet.topology.validate.Problem;
import org.junit.jupiter.api.Test;

/** Dual-stack hosts: an address and a PodCIDR of each family, a session per family with each switch. */
class DualStackProfileTest {
    private static final String TEXT = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: dual}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool:
                - {cidr: 10.244.0.0/16, prefixLength: 24}
                - {cidr: "fd00:10:244::/56", prefixLength: 64}
              bfd: {enabled: false}
              inventory:
                racks: [{name: r1}]
                switches:
                  - {name: leaf1, rack: r1, addresses: [10.0.0.1, "fd00:0:1::1"], asn: 4200100001}
                  - {name: leaf2, rack: r1, addresses: [10.0.0.2], asn: 4200100002}
                hosts:
                  - {name: n1, address: [10.0.1.2, "fd00:0:1::2"], rack: r1}
                  - {name: n2, address: [10.0.1.3, "fd00:0:1::3"], rack: r1, podCIDR: [10.244.9.0/24, "fd00:10:244:9::/64"]}
            """;

    @Test
    void eachFamilyHasItsSessionItsPodCidrAndItsSwitchRendering() throws Exception {
        assertThat(SchemaTest.SCHEMA.validate(new YAMLMapper().readTree(TEXT))).isEmpty();
        LoadedProfile p = ResolutionTest.parse(TEXT);
        NodeConfig n1 = ResolutionTest.node(p, "n1");
        assertThat(n1.podCidrs()).containsExactly(Cidr.of("10.244.0.0/24"), Cidr.of("fd00:10:244::/64"));
        assertThat(ResolutionTest.node(p, "n2").podCidrs()).containsExactly(Cidr.of("10.244.9.0/24"), Cidr.of("fd00:10:244:9::/64"));
        assertThat(n1.addresses()).extracting(a -> a.getHostAddress()).containsExactly("10.0.1.2", "fd00:0:1:0:0:0:0:2");

        NeighborConfig v4 = n1.neighbor("leaf1").orElseThrow();
        NeighborConfig v6 = n1.neighbor("leaf1-ipv6").orElseThrow();
        assertThat(v4.address().getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(v4.localAddress().getHostAddress()).isEqualTo("10.0.1.2");
        assertThat(v4.families()).containsExactly(BgpFamily.IPV4_UNICAST);
        assertThat(v6.address().getHostAddress()).isEqualTo("fd00:0:1:0:0:0:0:1");
        assertThat(v6.localAddress().getHostAddress()).isEqualTo("fd00:0:1:0:0:0:0:2");
        assertThat(v6.families()).containsExactly(BgpFamily.IPV6_UNICAST);
        // An IPv4-only switch gets the IPv4 session only.
        assertThat(n1.neighbors()).extracting(NeighborConfig::name).containsExactly("leaf1", "leaf1-ipv6", "leaf2");
        assertThat(n1.exportPolicy().toString()).contains("10.244.0.0/24").contains("fd00:10:244::/64");

        String frr = p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly());
        assertThat(frr).contains(" neighbor 10.0.1.2 remote-as ").contains(" neighbor fd00:0:1::2 remote-as ")
                .contains("ipv6 prefix-list GANNET-PODCIDR-V6 seq 5 permit fd00:10:244::/56 ge 64 le 64")
                .contains("route-map GANNET-NODES-IN-V6 permit 10\n match ipv6 address prefix-list GANNET-PODCIDR-V6");
        String ipv6Family = frr.substring(frr.indexOf("address-family ipv6 unicast"));
        assertThat(ipv6Family).contains("neighbor fd00:0:1::2 activate").doesNotContain("neighbor 10.0.1.2 activate");

        // As a Gannet router: it speaks from both its addresses and holds both sessions with each host.
        LoadedProfile router = ResolutionTest.parse(p.renderSwitch("leaf1", SwitchFormat.GANNET, SecretResolver.referencesOnly()));
        NodeConfig leaf = ResolutionTest.node(router, "leaf1");
        assertThat(leaf.addresses()).extracting(a -> a.getHostAddress()).containsExactly("10.0.0.1", "fd00:0:1:0:0:0:0:1");
        NeighborConfig back6 = leaf.neighbor("n1-ipv6").orElseThrow();
        assertThat(back6.address()).isEqualTo(v6.localAddress());
        assertThat(back6.families()).containsExactly(BgpFamily.IPV6_UNICAST);
        assertThat(leaf.neighbor("n1").orElseThrow().families()).containsExactly(BgpFamily.IPV4_UNICAST);

        String bird = p.renderSwitch("leaf1", SwitchFormat.BIRD, SecretResolver.referencesOnly());
        assertThat(bird).contains("protocol bgp host_n1 {").contains("protocol bgp host_n1_ipv6 {")
                .contains("if net.type = NET_IP6 && net ~ [ fd00:10:244::/56{64,64} ] then accept;");
    }

    @Test
    void mistakesAreReportedWhereTheyAreWritten() {
        assertThat(errors(TEXT.replace("[10.0.1.2, \"fd00:0:1::2\"]", "[10.0.1.2, 10.0.1.9]")))
                .anyMatch(m -> m.startsWith("t.yaml:17:") && m.contains("host n1 has two IPv4 addresses"));
        assertThat(errors(TEXT.replace("[10.244.9.0/24, \"fd00:10:244:9::/64\"]", "[10.244.9.0/24, 10.244.8.0/24]")))
                .anyMatch(m -> m.contains("host n2 has two IPv4 PodCIDRs"));
        assertThat(errors(TEXT.replace("prefixLength: 64}", "prefixLength: 50}")))
                .anyMatch(m -> m.startsWith("t.yaml:9:") && m.contains("IPv6 pool must be 64..120, got 50"));
        assertThat(errors(TEXT.replace("\"fd00:10:244::/56\", prefixLength: 64", "10.245.0.0/16, prefixLength: 24")))
                .anyMatch(m -> m.contains("podCIDRPool has two IPv4 pools"));
        // An IPv6 PodCIDR needs an IPv6 session to leave the node.
        assertThat(errors(TEXT.replace("[10.0.1.2, \"fd00:0:1::2\"]", "10.0.1.2")))
                .anyMatch(m -> m.contains("node n1 gets an IPv6 PodCIDR but has no IPv6 session"));
        assertThat(errors(TEXT.replace("\"fd00:10:244:9::/64\"", "\"fd00:10:245:9::/64\"")))
                .anyMatch(m -> m.contains("lies outside the pool fd00:10:244::/56"));
    }

    /** A fixed-IP pool of each family: each family's pods take their fixed IP from it, and the switches accept its host routes. */
    private static final String FIXED = TEXT.replace("    - {cidr: \"fd00:10:244::/56\", prefixLength: 64}\n",
            "    - {cidr: \"fd00:10:244::/56\", prefixLength: 64}\n  fixedIPPools:\n    - {name: db, cidr: 10.250.0.0/24}\n"
                    + "    - {name: db6, cidr: \"fd00:250::/112\"}\n");

    @Test
    void aFixedIpPoolOfEachFamilyIsAcceptedAndTheSwitchesTakeItsHostRoutes() throws Exception {
        assertThat(FIXED).contains("fixedIPPools");
        assertThat(SchemaTest.SCHEMA.validate(new YAMLMapper().readTree(FIXED))).isEmpty();
        LoadedProfile p = ResolutionTest.parse(FIXED);
        assertThat(p.problems()).extracting(Problem::toString).noneMatch(m -> m.contains("fixed"));
        assertThat(p.fixedIpPools()).extracting(f -> f.name() + " " + f.cidr()).containsExactly("db 10.250.0.0/24", "db6 fd00:250::/112");
        // The node may export any /128 of the IPv6 pool (the one its StatefulSet pod holds), as any /32 of the IPv4 one.
        assertThat(ResolutionTest.node(p, "n1").exportPolicy().statements()).filteredOn(s -> s.name().equals("own-runtime-prefixes"))
                .singleElement().satisfies(s -> assertThat(s.toString()).contains("fd00:250::/112").contains("128").contains("10.250.0.0/24"));
        assertThat(p.renderSwitch("leaf1", SwitchFormat.FRR, SecretResolver.referencesOnly()))
                .contains("ip prefix-list GANNET-PODCIDR seq 10 permit 10.250.0.0/24 ge 32\n")
                .contains("ipv6 prefix-list GANNET-PODCIDR-V6 seq 10 permit fd00:250::/112 ge 128\n")
                .doesNotContain("ip prefix-list GANNET-PODCIDR seq 15");
        String bird = p.renderSwitch("leaf1", SwitchFormat.BIRD, SecretResolver.referencesOnly());
        assertThat(bird).contains("if net.type = NET_IP4 && net ~ [ 10.250.0.0/24{32,32} ] then accept;")
                .contains("if net.type = NET_IP6 && net ~ [ fd00:250::/112{128,128} ] then accept;");
        // BIRD's own parser takes it.
        io.gannet.testsupport.Requirements.requireCommand("bird");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("gannet-fixed6-", ".conf");
        try {
            java.nio.file.Files.writeString(file, bird);
            Process check = new ProcessBuilder(io.gannet.testsupport.Requirements.findCommand("bird").toString(), "-p", "-c", file.toString())
                    .redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes());
            assertThat(check.waitFor()).as("bird -p said: %s%n%s", out, bird).isZero();
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void ipv6FixedIpPoolMistakesAreReportedWhereTheyAreWritten() {
        // No IPv6 PodCIDR pool: no pod has an IPv6 address to take a fixed one as.
        String ipv4Only = FIXED.replace("    - {cidr: \"fd00:10:244::/56\", prefixLength: 64}\n", "")
                .replace(", \"fd00:10:244:9::/64\"", "");
        assertThat(errors(ipv4Only)).anyMatch(m -> m.startsWith("t.yaml:11:7:")
                && m.contains("fixed-IP pool db6 (fd00:250::/112) is IPv6 but spec.podCIDRPool has no IPv6 pool"));
        assertThat(errors(FIXED.replace("fd00:250::/112", "fd00:10:244:ff::/112")))
                .anyMatch(m -> m.startsWith("t.yaml:12:7:") && m.contains("fixed-IP pool db6 (fd00:10:244:ff::/112) overlaps the PodCIDR pool fd00:10:244::/56"));
        assertThat(errors(FIXED.replace("fd00:250::/112", "fd00:250::/64")))
                .anyMatch(m -> m.startsWith("t.yaml:12:") && m.contains("fixed-IP pool fd00:250::/64 is larger than 65,536 addresses"));
        assertThat(errors(FIXED.replace("10.250.0.0/24", "fd00:250::/120")))
                .anyMatch(m -> m.startsWith("t.yaml:12:7:") && m.contains("overlaps fixed-IP pool db"));
        // A second pool of a family gives no address: said, where it is written.
        LoadedProfile two = TopologyProfiles.parse("t.yaml", FIXED.replace("10.250.0.0/24", "fd00:251::/112"));
        assertThat(two.problems()).extracting(Problem::toString).filteredOn(m -> m.contains("fixed")).containsExactly(
                "t.yaml:12:7: warning: fixed-IP pool db6 is never used: StatefulSet pods take their IPv6 fixed IP from the first IPv6 pool, db");
    }

    private static java.util.List<String> errors(String text) {
        LoadedProfile p = TopologyProfiles.parse("t.yaml", text);
        return p.problems().stream().filter(Problem::isError).map(Problem::toString).toList();
    }
}
