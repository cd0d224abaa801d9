package io.gannet.topology.model;

import io.gannet.topology.config.FabricModel;
import io.gannet.topology.config.Role;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.yaml.Location;
import java.util.List;
import java.util.Map;

/**
 * A bound profile: typed, but not yet cross-checked or resolved. Null fields were missing
 * or invalid and have been reported by the binder.
 */
public record TopologyProfile(String file, String name, FabricModel model, Location modelAt, AsnPlan asn,
        List<PodCidrPool> podPools, List<Located<Cidr>> vipPool, BgpSettings bgp, BfdSettings bfd,
        CommunitySettings communities, Map<Role, PolicySpec> policies, List<Rack> racks, List<SwitchSpec> switches,
        List<HostSpec> hosts, Map<String, HostOverride> overrides, Location at, List<FixedIpPool> fixedIpPools,
        MasqueradeSettings masquerade, Integer maglevTableSize) {
    /** Maglev table size without {@code spec.maglev.tableSize}: the Maglev paper's prime. */
    public static final int MAGLEV_DEFAULT = 65537;
    /** Bounds of {@code spec.maglev.tableSize} (the datapath's, bpf's MaglevValue: a table is one map value under 4 MiB). */
    public static final int MAGLEV_MIN = 251;
    public static final int MAGLEV_MAX = 1_048_391;

    public TopologyProfile {
        podPools = List.copyOf(podPools);
        vipPool = List.copyOf(vipPool);
        policies = Map.copyOf(policies);
        racks = List.copyOf(racks);
        switches = List.copyOf(switches);
        hosts = List.copyOf(hosts);
        overrides = Map.copyOf(overrides);
        fixedIpPools = List.copyOf(fixedIpPools);
        masquerade = masquerade == null ? MasqueradeSettings.OFF : masquerade;
        maglevTableSize = maglevTableSize == null ? MAGLEV_DEFAULT : maglevTableSize;
    }

    /** The main PodCIDR pool: the IPv4 one when there is one, else the IPv6 one; null when the profile has none. */
    public PodCidrPool podPool() {
        PodCidrPool v4 = podPool(true);
        PodCidrPool v6 = podPool(false);
        return v4 != null ? v4 : v6 != null ? v6 : podPools.isEmpty() ? null : podPools.get(0);
    }

    /** The PodCIDR pool of one family (a dual-stack cluster has one of each), or null. */
    public PodCidrPool podPool(boolean ipv4) {
        return podPools.stream().filter(p -> p.cidr() != null && p.cidr().isIpv4() == ipv4).findFirst().orElse(null);
    }
}
