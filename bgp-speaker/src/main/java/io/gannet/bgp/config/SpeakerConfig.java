package io.gannet.bgp.config;

import java.net.InetAddress;
import java.util.List;

/**
 * The whole speaker: identity, listener, neighbors and dynamic-neighbor ranges.
 *
 * @param localAs         the speaker's AS (4-octet capable)
 * @param routerId        BGP identifier, unsigned 32 bits in a long
 * @param listenAddress   where to accept connections, or null to accept none
 * @param listenPort      179 in production; tests use unprivileged ports on loopback
 * @param clusterId       route-reflector cluster id (RFC 4456), 0 = the router id
 * @param maxPaths        largest ECMP set multipath may form (1 = no multipath)
 * @param peers           statically configured neighbors
 * @param dynamicNeighbors ranges from which unconfigured peers are accepted (route-server role)
 * @param moreListenAddresses further addresses to accept connections on, on the same port (a
 *                        dual-stack host's address of its second family)
 */
public record SpeakerConfig(
        long localAs,
        long routerId,
        InetAddress listenAddress,
        int listenPort,
        long clusterId,
        int maxPaths,
        List<PeerConfig> peers,
        List<DynamicNeighborRange> dynamicNeighbors,
        List<InetAddress> moreListenAddresses) {

    public SpeakerConfig {
        moreListenAddresses = List.copyOf(moreListenAddresses);
        peers = List.copyOf(peers);
        dynamicNeighbors = List.copyOf(dynamicNeighbors);
        if (maxPaths < 1) {
            throw new IllegalArgumentException("maxPaths must be at least 1, got " + maxPaths);
        }
    }

    /** A speaker listening on one address (or none). */
    public SpeakerConfig(long localAs, long routerId, InetAddress listenAddress, int listenPort, long clusterId, int maxPaths,
                         List<PeerConfig> peers, List<DynamicNeighborRange> dynamicNeighbors) {
        this(localAs, routerId, listenAddress, listenPort, clusterId, maxPaths, peers, dynamicNeighbors, List.of());
    }

    /** Every address the speaker accepts connections on: {@link #listenAddress} first; empty when it listens nowhere. */
    public List<InetAddress> listenAddresses() {
        if (listenAddress == null) {
            return List.of();
        }
        List<InetAddress> all = new java.util.ArrayList<>();
        all.add(listenAddress);
        all.addAll(moreListenAddresses);
        return all;
    }

    /**
     * Peers connecting from {@code prefix/length} are accepted and configured from {@code template}
     * (its name and address are replaced by the connecting peer's). {@code remoteAs} 0 in the
     * template accepts any AS the peer's OPEN announces.
     */
    public record DynamicNeighborRange(InetAddress prefix, int length, PeerConfig template, int limit) {}
}
