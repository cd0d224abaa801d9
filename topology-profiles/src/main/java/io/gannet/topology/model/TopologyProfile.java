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
        PodCidrPool podPool, List<Located<Cidr>> vipPool, BgpSettings bgp, BfdSettings bfd,
        CommunitySettings communities, Map<Role, PolicySpec> policies, List<Rack> racks, List<SwitchSpec> switches,
        List<HostSpec> hosts, Map<String, HostOverride> overrides, Location at, List<FixedIpPool> fixedIpPools,
        MasqueradeSettings masquerade) {
    public TopologyProfile {
        vipPool = List.copyOf(vipPool);
        policies = Map.copyOf(policies);
        racks = List.copyOf(racks);
        switches = List.copyOf(switches);
        hosts = List.copyOf(hosts);
        overrides = Map.copyOf(overrides);
        fixedIpPools = List.copyOf(fixedIpPools);
        masquerade = masquerade == null ? MasqueradeSettings.OFF : masquerade;
    }
}
