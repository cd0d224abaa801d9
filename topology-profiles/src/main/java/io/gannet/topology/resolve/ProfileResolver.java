package io.gannet.topology.resolve;

import io.gannet.topology.config.Role;
import io.gannet.topology.model.HostOverride;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.PolicySpec;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.validate.ProfileValidator;
import io.gannet.topology.validate.Problems;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates a bound profile and resolves every host: AS, PodCIDR, uplinks and merged
 * settings. Returns a {@link ResolvedProfile} only when no error was found.
 */
public final class ProfileResolver {
    private ProfileResolver() {}

    public static Optional<ResolvedProfile> resolve(TopologyProfile p, Problems problems) {
        ProfileValidator.validate(p, problems);
        AsnAssigner asns = new AsnAssigner(p, problems);
        Map<String, Long> hostAsn = asns.assignHosts();
        Map<String, Long> switchAsn = asns.assignSwitches(hostAsn);
        Map<String, List<Cidr>> podCidrs = new PodCidrAllocator(p, problems).allocate();
        Map<String, List<SwitchSpec>> uplinks = new UplinkResolver(p, problems).resolve();
        if (problems.hasErrors()) {
            return Optional.empty();
        }
        List<EffectiveHost> hosts = new ArrayList<>();
        for (HostSpec h : p.hosts()) {
            HostOverride o = p.overrides().get(h.name());
            Inet4Address routerId = h.routerId() != null ? h.routerId() : (Inet4Address) h.address();
            PolicySpec policy = p.policies().getOrDefault(h.role(), PolicySpec.EMPTY).overlay(o == null ? null : o.policies());
            hosts.add(new EffectiveHost(h, hostAsn.get(h.name()), routerId, h.role() == Role.NODE ? podCidrs.getOrDefault(h.name(), List.of()) : List.of(),
                    uplinks.get(h.name()),
                    Defaults.BGP.overlay(p.bgp()).overlay(o == null ? null : o.bgp()),
                    Defaults.BFD.overlay(p.bfd()).overlay(o == null ? null : o.bfd()),
                    p.communities().overlay(o == null ? null : o.communities()),
                    policy));
        }
        return Optional.of(new ResolvedProfile(p, hosts, switchAsn));
    }
}
