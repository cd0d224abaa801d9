package io.gannet.topology.config;

import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.Community;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The effective configuration of one host, derived from a profile and the host's name:
 * everything its BGP speaker needs, with every default applied and every reference resolved.
 * Immutable; a reload compares two of these ({@link io.gannet.topology.diff.NodeConfigDiff}).
 *
 * @param name          host name (the profile's inventory name)
 * @param profileName   {@code metadata.name} of the profile it came from
 * @param model         the fabric design
 * @param role          node or l4lb
 * @param routerId      BGP identifier
 * @param localAs       the host's AS
 * @param addresses     the host's addresses, IPv4 first (at most one per family): the speaker accepts
 *                      connections on each, and each is the local end of its family's sessions
 * @param listenPort    the speaker's TCP port (179 unless a demo or test says otherwise)
 * @param podCidrs      the PodCIDRs to announce (node: one per family, IPv4 first); empty for others
 * @param vips          the /32 (or /128) VIPs to announce (l4lb); empty for nodes
 * @param vipPool       prefixes any VIP of this host must fall in (l4lb); empty for nodes
 * @param podCidrCommunities communities to tag the PodCIDR announcement with
 * @param vipCommunities communities to tag VIP announcements with
 * @param neighbors     one per switch the host peers with, in profile order
 * @param importPolicy  applied to routes from every neighbor; ends in reject
 * @param exportPolicy  applied to routes to every neighbor; ends with the own-prefix default
 * @param maxPaths      largest ECMP set (1 = no multipath)
 */
public record NodeConfig(
        String name,
        String profileName,
        FabricModel model,
        Role role,
        Inet4Address routerId,
        long localAs,
        List<InetAddress> addresses,
        int listenPort,
        List<Cidr> podCidrs,
        List<Cidr> vips,
        List<Cidr> vipPool,
        List<Community> podCidrCommunities,
        List<Community> vipCommunities,
        List<NeighborConfig> neighbors,
        RoutePolicy importPolicy,
        RoutePolicy exportPolicy,
        int maxPaths) {

    public NodeConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(routerId, "routerId");
        addresses = addresses.stream().sorted(java.util.Comparator.comparing(a -> a instanceof java.net.Inet4Address ? 0 : 1)).toList();
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("node " + name + " has no address");
        }
        podCidrs = podCidrs.stream().sorted(java.util.Comparator.comparing(c -> c.isIpv4() ? 0 : 1)).toList();
        vips = List.copyOf(vips);
        vipPool = List.copyOf(vipPool);
        podCidrCommunities = List.copyOf(podCidrCommunities);
        vipCommunities = List.copyOf(vipCommunities);
        neighbors = List.copyOf(neighbors);
        Objects.requireNonNull(importPolicy, "importPolicy");
        Objects.requireNonNull(exportPolicy, "exportPolicy");
    }

    /** The same host with other neighbors (unnumbered ones resolved to their learned addresses). */
    public NodeConfig withNeighbors(List<NeighborConfig> next) {
        return new NodeConfig(name, profileName, model, role, routerId, localAs, addresses, listenPort, podCidrs, vips, vipPool,
                podCidrCommunities, vipCommunities, next, importPolicy, exportPolicy, maxPaths);
    }

    /** Every prefix this host originates: its PodCIDRs and its VIPs. */
    public List<Cidr> announcements() {
        return java.util.stream.Stream.concat(podCidrs.stream(), vips.stream()).toList();
    }

    /** The main address (IPv4 when the host has one): the speaker's first listener, the lab's name for the host. */
    public InetAddress listenAddress() {
        return addresses.get(0);
    }

    /** The host's address of one family, or null. */
    public InetAddress address(boolean ipv4) {
        return addresses.stream().filter(a -> (a instanceof java.net.Inet4Address) == ipv4).findFirst().orElse(null);
    }

    /** The main PodCIDR (IPv4 when the node has one), or null for hosts without one. */
    public Cidr podCidr() {
        return podCidrs.isEmpty() ? null : podCidrs.get(0);
    }

    /** The PodCIDR of one family, or null. */
    public Cidr podCidr(boolean ipv4) {
        return podCidrs.stream().filter(c -> c.isIpv4() == ipv4).findFirst().orElse(null);
    }

    /** The same node with the PodCIDRs the store handed out at run time. */
    public NodeConfig withPodCidrs(List<Cidr> next) {
        return new NodeConfig(name, profileName, model, role, routerId, localAs, addresses, listenPort, next, vips, vipPool,
                podCidrCommunities, vipCommunities, neighbors, importPolicy, exportPolicy, maxPaths);
    }

    public Optional<NeighborConfig> neighbor(String neighborName) {
        return neighbors.stream().filter(n -> n.name().equals(neighborName)).findFirst();
    }
}
