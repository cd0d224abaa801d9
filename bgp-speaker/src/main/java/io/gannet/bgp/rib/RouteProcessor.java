package io.gannet.bgp.rib;

import io.netty.buffer.ByteBuf;

/**
 * What the session layer tells the routing side. Implemented by the RIB.
 *
 * <p>Threading: all calls arrive on the speaker's single event loop, which owns the RIBs;
 * implementations never block and never hand the RIB to another thread.
 */
public interface RouteProcessor {
    /** The session reached Established: send the initial table, then End-of-RIB (RFC 4724). */
    void peerEstablished(PeerLink peer);

    /**
     * One UPDATE's body (after the 19-byte header), borrowed for the duration of the call.
     * Decoding, RFC 7606 error handling and RIB changes happen here; a session-reset error is
     * reported through {@link PeerLink#reset}.
     */
    void updateReceived(PeerLink peer, ByteBuf body);

    /**
     * ROUTE-REFRESH (RFC 2918) or its RFC 7313 subtypes: subtype 0 asks us to resend the
     * Adj-RIB-Out; 1 (BoRR) and 2 (EoRR) bracket the peer's own re-advertisement.
     */
    void routeRefreshReceived(PeerLink peer, int afi, int safi, int subtype);

    /**
     * The session left Established. With {@code retainStale} (peer negotiated graceful restart
     * and the drop was not a NOTIFICATION that forbids it) its routes are kept, marked stale,
     * until {@link #staleTimerExpired} or the End-of-RIB of the new session; otherwise they are
     * withdrawn at once.
     */
    void peerDown(PeerLink peer, boolean retainStale);

    /** The graceful-restart timer for a peer whose routes are stale expired: flush them. */
    void staleTimerExpired(PeerLink peer);

    /** The peer's socket drained: resume sending what was held back. */
    void peerWritable(PeerLink peer);

    /**
     * An established peer's routing settings changed (import or export policy, route-reflector
     * client, next-hop-self, max-prefix) and nothing that needs a new session did. Return true
     * when the change now applies to the live session (re-applied in place, or the peer was
     * asked for a route refresh); false makes the speaker reset the session with Cease / Other
     * Configuration Change so the new settings apply from its next start. Added by the session
     * side for configuration reload; the default keeps the reset.
     */
    default boolean peerPolicyChanged(PeerLink peer, io.gannet.bgp.config.PeerConfig config) {
        return false;
    }

    /**
     * The speaker's event loop, given once before any other call: work a processor defers
     * (batched export after the reads in progress, delayed table trims) is queued there. A
     * processor used off any loop (tests, benchmarks) is never given one.
     */
    default void attachLoop(java.util.concurrent.ScheduledExecutorService loop) {}
}
