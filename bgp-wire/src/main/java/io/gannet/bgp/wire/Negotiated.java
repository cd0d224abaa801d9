package io.gannet.bgp.wire;

import java.util.Set;

/**
 * What the two OPEN messages of an established session agreed on. Immutable; produced by
 * the session layer when it enters Established and read by the RIB to encode and decode
 * UPDATEs for this peer.
 *
 * @param fourOctetAs        both sides sent the 4-octet AS capability (RFC 6793): AS_PATH
 *                           carries 4-octet ASNs; otherwise AS4_PATH/AS_TRANS apply
 * @param families           address families both sides announced (RFC 4760); IPv4 unicast
 *                           is implied when neither sent a Multiprotocol capability
 * @param extendedMessage    both sides sent RFC 8654: messages up to 65535 bytes
 * @param routeRefresh       peer supports RFC 2918 route refresh
 * @param enhancedRouteRefresh both support RFC 7313 (BoRR/EoRR demarcation)
 * @param peerGracefulRestart the peer's graceful restart capability, or null (RFC 4724)
 * @param holdTimeSeconds    negotiated hold time, 0 or at least 3
 * @param localAs            our AS on this session
 * @param remoteAs           the peer's AS (4-octet value when it sent one)
 * @param localRouterId      our BGP identifier (unsigned 32 bits in a long)
 * @param remoteRouterId     the peer's BGP identifier (unsigned 32 bits in a long)
 * @param extendedNextHop4   both sides sent RFC 8950's capability for IPv4 unicast with an IPv6
 *                           next hop: IPv4 routes travel in MP_REACH_NLRI with an IPv6 next hop
 */
public record Negotiated(
        boolean fourOctetAs,
        Set<AddressFamily> families,
        boolean extendedMessage,
        boolean routeRefresh,
        boolean enhancedRouteRefresh,
        GracefulRestartInfo peerGracefulRestart,
        int holdTimeSeconds,
        long localAs,
        long remoteAs,
        long localRouterId,
        long remoteRouterId,
        boolean extendedNextHop4) {

    /** A session without RFC 8950. */
    public Negotiated(boolean fourOctetAs, Set<AddressFamily> families, boolean extendedMessage, boolean routeRefresh,
                      boolean enhancedRouteRefresh, GracefulRestartInfo peerGracefulRestart, int holdTimeSeconds, long localAs,
                      long remoteAs, long localRouterId, long remoteRouterId) {
        this(fourOctetAs, families, extendedMessage, routeRefresh, enhancedRouteRefresh, peerGracefulRestart, holdTimeSeconds,
                localAs, remoteAs, localRouterId, remoteRouterId, false);
    }

    /** Largest message either side may send on this session (RFC 8654 section 3). */
    public int maxMessageSize() {
        return extendedMessage ? 65535 : 4096;
    }

    public boolean ibgp() {
        return localAs == remoteAs;
    }

    /**
     * The peer's RFC 4724 capability.
     *
     * @param restartState       R bit: the peer has just restarted
     * @param restartTimeSeconds how long we keep its routes after the session drops
     * @param forwardingPreserved per family, the F bit
     * @param notification       both sides set the RFC 8538 N bit: a NOTIFICATION other than
     *                           Cease/Hard Reset keeps the routes as stale, as a TCP failure does
     */
    public record GracefulRestartInfo(boolean restartState, int restartTimeSeconds,
                                      java.util.Map<AddressFamily, Boolean> forwardingPreserved, boolean notification) {
        public GracefulRestartInfo(boolean restartState, int restartTimeSeconds,
                                   java.util.Map<AddressFamily, Boolean> forwardingPreserved) {
            this(restartState, restartTimeSeconds, forwardingPreserved, false);
        }
    }

    /** RFC 8538: both sides set the N bit. */
    public boolean gracefulNotification() {
        return peerGracefulRestart != null && peerGracefulRestart.notification();
    }
}
