package io.gannet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.topology.net.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spec.masquerade}: off unless written, and the destinations it never translates for. */
class MasqueradeProfileTest {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: m}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
            %s
              inventory:
                racks: [{name: r1}]
                switches:
                  - {name: leaf1, rack: r1, addresses: [10.0.1.1], asn: 4200100001}
                  - {name: leaf2, rack: r1, addresses: [10.0.1.2], asn: 4200100002}
                hosts:
                  - {name: n1, address: 10.0.1.11, rack: r1}
                  - {name: n2, address: 10.0.1.12, rack: r1, podCIDR: 10.244.7.0/24}
            """;

    @Test
    void offUnlessTheProfileTurnsItOn(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, PROFILE.formatted(""));
        LoadedProfile p = TopologyProfiles.load(f);
        assertThat(p.problems()).isEmpty();
        assertThat(p.masquerade().enabled()).isFalse();
    }

    @Test
    void onWithThePoolTheNodeCidrsAndTheListExcluded(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, PROFILE.formatted("  masquerade: {enabled: true, nonMasqueradeCIDRs: [192.168.0.0/16, 10.0.1.11]}"));
        LoadedProfile p = TopologyProfiles.load(f);
        assertThat(p.problems()).as(p.problems().toString()).isEmpty();
        assertThat(p.masquerade().enabled()).isTrue();
        assertThat(p.masqueradeExclusions()).extracting(Cidr::toString)
                .containsExactly("10.244.0.0/16", "10.0.1.11/32", "10.244.7.0/24", "10.0.1.12/32", "192.168.0.0/16");
    }
    /** IPv6 entries of nonMasqueradeCIDRs (refused before: "masquerade is IPv4 only") go to the IPv6 exclusions. */
    @Test
    void aDualStackProfileExcludesItsIpv6PoolNodesAndCidrsFromIpv6Masquerade(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: m6}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  podCIDRPool:
                    - {cidr: 10.244.0.0/16, prefixLength: 24}
                    - {cidr: "fd00:10:244::/56", prefixLength: 64}
                  masquerade: {enabled: true, nonMasqueradeCIDRs: [192.168.0.0/16, "2001:db8:50::/48"]}
                  inventory:
                    switches:
                      - {name: leaf1, addresses: [10.0.1.1, "fd00:1::1"], asn: 4200100001}
                      - {name: leaf2, addresses: [10.0.1.2, "fd00:1::2"], asn: 4200100002}
                    hosts:
                      - {name: n1, address: [10.0.1.11, "fd00:1::11"], podCIDR: [10.244.7.0/24, "fd00:10:244:7::/64"]}
                """);
        LoadedProfile p = TopologyProfiles.load(f);
        assertThat(p.problems()).as(p.problems().toString()).isEmpty();
        assertThat(p.masqueradeExclusions()).extracting(Cidr::toString)
                .containsExactly("10.244.0.0/16", "10.244.7.0/24", "10.0.1.11/32", "192.168.0.0/16");
        assertThat(p.masqueradeExclusions6()).extracting(Cidr::toString)
                .containsExactly("fd00:10:244::/56", "fd00:10:244:7::/64", "fd00:1::11/128", "2001:db8:50::/48");
    }
}
