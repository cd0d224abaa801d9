package io.gannet.agent.run;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.LocalRoute;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.topology.config.MaxPrefixAction;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.RoutePolicy;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.Community;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derives the speaker's configuration and the routes the host originates from a host's
 * effective configuration ({@link NodeConfig}, rendered from the topology profile). Pure:
 * the same NodeConfig always gives the same result, which is what reload compares.
 */
final class SpeakerConfiguration {
    private SpeakerConfiguration() {}

    /**
     * @param policies translated policies of the previous configuration: an unchanged profile
     *                 policy maps to the same {@link Policy} object, so the speaker sees the
     *                 peer configuration as unchanged and keeps the session on reload
     */
    static SpeakerConfig speakerConfig(NodeConfig node, Map<RoutePolicy, Policy> policies) {
        Policy importPolicy = policies.computeIfAbsent(node.importPolicy(),
                p -> PolicyTranslation.translate(node.name() + "-import", p));
        Policy exportPolicy = policies.computeIfAbsent(node.exportPolicy(),
                p -> PolicyTranslation.translate(node.name() + "-export", p));
        List<PeerConfig> peers = new ArrayList<>();
        for (NeighborConfig n : node.neighbors()) {
            peers.add(peerConfig(n, importPolicy, exportPolicy));
        }
        long routerId = Integer.toUnsignedLong(ipv4Bits(node.routerId()));
        return new SpeakerConfig(node.localAs(), routerId, node.listenAddress(), node.listenPort(), 0,
                Math.max(1, node.maxPaths()), peers, List.of(), moreListenAddresses(node));
    }

    /**
     * Where the speaker listens besides the main address: the host's other address (dual-stack),
     * and its link-local address on each interface of a learned unnumbered session, so a switch
     * that connects first (FRR's {@code neighbor IF interface} does) is accepted, not refused.
     */
    static List<java.net.InetAddress> moreListenAddresses(NodeConfig node) {
        List<java.net.InetAddress> out = new ArrayList<>(node.addresses().subList(1, node.addresses().size()));
        for (NeighborConfig n : node.neighbors()) {
            if (n.unnumbered() && n.address() != null) {
                java.net.Inet6Address own = linkLocalOf(n.interfaceName());
                if (own != null && !out.contains(own)) {
                    out.add(own);
                }
            }
        }
        return out;
    }

    /** The host's own link-local address on {@code iface} (scoped to it), or null. */
    private static java.net.Inet6Address linkLocalOf(String iface) {
        try {
            java.net.NetworkInterface ni = java.net.NetworkInterface.getByName(iface);
            if (ni == null) {
                return null;
            }
            return ni.inetAddresses().filter(a -> a instanceof java.net.Inet6Address v6 && v6.isLinkLocalAddress())
                    .map(a -> (java.net.Inet6Address) a).findFirst().orElse(null);
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    static PeerConfig peerConfig(NeighborConfig n, Policy importPolicy, Policy exportPolicy) {
        // What the profile asks this session to carry (RFC 4760); GR is advertised for these only.
        Set<AddressFamily> families = new java.util.HashSet<>();
        for (io.gannet.topology.config.BgpFamily f : n.families()) {
            families.add(f == io.gannet.topology.config.BgpFamily.IPV4_UNICAST
                    ? AddressFamily.IPV4_UNICAST : AddressFamily.IPV6_UNICAST);
        }
        return PeerConfig.builder(n.name(), n.address(), n.remoteAs(), n.localAs())
                .localAddress(n.sourceAddress())
                .port(n.port())
                .passive(n.passive())
                .holdTimeSeconds(n.holdTimeSeconds())
                .connectRetrySeconds(n.connectRetrySeconds())
                .md5Password(n.md5() == null ? null : n.md5().reveal())
                .ttlSecurityHops(n.ttlSecurityHops())
                .multihopTtl(n.multihopTtl())
                .families(families)
                .extendedMessage(n.extendedMessage())
                .routeReflectorClient(n.routeReflectorClient()) // a router reflects between its iBGP neighbors
                .delayOpenSeconds(n.delayOpenSeconds())
                .keepReceived(n.keepReceived())
                .gracefulRestart(n.gracefulRestart())
                .gracefulRestartSeconds(n.gracefulRestartSeconds())
                .importPolicy(importPolicy)
                .exportPolicy(exportPolicy)
                .maxPrefixes(n.maxPrefixes(), maxPrefixAction(n.maxPrefixAction()))
                // Strict mode only means something with BFD on: the BFD binding opens the gate.
                .bfdStrict(n.bfd().enabled() && n.bfd().strict())
                .build();
    }

    /** The PodCIDR and VIPs, tagged with the profile's communities for each kind. */
    static List<LocalRoute> originatedRoutes(NodeConfig node) {
        List<LocalRoute> routes = new ArrayList<>();
        for (Cidr podCidr : node.podCidrs()) { // one per family on a dual-stack node
            routes.add(tagged(podCidr, node.podCidrCommunities()));
        }
        for (Cidr vip : node.vips()) {
            routes.add(tagged(vip, node.vipCommunities()));
        }
        return routes;
    }

    static Prefix prefix(Cidr cidr) {
        return Prefix.of(cidr.network(), cidr.length());
    }

    private static LocalRoute tagged(Cidr cidr, List<Community> communities) {
        List<Integer> standard = new ArrayList<>();
        List<Communities.Large> large = new ArrayList<>();
        PolicyTranslation.split(communities, standard, large);
        return LocalRoute.of(prefix(cidr)).withCommunities(standard).withLargeCommunities(large);
    }

    private static PeerConfig.MaxPrefixAction maxPrefixAction(MaxPrefixAction a) {
        return switch (a) {
            case WARN -> PeerConfig.MaxPrefixAction.WARN;
            case RESTART -> PeerConfig.MaxPrefixAction.RESTART;
            case DISCARD -> PeerConfig.MaxPrefixAction.DISCARD_EXTRA;
        };
    }

    private static int ipv4Bits(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }
}
