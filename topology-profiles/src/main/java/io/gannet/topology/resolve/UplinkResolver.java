package io.gannet.topology.resolve;

import io.gannet.topology.config.Role;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.Located;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.validate.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which switches each host peers with. A host's {@code uplinks} list wins; without
 * one, a host peers with every switch of its rack plus every switch that has no rack (the
 * core switches of an ibgp-core fabric, or spines a profile wants every host to reach).
 */
final class UplinkResolver {
    private final TopologyProfile p;
    private final Problems problems;

    UplinkResolver(TopologyProfile p, Problems problems) {
        this.p = p;
        this.problems = problems;
    }

    Map<String, List<SwitchSpec>> resolve() {
        Map<String, SwitchSpec> byName = new LinkedHashMap<>();
        p.switches().forEach(s -> { if (s.name() != null) byName.putIfAbsent(s.name(), s); });
        Map<String, List<SwitchSpec>> out = new LinkedHashMap<>();
        for (HostSpec h : p.hosts()) {
            if (h.name() == null || h.address() == null) {
                continue;
            }
            List<SwitchSpec> up = new ArrayList<>();
            if (h.uplinks() != null) {
                for (Located<String> u : h.uplinks()) {
                    SwitchSpec s = byName.get(u.value());
                    if (s != null && !up.contains(s)) {
                        up.add(s);
                    }
                }
            } else {
                for (SwitchSpec s : byName.values()) {
                    if (s.rack() == null || s.rack().equals(h.rack())) {
                        up.add(s);
                    }
                }
            }
            List<SwitchSpec> reachable = new ArrayList<>();
            for (SwitchSpec s : up) {
                boolean sameFamily = s.addresses().stream().anyMatch(a -> h.address(a.value() instanceof java.net.Inet4Address) != null);
                if (sameFamily || s.unnumbered()) { // unnumbered: link-local IPv6, whatever the host's address
                    reachable.add(s);
                } else if (!s.addresses().isEmpty()) {
                    problems.error(h.source().locationOf("address"), "host " + h.name() + " cannot peer with switch " + s.name()
                            + ": the switch has no address of the host's address family");
                }
            }
            // A PodCIDR goes out with the host's own address of its family as next hop (RFC 4760):
            // an IPv6 PodCIDR needs an IPv6 session, numbered (the host has an IPv6 address) or unnumbered.
            boolean ipv6Session = reachable.stream().anyMatch(s -> s.unnumbered()
                    || (h.address(false) != null && s.addresses().stream().anyMatch(a -> !(a.value() instanceof java.net.Inet4Address))));
            boolean ipv6Pods = h.role() == Role.NODE && (h.podCidr(false) != null || p.podPool(false) != null);
            if (ipv6Pods && !ipv6Session && !reachable.isEmpty()) {
                problems.error(h.source().locationOf("address"), "node " + h.name() + " gets an IPv6 PodCIDR but has no IPv6 session to announce it on:"
                        + " give the host an IPv6 address (address: [IPv4, IPv6]) and its switches one, or peer unnumbered");
            }
            String what = h.role() == Role.NODE ? "node " : h.role() == Role.L4LB ? "l4lb host "
                    : h.role() == Role.ROUTER ? "router " : "host ";
            boolean alreadyReported = h.uplinks() != null ? h.uplinks().stream().anyMatch(u -> !byName.containsKey(u.value()))
                    : h.rack() != null && p.racks().stream().noneMatch(r -> r.name().equals(h.rack()));
            if (alreadyReported) {
                // An unknown rack or uplink name was reported; "no switch" would only repeat it.
                out.put(h.name(), reachable);
                continue;
            }
            if (reachable.isEmpty()) {
                problems.error(h.source().locationOf("name"), what + h.name() + " has no switch to peer with"
                        + (h.uplinks() != null ? "" : h.rack() == null
                                ? " (it has no rack and no switch is rack-less)"
                                : " (rack " + h.rack() + " has no switch and no switch is rack-less)"));
            } else if (reachable.size() == 1) {
                problems.warning(h.source().locationOf("name"), what + h.name() + " has a single uplink (" + reachable.get(0).name()
                        + "): losing that switch isolates it");
            }
            out.put(h.name(), reachable);
        }
        return out;
    }
}
