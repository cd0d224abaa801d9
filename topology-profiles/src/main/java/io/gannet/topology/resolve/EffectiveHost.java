package io.gannet.topology.resolve;

import io.gannet.topology.model.BfdSettings;
import io.gannet.topology.model.BgpSettings;
import io.gannet.topology.model.CommunitySettings;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.PolicySpec;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.net.Cidr;
import java.net.Inet4Address;
import java.util.List;

/**
 * One host after resolution: its AS, its PodCIDR (explicit or allocated), the switches it
 * peers with, and its settings with profile defaults and its override merged in.
 */
public record EffectiveHost(HostSpec spec, long asn, Inet4Address routerId, List<Cidr> podCidrs, List<SwitchSpec> uplinks,
        BgpSettings bgp, BfdSettings bfd, CommunitySettings communities, PolicySpec policy) {
    public EffectiveHost {
        uplinks = List.copyOf(uplinks);
        podCidrs = List.copyOf(podCidrs);
    }

    /** The PodCIDR of one family, or null. */
    public Cidr podCidr(boolean ipv4) {
        return podCidrs.stream().filter(c -> c.isIpv4() == ipv4).findFirst().orElse(null);
    }

    public String name() {
        return spec.name();
    }
}
