package io.gannet.pod.wiring;

import io.gannet.linux.netlink.Prefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One pod attachment as wired: the CNI identity (container id, interface name), the pod's
 * namespace path, the host-side veth, the pod's addresses (host prefixes, e.g. 10.1.2.7/32 and
 * fd00:1:2::7/128; IPv4 first on a dual-stack node), the gateway of each (same order), the
 * pod's and the host side's MAC, and the pod's Kubernetes name when the runtime passed it.
 *
 * <p>{@link #address()}, {@link #ip()} and {@link #gateway()} name the first address: the IPv4
 * one on a dual-stack or IPv4 node, the IPv6 one on an IPv6-only node.
 */
public record PodAttachment(String containerId, String ifName, String netns, String hostVeth, List<String> addresses,
                            List<String> gateways, String podMac, String hostMac, String podNamespace, String podName) {
    public PodAttachment {
        addresses = List.copyOf(addresses);
        gateways = List.copyOf(gateways);
        if (addresses.isEmpty() || addresses.size() != gateways.size()) {
            throw new IllegalArgumentException("attachment " + containerId + "/" + ifName + ": " + addresses.size()
                    + " addresses and " + gateways.size() + " gateways; each address needs its gateway");
        }
    }

    /** A single-address attachment (an IPv4-only or IPv6-only node). */
    public PodAttachment(String containerId, String ifName, String netns, String hostVeth, String address,
                         String gateway, String podMac, String hostMac, String podNamespace, String podName) {
        this(containerId, ifName, netns, hostVeth, List.of(address), List.of(gateway), podMac, hostMac, podNamespace, podName);
    }

    public String key() {
        return containerId + "/" + ifName;
    }

    /** The first address with its prefix length (the IPv4 one when the pod has one). */
    public String address() {
        return addresses.get(0);
    }

    /** The first address's gateway. */
    public String gateway() {
        return gateways.get(0);
    }

    /** The first address without its prefix length. */
    public String ip() {
        return bare(addresses.get(0));
    }

    /** Every address without its prefix length, in order. */
    public List<String> ips() {
        return addresses.stream().map(PodAttachment::bare).toList();
    }

    /** Every address, parsed. */
    public List<InetAddress> inetAddresses() {
        return ips().stream().map(Prefix::literal).toList();
    }

    /** The IPv4 address without prefix length, if the pod has one. */
    public Optional<String> ipv4() {
        return ips().stream().filter(ip -> Prefix.literal(ip) instanceof Inet4Address).findFirst();
    }

    private static String bare(String address) {
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }
}
