package io.gannet.topology.model;

import io.gannet.topology.config.Role;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.yaml.YNode.YMap;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code spec.inventory.hosts[]}. Null fields were missing or invalid and have been reported;
 * {@code uplinks} null means "the switches of my rack plus the rack-less (core) switches";
 * {@code switchPorts}: for unnumbered switches, the switch's interface to this host (for
 * rendering the switch), by switch name.
 *
 * @param addresses the host's BGP addresses, at most one per family ({@code address: [v4, v6]}
 *                  makes a dual-stack host: one session per family to a switch with both)
 * @param podCidrs  pinned PodCIDRs, at most one per family
 */
public record HostSpec(String name, List<Located<InetAddress>> addresses, String rack, Role role, List<Located<Cidr>> podCidrs,
        List<Located<Cidr>> vips, Inet4Address routerId, Integer port, List<Located<String>> uplinks,
        java.util.Map<String, Located<String>> switchPorts, YMap source) {
    public HostSpec {
        addresses = List.copyOf(addresses);
        podCidrs = List.copyOf(podCidrs);
        vips = List.copyOf(vips);
        switchPorts = switchPorts == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(switchPorts));
        uplinks = uplinks == null ? null : List.copyOf(uplinks);
    }

    /** The host's main address: its IPv4 one when it has one, else its IPv6 one; null when none was valid. */
    public InetAddress address() {
        Located<InetAddress> a = address(true);
        if (a == null) {
            a = address(false);
        }
        return a == null ? null : a.value();
    }

    /** The host's address of one family, or null. */
    public Located<InetAddress> address(boolean ipv4) {
        return addresses.stream().filter(a -> (a.value() instanceof Inet4Address) == ipv4).findFirst().orElse(null);
    }

    /** The pinned PodCIDR of one family, or null. */
    public Located<Cidr> podCidr(boolean ipv4) {
        return podCidrs.stream().filter(c -> c.value().isIpv4() == ipv4).findFirst().orElse(null);
    }

    /** True when the host has a pinned PodCIDR of any family. */
    public boolean hasPodCidr() {
        return !podCidrs.isEmpty();
    }
}
