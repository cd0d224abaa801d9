package io.gannet.bgp.rib;

import io.gannet.bgp.rib.RibViews.PathView;
import io.gannet.bgp.rib.RibViews.PeerCounters;
import io.gannet.bgp.rib.RibViews.RibSize;
import io.gannet.bgp.rib.RibViews.RouteView;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The RIB's read API for the operator surface ({@code show routes}, {@code show peer}, the
 * Adj-RIB views): builds {@link RibViews} values from the primitive tables. Reads only; on the
 * speaker loop, as every Rib method.
 */
final class RibQueries {
    private static final BestPathReason[] REASONS = DecisionProcess.REASONS;

    private final Rib rib;
    private final FamilyRib[] ribs;
    private final PathStore paths;
    private final AttributeInterner interner;
    private final Exporter exporter;

    RibQueries(Rib rib, FamilyRib[] ribs, PathStore paths, AttributeInterner interner, Exporter exporter) {
        this.exporter = exporter;
        this.rib = rib;
        this.ribs = ribs;
        this.paths = paths;
        this.interner = interner;
    }

    /**
     * The peer's Adj-RIB-Out: what was sent to it, with the attributes after export policy, in
     * prefix order; empty when the peer is unknown or got nothing. The attributes are what export
     * gives the best path now (as BIRD's {@code show route export}): for a prefix whose change is
     * still queued for the peer, what it is about to be sent. Call on the speaker loop.
     */
    List<Map.Entry<Prefix, PathAttributes>> advertisedRoutes(String peer, AddressFamily family) {
        PeerState p = rib.peerNamed(peer);
        int f = PeerState.familyIndex(family);
        List<Map.Entry<Prefix, PathAttributes>> out = new ArrayList<>();
        if (p == null || f < 0) {
            return out;
        }
        PrefixTable t = ribs[f].prefixes;
        SlotSet sent = p.adjOut[f];
        try {
            for (int s = sent.next(0); s >= 0 && s < t.highWater(); s = sent.next(s + 1)) {
                PathAttributes a = t.live(s) ? exporter.exported(p, f, s) : null;
                if (a != null) {
                    out.add(Map.entry(prefix(t, f, s), a));
                }
            }
        } finally {
            exporter.endQuery();
        }
        out.sort(Map.Entry.comparingByKey());
        return out;
    }

    /** What a peer sent, before import policy (only with {@link Rib#keepPrePolicy}); empty otherwise. */
    List<Map.Entry<Prefix, PathAttributes>> receivedRoutes(String peer, AddressFamily family) {
        PeerState p = rib.peerNamed(peer);
        int f = PeerState.familyIndex(family);
        return p == null || f < 0 ? List.of() : entries(f, p.adjInRaw[f], s -> true);
    }

    /**
     * What a peer sent that is not in the Loc-RIB from it: refused by import policy, by the AS
     * loop check, or for a next hop of our own (BIRD's {@code show route filtered}, FRR's
     * {@code filtered-routes}). Only with {@link Rib#keepPrePolicy}; empty otherwise. Call on the loop.
     */
    List<Map.Entry<Prefix, PathAttributes>> rejectedRoutes(String peer, AddressFamily family) {
        PeerState p = rib.peerNamed(peer);
        int f = PeerState.familyIndex(family);
        return p == null || f < 0 ? List.of() : entries(f, p.adjInRaw[f], s -> !hasPathFrom(ribs[f], s, p.id));
    }

    /** The prefixes of family {@code f} whose slot holds an attribute id in {@code ids} (and passes {@code keep}), sorted. */
    private List<Map.Entry<Prefix, PathAttributes>> entries(int f, IntPages ids, java.util.function.IntPredicate keep) {
        List<Map.Entry<Prefix, PathAttributes>> out = new ArrayList<>();
        if (ids == null) {
            return out;
        }
        PrefixTable t = ribs[f].prefixes;
        for (int s = 0; s < ids.capacity() && s < t.highWater(); s++) {
            if (ids.get(s) != 0 && t.live(s) && keep.test(s)) {
                Prefix px = prefix(t, f, s);
                out.add(Map.entry(px, interner.get(ids.get(s))));
            }
        }
        out.sort(Map.Entry.comparingByKey());
        return out;
    }

    private static Prefix prefix(PrefixTable t, int f, int s) {
        return f == 0 ? Prefix.ipv4((int) t.hi(s), t.length(s)) : Prefix.ipv6(t.hi(s), t.lo(s), t.length(s));
    }

    private boolean hasPathFrom(FamilyRib r, int s, int peerId) {
        for (int q = r.head.get(s); q >= 0; q = paths.next.get(q)) {
            if (paths.peer(q) == peerId) {
                return true;
            }
        }
        return false;
    }

    /** Every prefix of a family with its candidate paths, best and ECMP set first, sorted by prefix. */
    List<RouteView> routes(AddressFamily family) {
        int f = PeerState.familyIndex(family);
        List<RouteView> out = new ArrayList<>();
        if (f < 0) {
            return out;
        }
        FamilyRib r = ribs[f];
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s) && r.head.get(s) >= 0) {
                out.add(view(f, s));
            }
        }
        out.sort(Comparator.comparing(RouteView::prefix));
        return out;
    }

    /** One prefix in detail (every candidate path and why the best won), or null if unknown. */
    RouteView route(Prefix prefix) {
        int f = prefix.ipv6() ? 1 : 0;
        int s = ribs[f].prefixes.find(prefix.hi(), prefix.lo(), prefix.length());
        return s < 0 || ribs[f].head.get(s) < 0 ? null : view(f, s);
    }

    /** Counters of every configured-or-seen peer (not the local origin). */
    List<PeerCounters> peerCounters() {
        List<PeerCounters> out = new ArrayList<>();
        for (int i = 1; i < rib.peerCount(); i++) {
            PeerState p = rib.peerAt(i);
            out.add(counters(p));
        }
        return out;
    }

    /**
     * The peers whose Adj-RIB-Out holds {@code prefix} (sent to them, after export policy),
     * in peer order. Call on the speaker loop.
     */
    List<String> advertisedTo(Prefix prefix) {
        int f = prefix.ipv6() ? 1 : 0;
        int s = ribs[f].prefixes.find(prefix.hi(), prefix.lo(), prefix.length());
        List<String> out = new ArrayList<>();
        for (int i = 1; s >= 0 && i < rib.peerCount(); i++) {
            if (rib.peerAt(i).adjOut[f].contains(s)) {
                out.add(rib.peerAt(i).name);
            }
        }
        return out;
    }

    /** Counters of one peer by configured name, or null. */
    PeerCounters peerCounters(String name) {
        PeerState p = rib.peerNamed(name);
        return p == null ? null : counters(p);
    }

    static PeerCounters counters(PeerState p) {
        return new PeerCounters(p.name, p.received, p.accepted, p.advertised, p.established(), p.preferred,
                new PeerCounters.Changes(p.importUpdatesReceived, p.importUpdatesRejected, p.importUpdatesFiltered,
                        p.importUpdatesIgnored, p.importUpdatesAccepted,
                        p.importWithdrawsReceived, p.importWithdrawsAccepted, p.exportUpdatesSent, p.exportWithdrawsSent));
    }

    /** Loc-RIB sizes per family. */
    List<RibSize> sizes() {
        List<RibSize> out = new ArrayList<>();
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            FamilyRib r = ribs[f];
            int prefixes = 0;
            int pathCount = 0;
            for (int s = 0; s < r.prefixes.highWater(); s++) {
                if (r.prefixes.live(s) && r.head.get(s) >= 0) {
                    prefixes++;
                    for (int q = r.head.get(s); q >= 0; q = paths.next.get(q)) {
                        pathCount++;
                    }
                }
            }
            out.add(new RibSize(r.family, prefixes, pathCount));
        }
        return out;
    }

    RouteView view(int f, int s) {
        FamilyRib r = ribs[f];
        PrefixTable t = r.prefixes;
        Prefix px = prefix(t, f, s);
        int best = r.best.get(s);
        List<int[]> order = new ArrayList<>();
        for (int q = r.head.get(s); q >= 0; q = paths.next.get(q)) {
            order.add(new int[] {q});
        }
        // best first, then the ECMP set, then the rest in preference order
        order.sort((x, y) -> x[0] == best ? -1 : y[0] == best ? 1 : -Integer.signum(rib.compare(x[0], y[0])));
        List<PathView> views = new ArrayList<>();
        for (int[] e : order) {
            int q = e[0];
            boolean isBest = q == best;
            BestPathReason lost = isBest ? null : REASONS[Math.abs(rib.compare(best, q))];
            views.add(new PathView(rib.peerAt(paths.peer(q)).name, interner.get(paths.attr.get(q)), isBest,
                    paths.has(q, PathStore.MULTIPATH), paths.has(q, PathStore.STALE), lost));
        }
        return new RouteView(px, List.copyOf(views), REASONS[r.reason.get(s)]);
    }
}
