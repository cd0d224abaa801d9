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
 */
public record HostSpec(String name, InetAddress address, String rack, Role role, Located<Cidr> podCidr,
        List<Located<Cidr>> vips, Inet4Address routerId, Integer port, List<Located<String>> uplinks,
        java.util.Map<String, Located<String>> switchPorts, YMap source) {
    public HostSpec {
        vips = List.copyOf(vips);
        switchPorts = switchPorts == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(switchPorts));
        uplinks = uplinks == null ? null : List.copyOf(uplinks);
    }
}
