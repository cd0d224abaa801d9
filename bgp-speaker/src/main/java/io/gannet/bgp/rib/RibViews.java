package io.gannet.bgp.rib;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import java.util.List;

/** Immutable snapshots the RIB hands to the operator surface (show commands, metrics, tests). */
public final class RibViews {
    private RibViews() {
    }

    /**
     * One candidate path of a prefix.
     *
     * @param peer       the peer's configured name, or {@code "local"} for originated routes
     * @param attributes the path's attributes after import policy
     * @param best       the selected best path
     * @param multipath  a member of the ECMP set (the best path is one)
     * @param stale      kept from a session that went down (graceful restart) or before EoRR
     * @param lostAt     for a non-best path, the decision step where the best beat it; null for the best
     */
    public record PathView(String peer, PathAttributes attributes, boolean best, boolean multipath, boolean stale,
                           BestPathReason lostAt) {}

    /**
     * One prefix with every candidate path (best first, then the rest of the ECMP set, then others).
     *
     * @param reason the step at which the best path beat its strongest competitor
     */
    public record RouteView(Prefix prefix, List<PathView> paths, BestPathReason reason) {
        public PathView best() {
            return paths.isEmpty() || !paths.get(0).best() ? null : paths.get(0);
        }

        public List<PathView> multipath() {
            return paths.stream().filter(PathView::multipath).toList();
        }
    }

    /**
     * Per-peer counters.
     *
     * @param received    prefixes the peer announces now, before import policy (the pre-policy
     *                    Adj-RIB-In of this session: a re-sent prefix counts once, a withdrawn one leaves)
     * @param accepted    prefixes from the peer now in the RIB after import policy
     * @param advertised  prefixes now in the peer's Adj-RIB-Out
     * @param established whether a session is up
     * @param preferred   prefixes whose Loc-RIB best path is this peer's
     * @param changes     route changes since the speaker started
     */
    public record PeerCounters(String peer, long received, long accepted, long advertised, boolean established,
            long preferred, Changes changes) {

        /** Without best-path and change counts (tests of the other counters). */
        public PeerCounters(String peer, long received, long accepted, long advertised, boolean established) {
            this(peer, received, accepted, advertised, established, 0, Changes.NONE);
        }

        /**
         * Route changes since the speaker started, BIRD's "Route change stats" per direction:
         * import updates received / rejected (invalid: an AS_PATH loop, a next hop of ours) /
         * filtered (by import policy) / ignored (the same path again: nothing changed) /
         * accepted, import withdraws received / accepted (a prefix that was announced), export
         * updates and withdraws sent.
         */
        public record Changes(long importUpdatesReceived, long importUpdatesRejected, long importUpdatesFiltered,
                long importUpdatesIgnored, long importUpdatesAccepted, long importWithdrawsReceived, long importWithdrawsAccepted,
                long exportUpdates, long exportWithdraws) {
            public static final Changes NONE = new Changes(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    /** Loc-RIB sizes per family: prefixes and paths. */
    public record RibSize(AddressFamily family, int prefixes, int paths) {}
}
