package io.gannet.bgp.rib;

import static io.gannet.bgp.wire.attr.PathAttributes.HAS_LOCAL_PREF;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_MED;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_ORIGINATOR_ID;

import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.PathAttributes;
import java.util.Arrays;

/**
 * The BGP decision process (RFC 4271 9.1.2.2 with RFC 4456 9 and deterministic tie-breaks) over
 * the primitive path store: which candidate of a prefix is best, why (the step at which its
 * strongest competitor lost), and which candidates form its ECMP set (equal through the
 * IGP-cost step, at most {@code maxPaths}).
 *
 * <p>Threading: owned by the RIB's loop.
 */
final class DecisionProcess {
    static final long DEFAULT_LOCAL_PREF = 100;
    static final BestPathReason[] REASONS = BestPathReason.values();

    private final int maxPaths;
    private final PathStore paths;
    private final AttributeInterner interner;
    /** The RIB's peer table, indexed by the peer id stored with each path; replaced when it grows. */
    PeerState[] peers;
    private int[] ecmpScratch = new int[16];

    DecisionProcess(int maxPaths, PathStore paths, AttributeInterner interner, PeerState[] peers) {
        this.maxPaths = maxPaths;
        this.paths = paths;
        this.interner = interner;
        this.peers = peers;
    }

    int maxPaths() {
        return maxPaths;
    }

    /** Recomputes best path, reason and ECMP set of slot {@code s} in {@code r}. */
    void select(FamilyRib r, int s) {
        int h = r.head.get(s);
        int best = -1;
        int reason = BestPathReason.ONLY_PATH.ordinal();
        if (h >= 0) {
            best = h;
            for (int q = paths.next.get(h); q >= 0; q = paths.next.get(q)) {
                if (compare(q, best) > 0) {
                    best = q;
                }
            }
            // One pass: the reason (the step at which the strongest competitor lost) and the
            // paths equal to the best through the IGP-cost step, candidates for the ECMP set.
            int candidates = 0;
            for (int q = h; q >= 0; q = paths.next.get(q)) {
                paths.set(q, PathStore.MULTIPATH, q == best);
                if (q != best) {
                    int c = compare(best, q);
                    reason = Math.max(reason, c);
                    if (REASONS[c].multipathEqual() && maxPaths > 1) {
                        if (candidates == ecmpScratch.length) {
                            ecmpScratch = Arrays.copyOf(ecmpScratch, candidates * 2);
                        }
                        ecmpScratch[candidates++] = q;
                    }
                }
            }
            int ecmp = 1;
            if (candidates <= maxPaths - 1) {
                for (int k = 0; k < candidates; k++) {
                    paths.set(ecmpScratch[k], PathStore.MULTIPATH, true);
                }
                ecmp += candidates;
            } else {
                // More equal paths than maxPaths allows: keep the first ones in decision order.
                while (ecmp < maxPaths) {
                    int pick = -1;
                    for (int k = 0; k < candidates; k++) {
                        int q = ecmpScratch[k];
                        if (!paths.has(q, PathStore.MULTIPATH) && (pick < 0 || compare(q, pick) > 0)) {
                            pick = q;
                        }
                    }
                    paths.set(pick, PathStore.MULTIPATH, true);
                    ecmp++;
                }
            }
            r.multipath.set(s, (byte) ecmp);
        } else {
            r.multipath.set(s, (byte) 0);
        }
        r.best.set(s, best);
        r.reason.set(s, (byte) reason);
    }

    /**
     * Compares two paths of one prefix by the decision process.
     *
     * @return the ordinal of the deciding {@link BestPathReason}, positive if {@code a} is
     *         preferred, negative if {@code b} is; {@code +EQUAL} when nothing differs
     */
    int compare(int a, int b) {
        PeerState pa = peers[paths.peer(a)];
        PeerState pb = peers[paths.peer(b)];
        PathAttributes x = interner.get(paths.attr.get(a));
        PathAttributes y = interner.get(paths.attr.get(b));
        long lpx = x.has(HAS_LOCAL_PREF) ? x.localPref() : DEFAULT_LOCAL_PREF;
        long lpy = y.has(HAS_LOCAL_PREF) ? y.localPref() : DEFAULT_LOCAL_PREF;
        if (lpx != lpy) {
            return sign(lpx > lpy, BestPathReason.LOCAL_PREF);
        }
        boolean lx = pa.id == Rib.LOCAL;
        boolean ly = pb.id == Rib.LOCAL;
        if (lx != ly) {
            return sign(lx, BestPathReason.LOCAL_ORIGIN);
        }
        if (x.asPathLength() != y.asPathLength()) {
            return sign(x.asPathLength() < y.asPathLength(), BestPathReason.AS_PATH_LENGTH);
        }
        if (x.origin() != y.origin()) {
            return sign(x.origin() < y.origin(), BestPathReason.ORIGIN);
        }
        if (x.firstAs() == y.firstAs()) {
            long mx = x.has(HAS_MED) ? x.med() : 0;
            long my = y.has(HAS_MED) ? y.med() : 0;
            if (mx != my) {
                return sign(mx < my, BestPathReason.MED);
            }
        }
        boolean ex = !lx && !pa.ibgp;
        boolean ey = !ly && !pb.ibgp;
        if (ex != ey) {
            return sign(ex, BestPathReason.EBGP_OVER_IBGP);
        }
        // IGP cost (9.1.2.2 e): this speaker has no IGP view, every next hop costs the same.
        long rx = x.has(HAS_ORIGINATOR_ID) ? x.originatorId() & 0xFFFFFFFFL : pa.routerId;
        long ry = y.has(HAS_ORIGINATOR_ID) ? y.originatorId() & 0xFFFFFFFFL : pb.routerId;
        if (rx != ry) {
            return sign(rx < ry, BestPathReason.ROUTER_ID);
        }
        if (x.clusterListLength() != y.clusterListLength()) {
            return sign(x.clusterListLength() < y.clusterListLength(), BestPathReason.CLUSTER_LIST_LENGTH);
        }
        int c = compareAddress(pa.address, pb.address);
        if (c != 0) {
            return sign(c < 0, BestPathReason.PEER_ADDRESS);
        }
        return BestPathReason.EQUAL.ordinal();
    }

    private static int sign(boolean aWins, BestPathReason r) {
        return aWins ? r.ordinal() : -r.ordinal();
    }

    private static int compareAddress(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        return Arrays.compareUnsigned(a, b);
    }
}
