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
 * @param listenAddress where the speaker accepts connections (the host's address)
 * @param listenPort    the speaker's TCP port (179 unless a demo or test says otherwise)
 * @param podCidr       the PodCIDR to announce (node), or null (l4lb)
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
        InetAddress listenAddress,
        int listenPort,
        Cidr podCidr,
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
        Objects.requireNonNull(listenAddress, "listenAddress");
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
        return new NodeConfig(name, profileName, model, role, routerId, localAs, listenAddress, listenPort, podCidr, vips, vipPool,
                podCidrCommunities, vipCommunities, next, importPolicy, exportPolicy, maxPaths);
    }

    /** Every prefix this host originates: its PodCIDR and its VIPs. */
    public List<Cidr> announcements() {
        if (podCidr == null) {
            return vips;
        }
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(podCidr), vips.stream()).toList();
    }

    public Optional<NeighborConfig> neighbor(String neighborName) {
        return neighbors.stream().filter(n -> n.name().equals(neighborName)).findFirst();
    }
}
