package io.gannet.topology.validate;

import io.gannet.topology.config.Role;
import io.gannet.topology.model.BfdSettings;
import io.gannet.topology.model.BgpSettings;
import io.gannet.topology.model.HostOverride;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.Located;
import io.gannet.topology.model.Rack;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.IpAddresses;
import io.gannet.topology.resolve.Defaults;
import io.gannet.topology.yaml.Location;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cross-entity rules of a bound profile that do not need ASNs or PodCIDRs assigned:
 * unique names and addresses, references that resolve, pools that do not overlap, prefixes
 * inside their pools, role rules, and risky timer and BFD settings. ASN and PodCIDR rules
 * live with their assignment ({@code io.gannet.topology.resolve}).
 */
public final class ProfileValidator {
    private final TopologyProfile p;
    private final Problems problems;
    /** Addresses already reported as duplicates: router ids derived from them are not reported again. */
    private final Set<InetAddress> duplicateAddresses = new HashSet<>();

    private ProfileValidator(TopologyProfile p, Problems problems) {
        this.p = p;
        this.problems = problems;
    }

    public static void validate(TopologyProfile profile, Problems problems) {
        new ProfileValidator(profile, problems).run();
    }

    private void run() {
        Set<String> racks = uniqueRacks();
        Set<String> switchNames = checkSwitches(racks);
        Set<String> hostNames = checkHosts(racks);
        checkAddressesUnique();
        checkRouterIds();
        checkPools();
        checkPrefixes();
        checkFixedIpPools();
        checkMasquerade();
        checkOverrides(hostNames);
        checkUplinkNames(switchNames);
        checkUnnumbered();
        checkSettings(p.bgp(), p.bgp(), p.bfd(), p.at(), "spec");
        for (HostOverride o : p.overrides().values()) {
            checkSettings(p.bgp().overlay(o.bgp()), o.bgp(), o.bfd(), o.at(), "host " + o.host());
        }
    }

    private Set<String> uniqueRacks() {
        Map<String, Location> seen = new HashMap<>();
        for (Rack r : p.racks()) {
            Location first = seen.putIfAbsent(r.name(), r.at());
            if (first != null) {
                problems.error(r.at(), "duplicate rack name '" + r.name() + "' (first at line " + first.line() + ")");
            }
        }
        return seen.keySet();
    }

    private Set<String> checkSwitches(Set<String> racks) {
        Map<String, Location> seen = new HashMap<>();
        for (SwitchSpec s : p.switches()) {
            if (s.name() == null) {
                continue;
            }
            Location first = seen.putIfAbsent(s.name(), s.source().locationOf("name"));
            if (first != null) {
                problems.error(s.source().locationOf("name"), "duplicate switch name '" + s.name() + "' (first at line " + first.line() + ")");
            }
            if (s.rack() != null && !racks.contains(s.rack())) {
                problems.error(s.source().locationOf("rack"), "switch " + s.name() + " is in rack '" + s.rack() + "', which spec.inventory.racks does not list");
            }
        }
        return seen.keySet();
    }

    private Set<String> checkHosts(Set<String> racks) {
        Map<String, Location> seen = new HashMap<>();
        for (HostSpec h : p.hosts()) {
            if (h.name() == null) {
                continue;
            }
            Location first = seen.putIfAbsent(h.name(), h.source().locationOf("name"));
            if (first != null) {
                problems.error(h.source().locationOf("name"), "duplicate host name '" + h.name() + "' (first at line " + first.line() + ")");
            }
            if (h.rack() != null && !racks.contains(h.rack())) {
                problems.error(h.source().locationOf("rack"), "host " + h.name() + " is in rack '" + h.rack() + "', which spec.inventory.racks does not list");
            }
            if (h.role() == Role.ROUTER && h.hasPodCidr()) {
                problems.error(h.podCidrs().get(0).at(), "host " + h.name() + " has role router and cannot have a PodCIDR (only nodes announce one)");
            }
            if (h.role() == Role.ROUTER && !h.vips().isEmpty()) {
                problems.error(h.vips().get(0).at(), "host " + h.name() + " has role router and announces no VIPs (give it role l4lb)");
            }
            if (h.role() == Role.L4LB && h.hasPodCidr()) {
                problems.error(h.podCidrs().get(0).at(), "host " + h.name() + " has role l4lb and cannot have a PodCIDR (only nodes announce one)");
            }
            if (h.role() == Role.NODE && !h.vips().isEmpty()) {
                problems.error(h.vips().get(0).at(), "host " + h.name() + " has role node and cannot announce VIPs (give it role l4lb)");
            }
        }
        return seen.keySet();
    }

    /** Every BGP endpoint address appears once: two sessions to one address cannot be told apart. */
    private void checkAddressesUnique() {
        Map<InetAddress, String> seen = new HashMap<>();
        for (SwitchSpec s : p.switches()) {
            for (Located<InetAddress> a : s.addresses()) {
                claim(seen, a.value(), a.at(), "switch " + s.name());
            }
        }
        for (HostSpec h : p.hosts()) {
            for (Located<InetAddress> a : h.addresses()) {
                claim(seen, a.value(), a.at(), "host " + h.name());
            }
        }
    }

    private void claim(Map<InetAddress, String> seen, InetAddress a, Location at, String owner) {
        String prev = seen.putIfAbsent(a, owner);
        if (prev != null) {
            duplicateAddresses.add(a);
            problems.error(at, "duplicate address " + IpAddresses.format(a) + ": " + owner + " and " + prev + " both use it");
        }
        for (io.gannet.topology.model.PodCidrPool pool : p.podPools()) {
            if (pool.cidr() != null && pool.cidr().contains(a)) {
                problems.error(at, owner + " address " + IpAddresses.format(a) + " lies inside the PodCIDR pool " + pool.cidr());
            }
        }
        for (Located<Cidr> v : p.vipPool()) {
            if (v.value().contains(a)) {
                problems.error(at, owner + " address " + IpAddresses.format(a) + " lies inside the VIP pool " + v.value());
            }
        }
    }

    /** RFC 6286: the BGP identifier must be unique within an AS; we demand it fabric-wide. */
    private void checkRouterIds() {
        Map<Inet4Address, String> seen = new HashMap<>();
        for (HostSpec h : p.hosts()) {
            Inet4Address id = h.routerId() != null ? h.routerId() : h.address() instanceof Inet4Address v4 ? v4 : null;
            if (id == null) {
                if (h.address() != null) {
                    problems.error(h.source().locationOf("address"), "host " + h.name() + " has no IPv4 address: set routerId (RFC 6286 needs a 32-bit BGP identifier)");
                }
                continue;
            }
            if (h.routerId() == null && duplicateAddresses.contains(id)) {
                continue;
            }
            String prev = seen.putIfAbsent(id, "host " + h.name());
            if (prev != null) {
                problems.error(h.source().locationOf(h.routerId() != null ? "routerId" : "address"),
                        "router id " + id.getHostAddress() + " of host " + h.name() + " is already used by " + prev);
            }
        }
        for (SwitchSpec s : p.switches()) {
            Inet4Address id = s.routerId() != null ? s.routerId() : s.addresses().stream().map(Located::value)
                    .filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).findFirst().orElse(null);
            if (id == null) {
                if (!s.addresses().isEmpty()) {
                    problems.error(s.source().locationOf("addresses"), "switch " + s.name() + " has no IPv4 address: set routerId");
                } else if (s.unnumbered()) {
                    problems.error(s.source().locationOf("interface"), "switch " + s.name()
                            + " is unnumbered (no address): set routerId (RFC 6286 needs a 32-bit BGP identifier)");
                }
                continue;
            }
            if (s.routerId() == null && duplicateAddresses.contains(id)) {
                continue;
            }
            String prev = seen.putIfAbsent(id, "switch " + s.name());
            if (prev != null) {
                problems.error(s.source().locationOf(s.routerId() != null ? "routerId" : "addresses"),
                        "router id " + id.getHostAddress() + " of switch " + s.name() + " is already used by " + prev);
            }
        }
    }

    private void checkPools() {
        List<Located<Cidr>> vips = p.vipPool();
        for (int i = 0; i < vips.size(); i++) {
            Cidr v = vips.get(i).value();
            for (io.gannet.topology.model.PodCidrPool pool : p.podPools()) {
                if (pool.cidr() != null && pool.cidr().overlaps(v)) {
                    problems.error(vips.get(i).at(), "VIP pool " + v + " overlaps the PodCIDR pool " + pool.cidr());
                }
            }
            for (int j = 0; j < i; j++) {
                if (vips.get(j).value().overlaps(v)) {
                    problems.error(vips.get(i).at(), "VIP pool " + v + " overlaps VIP pool " + vips.get(j).value() + " (line " + vips.get(j).at().line() + ")");
                }
            }
        }
    }

    /**
     * A nonMasqueradeCIDRs entry of a family no host has pods of (no pool and no pinned PodCIDR of
     * that family) excludes nothing: the daemon logs it per node; say it here, where it is written.
     */
    private void checkMasquerade() {
        if (!p.masquerade().enabled()) {
            return;
        }
        for (Located<Cidr> c : p.masquerade().nonMasqueradeCidrs()) {
            boolean ipv4 = c.value().isIpv4();
            boolean pods = p.podPool(ipv4) != null || p.hosts().stream().anyMatch(h -> h.podCidr(ipv4) != null);
            if (!pods) {
                String family = ipv4 ? "IPv4" : "IPv6";
                problems.warning(c.at(), "nonMasqueradeCIDRs entry " + c.value() + " has no effect: no host has an " + family
                        + " PodCIDR (spec.podCIDRPool has no " + family + " pool and no host pins one), so no " + family
                        + " pod traffic is masqueraded");
            }
        }
    }

    private void checkFixedIpPools() {
        List<io.gannet.topology.model.FixedIpPool> pools = p.fixedIpPools();
        for (int i = 0; i < pools.size(); i++) {
            io.gannet.topology.model.FixedIpPool f = pools.get(i);
            String family = f.cidr().isIpv4() ? "IPv4" : "IPv6";
            if (!p.podPools().isEmpty() && p.podPool(f.cidr().isIpv4()) == null) {
                // A fixed IP is a pod's address of its family beside the node's block of that family (its gateway).
                problems.error(f.at(), "fixed-IP pool " + f.name() + " (" + f.cidr() + ") is " + family + " but spec.podCIDRPool has no "
                        + family + " pool: no pod gets an " + family + " address, so none can get a fixed one");
            }
            for (int j = 0; j < i; j++) {
                if (pools.get(j).cidr().isIpv4() == f.cidr().isIpv4()) {
                    problems.warning(f.at(), "fixed-IP pool " + f.name() + " is never used: StatefulSet pods take their " + family
                            + " fixed IP from the first " + family + " pool, " + pools.get(j).name());
                    break;
                }
            }
            for (io.gannet.topology.model.PodCidrPool pool : p.podPools()) {
                if (pool.cidr() != null && pool.cidr().overlaps(f.cidr())) {
                    problems.error(f.at(), "fixed-IP pool " + f.name() + " (" + f.cidr() + ") overlaps the PodCIDR pool " + pool.cidr());
                }
            }
            for (int j = 0; j < i; j++) {
                if (pools.get(j).cidr().overlaps(f.cidr())) {
                    problems.error(f.at(), "fixed-IP pool " + f.name() + " (" + f.cidr() + ") overlaps fixed-IP pool " + pools.get(j).name());
                }
            }
            for (Located<Cidr> v : p.vipPool()) {
                if (v.value().overlaps(f.cidr())) {
                    problems.error(f.at(), "fixed-IP pool " + f.name() + " (" + f.cidr() + ") overlaps VIP pool " + v.value());
                }
            }
        }
    }

    private void checkPrefixes() {
        for (HostSpec h : p.hosts()) {
            for (Located<Cidr> pinned : h.role() == Role.NODE ? h.podCidrs() : List.<Located<Cidr>>of()) {
                Cidr c = pinned.value();
                String family = c.isIpv4() ? "IPv4" : "IPv6";
                io.gannet.topology.model.PodCidrPool of = p.podPool(c.isIpv4());
                if (p.podPools().isEmpty()) {
                    problems.error(pinned.at(), "host " + h.name() + " has a PodCIDR but the profile has no spec.podCIDRPool");
                } else if (of == null) {
                    problems.error(pinned.at(), "host " + h.name() + " has an " + family + " PodCIDR but spec.podCIDRPool has no " + family + " pool");
                } else {
                    if (!of.cidr().contains(c)) {
                        problems.error(pinned.at(), "PodCIDR " + c + " of host " + h.name() + " lies outside the pool " + of.cidr());
                    }
                    if (of.prefixLength() != null && c.length() != of.prefixLength()) {
                        problems.error(pinned.at(), "PodCIDR " + c + " of host " + h.name() + " is a /" + c.length() + "; the pool hands out /" + of.prefixLength());
                    }
                }
            }
            if (h.role() == Role.NODE && !h.hasPodCidr() && p.podPools().isEmpty() && h.name() != null) {
                problems.error(h.source().location(), "host " + h.name() + " needs a PodCIDR: give it podCIDR or add spec.podCIDRPool");
            }
            Set<Cidr> seenVip = new HashSet<>();
            for (Located<Cidr> v : h.vips()) {
                Cidr c = v.value();
                if (c.length() != c.bits()) {
                    problems.error(v.at(), "VIP " + c + " of host " + h.name() + " must be a single address (/" + c.bits() + ")");
                }
                if (!seenVip.add(c)) {
                    problems.error(v.at(), "VIP " + c + " is listed twice for host " + h.name());
                }
                if (p.vipPool().isEmpty()) {
                    problems.error(v.at(), "VIP " + c + " of host " + h.name() + " needs a spec.vipPool to fall in");
                } else if (p.vipPool().stream().noneMatch(pool2 -> pool2.value().contains(c))) {
                    problems.error(v.at(), "VIP " + c + " of host " + h.name() + " lies outside every spec.vipPool entry");
                }
            }
        }
    }

    private void checkOverrides(Set<String> hostNames) {
        for (HostOverride o : p.overrides().values()) {
            if (!hostNames.contains(o.host())) {
                problems.error(o.at(), "spec.overrides names host '" + o.host() + "', which spec.inventory.hosts does not list");
            }
        }
    }

    private void checkUplinkNames(Set<String> switchNames) {
        for (HostSpec h : p.hosts()) {
            if (h.uplinks() == null) {
                continue;
            }
            Set<String> seen = new HashSet<>();
            for (Located<String> u : h.uplinks()) {
                if (!switchNames.contains(u.value())) {
                    problems.error(u.at(), "host " + h.name() + " lists uplink '" + u.value() + "', which spec.inventory.switches does not list");
                }
                if (!seen.add(u.value())) {
                    problems.error(u.at(), "host " + h.name() + " lists uplink '" + u.value() + "' twice");
                }
            }
        }
    }

    /**
     * Unnumbered switches: a host's {@code switchPorts} name switches that exist and are
     * unnumbered.
     */
    private void checkUnnumbered() {
        Map<String, SwitchSpec> byName = new HashMap<>();
        p.switches().forEach(s -> byName.put(s.name(), s));
        for (HostSpec h : p.hosts()) {
            for (Map.Entry<String, Located<String>> e : h.switchPorts().entrySet()) {
                SwitchSpec s = byName.get(e.getKey());
                if (s == null) {
                    problems.error(e.getValue().at(), "host " + h.name() + " has switchPorts for '" + e.getKey()
                            + "', which spec.inventory.switches does not list");
                } else if (!s.unnumbered()) {
                    problems.error(e.getValue().at(), "host " + h.name() + " has switchPorts for switch " + s.name()
                            + ", which has addresses: switchPorts are for unnumbered switches (interface)");
                }
            }
        }
    }

    /**
     * Timer and BFD rules on one settings block merged over the defaults. Locations point at
     * the block that set the value, or at {@code fallback} for inherited values.
     */
    private void checkSettings(BgpSettings merged, BgpSettings own, BfdSettings declaredBfd, Location fallback, String who) {
        if (own == null && declaredBfd == null) {
            return;
        }
        BgpSettings declared = own == null ? BgpSettings.EMPTY : own;
        BgpSettings bgp = Defaults.BGP.overlay(merged);
        int hold = bgp.holdTime();
        Location holdAt = at(declared, "holdTime", fallback);
        boolean ownTimers = sets(declared, "holdTime") || sets(declared, "keepalive");
        if (!sets(declared, "holdTime")) {
            // inherited: reported where it was written
        } else if (hold == 0) {
            problems.warning(holdAt, who + ": hold time 0 (under 3 s) turns the hold timer off; a dead peer is found only by BFD or TCP");
        } else if (hold < 3) {
            // RFC 4271 4.2 allows only 0 or >= 3 s; peers would refuse the OPEN, so render uses 3.
            problems.warning(holdAt, who + ": hold time " + hold + " s is under 3 s, which RFC 4271 4.2 forbids; 3 s is used");
        }
        int effectiveHold = hold == 0 ? 0 : Math.max(3, hold);
        if (ownTimers && bgp.keepalive() != null && effectiveHold > 0) {
            Location kaAt = at(declared, "keepalive", fallback);
            if (bgp.keepalive() >= effectiveHold) {
                problems.error(kaAt, who + ": keepalive " + bgp.keepalive() + " s must be shorter than the hold time " + effectiveHold + " s");
            } else if (bgp.keepalive() == 0) {
                problems.error(kaAt, who + ": keepalive 0 with a non-zero hold time lets the session expire");
            } else if (bgp.keepalive() * 3 > effectiveHold) {
                problems.warning(kaAt, who + ": keepalive " + bgp.keepalive() + " s is more than a third of the hold time " + effectiveHold + " s (RFC 4271 10); one lost KEEPALIVE may drop the session");
            }
        }
        if ((sets(declared, "ttlSecurity") || sets(declared, "multihop")) && bgp.ttlSecurity() != null && bgp.ttlSecurity() > 0 && bgp.multihop() != null && bgp.multihop() > 1) {
            problems.error(at(declared, "ttlSecurity", fallback), who + ": ttlSecurity (GTSM, RFC 5082) and multihop > 1 exclude each other");
        }
        if (declaredBfd != null && Boolean.FALSE.equals(declaredBfd.multihop())) {
            int hops = bgp.ttlSecurity() != null && bgp.ttlSecurity() > 1 ? bgp.ttlSecurity()
                    : sets(merged, "multihop") && bgp.multihop() != null && bgp.multihop() > 1 ? bgp.multihop() : 0;
            if (hops > 0) {
                // RFC 5881 is for directly connected systems (TTL 255 only); FRR runs multihop BFD here anyway.
                problems.warning(declaredBfd.source() == null ? fallback : declaredBfd.source().locationOf("multihop"),
                        who + ": bfd.multihop false (single-hop BFD, TTL 255 only) for sessions up to " + hops
                                + " hops away (bgp " + (bgp.ttlSecurity() != null && bgp.ttlSecurity() > 1 ? "ttlSecurity" : "multihop")
                                + "): BFD will not come up beyond one hop, and FRR runs multihop BFD for them");
            }
        }
        if (declaredBfd != null && Boolean.FALSE.equals(declaredBfd.enabled())) {
            problems.warning(declaredBfd.source() == null ? fallback : declaredBfd.source().locationOf("enabled"),
                    who + ": BFD is off; a dead link is found only when the hold timer (" + effectiveHold + " s) expires");
        }
    }

    private static boolean sets(BgpSettings s, String key) {
        return s != null && s.source() != null && s.source().entries().containsKey(key);
    }

    private static Location at(BgpSettings s, String key, Location fallback) {
        return s != null && s.source() != null && s.source().entries().containsKey(key) ? s.source().locationOf(key) : fallback;
    }
}
