package io.gannet.bgp.rib;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.AddressFamily;

/**
 * What the RIB keeps about one peer, keyed by its configured name so that graceful-restart
 * stale paths outlive the session that carried them. While a session is up it also holds the
 * peer's Adj-RIB-Out per family: the attribute id last advertised per prefix slot (0 = none),
 * and a queue of slots whose advertisement may have to change.
 *
 * <p>Threading: owned by the RIB's loop.
 */
final class PeerState {
    static final int FAMILIES = 2; // 0 = IPv4 unicast, 1 = IPv6 unicast

    final int id;
    final String name;
    PeerConfig config;
    PeerLink link;
    Negotiated negotiated;
    boolean ibgp;
    long routerId;
    byte[] address = new byte[0];
    boolean routeReflectorClient;
    /** Our link-local address on the link shared with this IPv6 peer (RFC 2545 3), or null. */
    byte[] linkLocal;
    /** Our end of this session, for the RFC 4271 6.3 own-next-hop check. */
    LocalAddresses sessionLocal = LocalAddresses.NONE;
    /** Routes ignored because their next hop is one of our addresses (RFC 4271 6.3), this session. */
    long ownNextHopIgnored;

    /** Prefixes the peer announces now, before import policy (this session), per family. */
    long received;
    final SlotSet[] receivedPrefixes = {new SlotSet(), new SlotSet()};
    long accepted;
    long advertised;
    /** Prefixes whose Loc-RIB best path is this peer's (BIRD's "preferred"). */
    long preferred;
    /**
     * Route changes since the speaker started (BIRD's "Route change stats"): import updates
     * received / rejected as invalid (AS_PATH loop, our own next hop) / filtered by import policy /
     * ignored (a duplicate) / accepted, import withdraws received / accepted,
     * export updates and withdraws sent. Only the RIB's loop writes them.
     */
    long importUpdatesReceived;
    long importUpdatesRejected;
    long importUpdatesFiltered;
    long importUpdatesIgnored;
    long importUpdatesAccepted;
    long importWithdrawsReceived;
    long importWithdrawsAccepted;
    long exportUpdatesSent;
    long exportWithdrawsSent;
    boolean maxPrefixWarned;
    boolean resetting;
    /** Malformed UPDATEs treated as withdraw (RFC 7606): when one was last logged, and how many since went unlogged. */
    long malformedLoggedNanos;
    long malformedUnlogged;

    /** Graceful restart: stale paths exist for this family. */
    final boolean[] staleFamily = new boolean[FAMILIES];
    final boolean[] negotiatedFamily = new boolean[FAMILIES];
    /** Adj-RIB-Out: the prefixes advertised to the peer (this session), per family. */
    final SlotSet[] adjOut = {new SlotSet(), new SlotSet()};
    /**
     * While a reconfiguration's re-export drains (else null): the attribute id the peer holds per
     * advertised slot, 0 where unknown (a change was already queued), so only differences are sent.
     */
    final IntPages[] exportBase = new IntPages[FAMILIES];
    /** Pre-policy Adj-RIB-In (when kept): the received attribute id per prefix slot, 0 = none. */
    final IntPages[] adjInRaw = new IntPages[FAMILIES];
    boolean keepRaw;
    final SlotQueue[] pending = {new SlotQueue(), new SlotQueue()};
    /** End-of-RIB (RFC 4724) to send once the initial table has drained. */
    final boolean[] eorPending = new boolean[FAMILIES];
    /** Enhanced route refresh EoRR (RFC 7313) to send once a refresh has drained. */
    final boolean[] eorrPending = new boolean[FAMILIES];

    PeerState(int id, String name) {
        this.id = id;
        this.name = name;
    }

    boolean established() {
        return link != null;
    }

    static int familyIndex(AddressFamily f) {
        if (f.safi() != AddressFamily.SAFI_UNICAST) {
            return -1;
        }
        return f.afi() == AddressFamily.AFI_IPV4 ? 0 : f.afi() == AddressFamily.AFI_IPV6 ? 1 : -1;
    }

    static int familyIndex(int afi, int safi) {
        if (safi != AddressFamily.SAFI_UNICAST) {
            return -1;
        }
        return afi == AddressFamily.AFI_IPV4 ? 0 : afi == AddressFamily.AFI_IPV6 ? 1 : -1;
    }

    IntPages adjInRaw(int family, int minLength) {
        return adjInRaw[family] = sized(adjInRaw[family], minLength);
    }

    private static IntPages sized(IntPages a, int minLength) {
        if (a == null) {
            return new IntPages(minLength, 0);
        }
        a.grow(minLength);
        return a;
    }
}
