package io.gannet.bgp.rib;

import static io.gannet.bgp.wire.attr.PathAttributes.HAS_LOCAL_PREF;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_MED;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_NEXT_HOP;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_NEXT_HOP6;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_ORIGINATOR_ID;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.RibViews.PathView;
import io.gannet.bgp.rib.RibViews.PeerCounters;
import io.gannet.bgp.rib.RibViews.RibSize;
import io.gannet.bgp.rib.RibViews.RouteView;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.bgp.wire.attr.UpdateDecoder;
import io.gannet.bgp.wire.attr.UpdateError;
import io.gannet.bgp.wire.attr.UpdateHandler;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.util.internal.ThreadExecutorMap;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker's routing tables and the stages between them (STYLE.md habit 9):
 *
 * <pre>
 * UPDATE --decode--> import checks + import policy --> Adj-RIB-In (post-policy paths, {@link PathStore})
 *        --> Loc-RIB best path + ECMP set ({@link FamilyRib}, a reason per decision)
 *        --> export rules + export policy --> Adj-RIB-Out per peer --> packed UPDATEs
 * </pre>
 *
 * <p>Threading: a Rib is owned by the speaker's single event loop. Every method, including the
 * origination and read APIs, must be called on that loop; other threads hop onto it (e.g.
 * {@code eventLoop.execute(() -> rib.announce(route))}). Nothing blocks, nothing locks.
 *
 * <p>Memory: no object per prefix or per path. Prefixes are slots in primitive hash tables,
 * paths are entries of parallel int arrays holding an interned attribute id, and each peer's
 * Adj-RIB-Out is an int array of attribute ids indexed by prefix slot. The pre-policy
 * Adj-RIB-In is not kept: route refresh (RFC 2918) recovers it from the peer when a policy
 * changes.
 *
 * <p>Rules implemented: RFC 4271 9 (decision process, 9.1.2.2 tie-breaks, AS loop rejection),
 * RFC 4456 route reflection (ORIGINATOR_ID, CLUSTER_LIST, loop checks), RFC 1997 well-known
 * communities on export, RFC 6793 (via the codec), RFC 4724 End-of-RIB and helper-side stale
 * routes, RFC 2918 / RFC 7313 route refresh, RFC 4486 max-prefix Cease, RFC 7606 outcomes.
 */
public final class Rib implements RouteProcessor {
    private static final Logger log = LoggerFactory.getLogger(Rib.class);
    static final int LOCAL = 0;
    private static final int CHUNK = 4096;
    private static final long DEFAULT_LOCAL_PREF = 100;
    private static final BestPathReason[] REASONS = BestPathReason.values();

    private final SpeakerConfig config;
    private final int clusterId;
    private final AttributeInterner interner = new AttributeInterner();
    private final UpdateDecoder decoder = new UpdateDecoder(interner);
    private final PathAttributes.Builder scratch = new PathAttributes.Builder();
    private final PathAttributes.Builder policyScratch = new PathAttributes.Builder();
    private final PathStore paths = new PathStore(1024);
    private final FamilyRib[] ribs = {
            new FamilyRib(AddressFamily.IPV4_UNICAST, 1024), new FamilyRib(AddressFamily.IPV6_UNICAST, 1024)};
    private final IntQueue[] emptied = {new IntQueue(), new IntQueue()};
    private final Map<String, PeerState> byName = new HashMap<>();
    private PeerState[] peers = new PeerState[16];
    private int peerCount;
    private final Map<Prefix, LocalRoute> localRoutes = new HashMap<>();
    private final UpdateWriter writer = new UpdateWriter();
    private final Inbound inbound = new Inbound();

    // Per-drain export caches: (source attribute id, source peer, policy decision) -> exported id.
    private final LongIntMap exportCache = new LongIntMap();
    private int[] exportHeld = new int[64];
    private int exportHeldCount;
    // Chunk scratch for packing.
    private final int[] chunkSlot = new int[CHUNK];
    private final int[] chunkTarget = new int[CHUNK];
    private final long[] chunkOrder = new long[CHUNK];
    private boolean draining;
    private boolean keepPrePolicy;
    private boolean holdEndOfRib;
    private RouteListener listener;
    private int[] ecmpScratch = new int[16];
    private int sweepThreshold = 4096;
    private int openTarget = -1; // attribute id of the UPDATE the writer holds open (0 = withdrawals)
    private java.util.concurrent.Executor exportExecutor;
    private boolean exportScheduled;

    public Rib(SpeakerConfig config) {
        this.config = config;
        this.clusterId = (int) (config.clusterId() != 0 ? config.clusterId() : config.routerId());
        PeerState local = new PeerState(LOCAL, "local");
        local.routerId = config.routerId();
        local.negotiatedFamily[0] = true;
        local.negotiatedFamily[1] = true;
        peers[peerCount++] = local;
    }

    // ---------------------------------------------------------------- session events

    @Override
    public void peerEstablished(PeerLink link) {
        PeerState p = stateFor(link.config());
        p.link = link;
        p.config = link.config();
        p.negotiated = link.negotiated();
        p.ibgp = p.negotiated.ibgp();
        p.routerId = p.negotiated.remoteRouterId();
        p.address = link.remoteAddress().getAddress();
        p.routeReflectorClient = p.config.routeReflectorClient() && p.ibgp;
        p.resetting = false;
        p.keepRaw = keepPrePolicy;
        p.maxPrefixWarned = false;
        p.advertised = 0;
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            p.negotiatedFamily[f] = p.negotiated.families().contains(ribs[f].family);
            p.adjOut[f] = null;
            p.pending[f].clear();
            p.eorrPending[f] = false;
            p.eorPending[f] = p.negotiatedFamily[f];
            if (p.negotiatedFamily[f]) {
                enqueueTable(p, f);
            }
        }
        log.info("peer {} established: {} families {}", p.name, p.ibgp ? "iBGP" : "eBGP", p.negotiated.families());
        drainAll();
    }

    @Override
    public void updateReceived(PeerLink link, ByteBuf body) {
        PeerState p = byName.get(link.config().name());
        if (p == null || p.link != link || p.resetting) {
            return;
        }
        inbound.begin(p);
        UpdateError error;
        try {
            error = decoder.decode(body, p.negotiated.fourOctetAs(), p.ibgp, inbound);
        } finally {
            inbound.end();
        }
        if (interner.size() > sweepThreshold) {
            // Sets a policy rejected were interned by the decoder but never stored: drop them.
            interner.sweep();
            sweepThreshold = Math.max(4096, interner.size() * 2);
        }
        if (error != null) {
            if (error.action() == UpdateError.Action.SESSION_RESET) {
                log.warn("peer {}: {} -> session reset", p.name, error);
                if (!p.resetting && p.link == link) {
                    p.resetting = true;
                    link.reset(error.code(), error.subcode(), error.data());
                }
            } else {
                log.info("peer {}: {}", p.name, error);
            }
        }
        java.util.concurrent.Executor loop = exportExecutor != null ? exportExecutor : ThreadExecutorMap.currentExecutor();
        if (loop == null) {
            drainAll();
        } else if (!exportScheduled) {
            // On a netty loop, tasks run after the reads in progress: one export for many UPDATEs.
            exportScheduled = true;
            loop.execute(this::deferredDrain);
        }
    }

    /**
     * Coalesces exports: instead of encoding after every received UPDATE, encode once after the
     * loop has processed everything it read in one go (a task on the loop runs after the current
     * batch of reads). Fuller outgoing UPDATEs, fewer flushes. {@code loop} must be the speaker's
     * event loop; call once, on that loop, before sessions come up. Without it, a Rib running on a
     * netty event loop finds that loop itself ({@code ThreadExecutorMap}); elsewhere (unit tests)
     * it exports right after each UPDATE.
     */
    public void deferExports(java.util.concurrent.Executor loop) {
        this.exportExecutor = loop;
    }

    private void deferredDrain() {
        exportScheduled = false;
        drainAll();
    }

    @Override
    public void routeRefreshReceived(PeerLink link, int afi, int safi, int subtype) {
        PeerState p = byName.get(link.config().name());
        int f = PeerState.familyIndex(afi, safi);
        if (p == null || p.link != link || f < 0 || !p.negotiatedFamily[f]) {
            return;
        }
        switch (subtype) {
            case 0 -> {
                // RFC 2918 3: re-advertise the Adj-RIB-Out; RFC 7313 4 brackets it with BoRR/EoRR.
                boolean enhanced = p.negotiated.enhancedRouteRefresh();
                if (enhanced) {
                    link.send(routeRefresh(link, afi, safi, 1));
                    p.eorrPending[f] = true;
                }
                forgetAdjOut(p, f);
                enqueueTable(p, f);
                drainAll();
            }
            case 1 -> markStale(p, f); // BoRR: paths not re-sent before EoRR are stale (RFC 7313 4)
            case 2 -> {
                sweepStale(p, f);       // EoRR: flush what stayed stale
                drainAll();
            }
            default -> log.debug("peer {}: ignoring ROUTE-REFRESH subtype {}", p.name, subtype);
        }
    }

    @Override
    public void peerDown(PeerLink link, boolean retainStale) {
        PeerState p = byName.get(link.config().name());
        if (p == null || p.link != link) {
            return;
        }
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            forgetAdjOut(p, f);
            dropRaw(p, f);
            p.adjOut[f] = null;
            p.pending[f].clear();
            p.eorPending[f] = false;
            p.eorrPending[f] = false;
        }
        p.link = null;
        p.resetting = false;
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            if (retainStale) {
                markStale(p, f); // RFC 4724 4.2: keep the routes, marked stale
            } else {
                removeAll(p, f, false);
            }
        }
        log.info("peer {} down, routes {}", p.name, retainStale ? "kept as stale" : "withdrawn");
        drainAll();
    }

    @Override
    public void staleTimerExpired(PeerLink link) {
        PeerState p = byName.get(link.config().name());
        if (p == null) {
            return;
        }
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            sweepStale(p, f);
        }
        drainAll();
    }

    @Override
    public void peerWritable(PeerLink link) {
        PeerState p = byName.get(link.config().name());
        if (p != null && p.link == link) {
            drainPeer(p);
            releaseEmptied();
        }
    }

    // ---------------------------------------------------------------- origination API

    /** Announces (or replaces) a locally originated route. Call on the speaker loop. */
    public void announce(LocalRoute route) {
        Prefix px = route.prefix();
        scratch.clear().origin(route.origin()).emptyAsPath();
        if (route.nextHop() != null) {
            setNextHop(scratch, px.ipv6() ? 1 : 0, route.nextHop().getAddress());
        }
        if (route.med() != null) {
            scratch.med(route.med());
        }
        if (route.localPref() != null) {
            scratch.localPref(route.localPref());
        }
        for (int c : route.communities()) {
            scratch.addCommunity(c);
        }
        for (var c : route.largeCommunities()) {
            scratch.addLargeCommunity((int) c.global(), (int) c.local1(), (int) c.local2());
        }
        PathAttributes a = interner.intern(scratch);
        localRoutes.put(px, route);
        upsert(peers[LOCAL], px.ipv6() ? 1 : 0, px.hi(), px.lo(), px.length(), a.id());
        drainAll();
    }

    /** Withdraws a locally originated route; false if it was not announced. Call on the speaker loop. */
    public boolean withdraw(Prefix prefix) {
        if (localRoutes.remove(prefix) == null) {
            return false;
        }
        remove(peers[LOCAL], prefix.ipv6() ? 1 : 0, prefix.hi(), prefix.lo(), prefix.length());
        drainAll();
        return true;
    }

    /**
     * Registers the one listener told about best-path / ECMP changes (null to remove). With
     * {@code maxPaths} 1 it hears only best-path changes; with multipath it hears every reselection.
     */
    public void listen(RouteListener l) {
        this.listener = l;
    }

    /**
     * Graceful restart, restarting side (RFC 4724 4.1): while held, sessions get the table but
     * not End-of-RIB, so a peer keeps our stale routes until everything we mean to originate
     * after a restart (PodCIDR, VIPs) has been announced again. Hold before the speaker starts,
     * announce, then release (the caller bounds the hold with its own timer). Call on the loop.
     */
    public void holdEndOfRib(boolean hold) {
        holdEndOfRib = hold;
        if (!hold) {
            drainAll();
        }
    }

    /**
     * Keeps each peer's pre-policy Adj-RIB-In (what it sent, before import policy) for sessions
     * established from now on, so {@link #reconfigure} can re-apply a changed import policy without
     * asking the peer, and {@link #receivedRoutes} can show it. Costs an int per prefix per peer.
     */
    public void keepPrePolicy(boolean keep) {
        keepPrePolicy = keep;
    }

    /** What a peer sent, before import policy (only with {@link #keepPrePolicy}); empty otherwise. */
    public List<Map.Entry<Prefix, PathAttributes>> receivedRoutes(String peer, AddressFamily family) {
        PeerState p = byName.get(peer);
        int f = PeerState.familyIndex(family);
        List<Map.Entry<Prefix, PathAttributes>> out = new ArrayList<>();
        if (p == null || f < 0 || p.adjInRaw[f] == null) {
            return out;
        }
        int[] raw = p.adjInRaw[f];
        PrefixTable t = ribs[f].prefixes;
        for (int s = 0; s < raw.length && s < t.highWater(); s++) {
            if (raw[s] != 0 && t.live(s)) {
                Prefix px = f == 0 ? Prefix.ipv4((int) t.hi(s), t.length(s)) : Prefix.ipv6(t.hi(s), t.lo(s), t.length(s));
                out.add(Map.entry(px, interner.get(raw[s])));
            }
        }
        out.sort(Map.Entry.comparingByKey());
        return out;
    }

    /** What {@link #reconfigure} did. */
    public enum Reconfigured {
        /** Policies re-applied in place (export always; import from the kept pre-policy view). */
        APPLIED,
        /** Export re-applied; the peer was asked to resend its routes (RFC 2918) for the new import policy. */
        REFRESH_REQUESTED,
        /** Export re-applied; the new import policy only applies after the session restarts. */
        RESTART_REQUIRED,
        /** No session: the new configuration applies when it comes up. */
        NOT_ESTABLISHED
    }

    /**
     * Applies a peer's changed policies (and route-reflector-client flag) to a live session
     * without resetting it (STYLE.md habit 15). Other PeerConfig changes need a new session.
     */
    public Reconfigured reconfigure(PeerConfig config) {
        PeerState p = stateFor(config);
        if (p.link == null) {
            return Reconfigured.NOT_ESTABLISHED;
        }
        p.routeReflectorClient = config.routeReflectorClient() && p.ibgp;
        Reconfigured result;
        if (p.keepRaw) {
            inbound.begin(p);
            try {
                for (int f = 0; f < PeerState.FAMILIES; f++) {
                    int[] raw = p.adjInRaw[f];
                    if (raw == null) {
                        continue;
                    }
                    PrefixTable t = ribs[f].prefixes;
                    for (int s = 0; s < raw.length; s++) {
                        if (raw[s] != 0) {
                            inbound.apply(f, t.hi(s), t.lo(s), t.length(s), interner.get(raw[s]));
                        }
                    }
                }
            } finally {
                inbound.end();
            }
            result = Reconfigured.APPLIED;
        } else if (p.negotiated.routeRefresh()) {
            for (int f = 0; f < PeerState.FAMILIES; f++) {
                if (p.negotiatedFamily[f]) {
                    AddressFamily fam = ribs[f].family;
                    p.link.send(routeRefresh(p.link, fam.afi(), fam.safi(), 0));
                }
            }
            p.link.flush();
            result = Reconfigured.REFRESH_REQUESTED;
        } else {
            result = Reconfigured.RESTART_REQUIRED;
        }
        // Export: recompute every prefix for this peer; only differences are sent.
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            if (p.negotiatedFamily[f]) {
                FamilyRib r = ribs[f];
                for (int s = 0; s < r.prefixes.highWater(); s++) {
                    int[] out = p.adjOut[f];
                    if (r.prefixes.live(s) && (r.best[s] >= 0 || (out != null && s < out.length && out[s] != 0))) {
                        p.pending[f].add(s);
                    }
                }
            }
        }
        drainAll();
        return result;
    }

    /** The routes this speaker originates. */
    public List<LocalRoute> localRoutes() {
        return localRoutes.values().stream().sorted(Comparator.comparing(LocalRoute::prefix)).toList();
    }

    // ---------------------------------------------------------------- read API (operator surface)

    /** Every prefix of a family with its candidate paths, best and ECMP set first, sorted by prefix. */
    public List<RouteView> routes(AddressFamily family) {
        int f = PeerState.familyIndex(family);
        List<RouteView> out = new ArrayList<>();
        if (f < 0) {
            return out;
        }
        FamilyRib r = ribs[f];
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s) && r.head[s] >= 0) {
                out.add(view(f, s));
            }
        }
        out.sort(Comparator.comparing(RouteView::prefix));
        return out;
    }

    /** One prefix in detail (every candidate path and why the best won), or null if unknown. */
    public RouteView route(Prefix prefix) {
        int f = prefix.ipv6() ? 1 : 0;
        int s = ribs[f].prefixes.find(prefix.hi(), prefix.lo(), prefix.length());
        return s < 0 || ribs[f].head[s] < 0 ? null : view(f, s);
    }

    /** Counters of every configured-or-seen peer (not the local origin). */
    public List<PeerCounters> peerCounters() {
        List<PeerCounters> out = new ArrayList<>();
        for (int i = 1; i < peerCount; i++) {
            PeerState p = peers[i];
            out.add(new PeerCounters(p.name, p.received, p.accepted, p.advertised, p.established()));
        }
        return out;
    }

    /** Counters of one peer by configured name, or null. */
    public PeerCounters peerCounters(String name) {
        PeerState p = byName.get(name);
        return p == null ? null : new PeerCounters(p.name, p.received, p.accepted, p.advertised, p.established());
    }

    /** Loc-RIB sizes per family. */
    public List<RibSize> sizes() {
        List<RibSize> out = new ArrayList<>();
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            FamilyRib r = ribs[f];
            int prefixes = 0;
            int pathCount = 0;
            for (int s = 0; s < r.prefixes.highWater(); s++) {
                if (r.prefixes.live(s) && r.head[s] >= 0) {
                    prefixes++;
                    for (int q = r.head[s]; q >= 0; q = paths.next[q]) {
                        pathCount++;
                    }
                }
            }
            out.add(new RibSize(r.family, prefixes, pathCount));
        }
        return out;
    }

    /** Distinct interned attribute sets alive (a million prefixes sharing one set count one). */
    public int attributeSets() {
        return interner.size();
    }

    private RouteView view(int f, int s) {
        FamilyRib r = ribs[f];
        PrefixTable t = r.prefixes;
        Prefix px = f == 0 ? Prefix.ipv4((int) t.hi(s), t.length(s)) : Prefix.ipv6(t.hi(s), t.lo(s), t.length(s));
        int best = r.best[s];
        List<int[]> order = new ArrayList<>();
        for (int q = r.head[s]; q >= 0; q = paths.next[q]) {
            order.add(new int[] {q});
        }
        // best first, then the ECMP set, then the rest in preference order
        order.sort((x, y) -> x[0] == best ? -1 : y[0] == best ? 1 : -Integer.signum(compare(x[0], y[0])));
        List<PathView> views = new ArrayList<>();
        for (int[] e : order) {
            int q = e[0];
            boolean isBest = q == best;
            BestPathReason lost = isBest ? null : REASONS[Math.abs(compare(best, q))];
            views.add(new PathView(peers[paths.peer[q]].name, interner.get(paths.attr[q]), isBest,
                    paths.has(q, PathStore.MULTIPATH), paths.has(q, PathStore.STALE), lost));
        }
        return new RouteView(px, List.copyOf(views), REASONS[r.reason[s]]);
    }

    // ---------------------------------------------------------------- Adj-RIB-In and Loc-RIB

    private PeerState stateFor(PeerConfig pc) {
        PeerState p = byName.get(pc.name());
        if (p == null) {
            if (peerCount == peers.length) {
                peers = Arrays.copyOf(peers, peerCount * 2);
            }
            p = new PeerState(peerCount, pc.name());
            peers[peerCount++] = p;
            byName.put(pc.name(), p);
        }
        p.config = pc;
        return p;
    }

    /** The decoder's callbacks for one UPDATE from one peer: import checks, policy, then the RIB. */
    private final class Inbound implements UpdateHandler {
        private PeerState peer;
        private PathAttributes lastAttrs;
        private boolean lastLooped;
        private int[] decisionCache = new int[8]; // policy statement -> resulting attribute id (0 = unknown)
        private int[] held = new int[8];
        private int heldCount;

        void begin(PeerState p) {
            peer = p;
            lastAttrs = null;
        }

        void end() {
            for (int i = 0; i < heldCount; i++) {
                interner.release(held[i]);
            }
            heldCount = 0;
            peer = null;
            lastAttrs = null;
        }

        private boolean accepting(int f) {
            return peer.link != null && !peer.resetting && peer.negotiatedFamily[f];
        }

        @Override
        public void withdraw4(int address, int length) {
            if (accepting(0)) {
                forgetRaw(peer, 0, address & 0xFFFFFFFFL, 0, length);
                remove(peer, 0, address & 0xFFFFFFFFL, 0, length);
            }
        }

        @Override
        public void withdraw6(long hi, long lo, int length) {
            if (accepting(1)) {
                forgetRaw(peer, 1, hi, lo, length);
                remove(peer, 1, hi, lo, length);
            }
        }

        @Override
        public void announce4(int address, int length, PathAttributes a) {
            announce(0, address & 0xFFFFFFFFL, 0, length, a);
        }

        @Override
        public void announce6(long hi, long lo, int length, PathAttributes a) {
            announce(1, hi, lo, length, a);
        }

        private void announce(int f, long hi, long lo, int length, PathAttributes a) {
            if (!accepting(f)) {
                return;
            }
            peer.received++;
            if (peer.keepRaw) {
                FamilyRib r = ribs[f];
                int s = r.slot(hi, lo, length);
                int[] raw = peer.adjInRaw(f, r.prefixes.capacity());
                if (raw[s] != a.id()) {
                    interner.acquire(a.id());
                    if (raw[s] != 0) {
                        interner.release(raw[s]);
                    }
                    raw[s] = a.id();
                }
            }
            apply(f, hi, lo, length, a);
        }

        /** Import checks and policy, then the Loc-RIB: add, replace, or (if rejected) remove. */
        void apply(int f, long hi, long lo, int length, PathAttributes a) {
            int id = importId(f, hi, lo, length, a);
            if (id == 0) {
                remove(peer, f, hi, lo, length);
            } else {
                upsert(peer, f, hi, lo, length, id);
            }
        }

        /** The attribute id to store after loop checks and import policy, or 0 if rejected. */
        private int importId(int f, long hi, long lo, int length, PathAttributes a) {
            if (a != lastAttrs) {
                lastAttrs = a;
                lastLooped = looped(peer, a);
                Arrays.fill(decisionCache, 0);
            }
            if (lastLooped) {
                return 0;
            }
            Policy policy = peer.config.importPolicy();
            int d = policy.evaluate(f == 1, hi, lo, length, a, false);
            if (d == Policy.REJECTED) {
                return 0;
            }
            if (!policy.changes(d)) {
                return a.id();
            }
            if (d >= decisionCache.length) {
                decisionCache = Arrays.copyOf(decisionCache, d + 8);
            }
            int id = decisionCache[d];
            if (id == 0) {
                id = policy.apply(d, a, policyScratch, interner, null).id();
                decisionCache[d] = id;
                hold(id);
            }
            return id;
        }

        private void hold(int id) {
            interner.acquire(id); // keeps a cached result alive until the UPDATE is done
            if (heldCount == held.length) {
                held = Arrays.copyOf(held, heldCount * 2);
            }
            held[heldCount++] = id;
        }

        @Override
        public void endOfRib(int afi, int safi) {
            int f = PeerState.familyIndex(afi, safi);
            if (f >= 0 && peer.link != null) {
                log.debug("peer {}: End-of-RIB {}", peer.name, ribs[f].family);
                sweepStale(peer, f); // RFC 4724 4.2: what the restarted peer did not re-send is gone
            }
        }
    }

    /** A withdrawal also clears the pre-policy Adj-RIB-In entry. */
    private void forgetRaw(PeerState p, int f, long hi, long lo, int length) {
        int[] raw = p.adjInRaw[f];
        if (raw == null) {
            return;
        }
        int s = ribs[f].prefixes.find(hi, lo, length);
        if (s >= 0 && s < raw.length && raw[s] != 0) {
            interner.release(raw[s]);
            raw[s] = 0;
            if (ribs[f].head[s] < 0) {
                emptied[f].add(s);
            }
        }
    }

    /** Drops a peer's whole pre-policy Adj-RIB-In (session end). */
    private void dropRaw(PeerState p, int f) {
        int[] raw = p.adjInRaw[f];
        p.adjInRaw[f] = null;
        if (raw == null) {
            return;
        }
        for (int s = 0; s < raw.length; s++) {
            if (raw[s] != 0) {
                interner.release(raw[s]);
                if (ribs[f].head[s] < 0) {
                    emptied[f].add(s);
                }
            }
        }
    }

    /** RFC 4271 9.1.2 (own AS in AS_PATH) and RFC 4456 8 (own ORIGINATOR_ID or CLUSTER_ID). */
    private boolean looped(PeerState p, PathAttributes a) {
        if (a.containsAs(p.negotiated.localAs()) || a.containsAs(config.localAs())) {
            return true;
        }
        if (p.ibgp) {
            if (a.has(HAS_ORIGINATOR_ID) && (a.originatorId() & 0xFFFFFFFFL) == config.routerId()) {
                return true;
            }
            return a.clusterListContains(clusterId);
        }
        return false;
    }

    /** Adds or replaces {@code p}'s path for a prefix, then reselects. */
    void upsert(PeerState p, int f, long hi, long lo, int length, int attrId) {
        FamilyRib r = ribs[f];
        int s = r.slot(hi, lo, length);
        int oldBest = r.best[s];
        int oldPeer = oldBest >= 0 ? paths.peer[oldBest] : -1;
        int oldAttr = oldBest >= 0 ? paths.attr[oldBest] : 0;
        for (int q = r.head[s]; q >= 0; q = paths.next[q]) {
            if (paths.peer[q] == p.id) {
                paths.set(q, PathStore.STALE, false);
                if (paths.attr[q] == attrId) {
                    return;
                }
                interner.acquire(attrId);
                interner.release(paths.attr[q]);
                paths.attr[q] = attrId;
                select(f, s, oldPeer, oldAttr);
                return;
            }
        }
        if (p.id != LOCAL && !admitMaxPrefix(p, f)) {
            if (r.head[s] < 0) {
                emptied[f].add(s);
            }
            return;
        }
        int q = paths.allocate(p.id, attrId, r.head[s]);
        r.head[s] = q;
        interner.acquire(attrId);
        p.accepted++;
        if (oldBest >= 0) {
            // Fast path for a new candidate that loses to the current best before the multipath
            // boundary (the common case when many peers send the same table): nothing but the
            // reason can change, and only upwards.
            int c = compare(oldBest, q);
            if (c > 0 && (config.maxPaths() == 1 || !REASONS[c].multipathEqual())) {
                r.reason[s] = (byte) Math.max(r.reason[s], c);
                return;
            }
        }
        select(f, s, oldPeer, oldAttr);
    }

    /** RFC 4486 max-prefix: false when the new prefix must not be admitted. */
    private boolean admitMaxPrefix(PeerState p, int f) {
        long max = p.config.maxPrefixes();
        if (max <= 0 || p.accepted < max) {
            return true;
        }
        switch (p.config.maxPrefixAction()) {
            case WARN -> {
                if (!p.maxPrefixWarned) {
                    p.maxPrefixWarned = true;
                    log.warn("peer {} exceeded max-prefix {}", p.name, max);
                }
                return true;
            }
            case DISCARD_EXTRA -> {
                if (!p.maxPrefixWarned) {
                    p.maxPrefixWarned = true;
                    log.warn("peer {} reached max-prefix {}: further prefixes discarded", p.name, max);
                }
                return false;
            }
            default -> {
                // Cease / Maximum Number of Prefixes Reached: data = AFI, SAFI, upper bound (RFC 4486 4).
                log.warn("peer {} exceeded max-prefix {}: session reset", p.name, max);
                AddressFamily fam = ribs[f].family;
                byte[] data = {(byte) (fam.afi() >>> 8), (byte) fam.afi(), (byte) fam.safi(),
                        (byte) (max >>> 24), (byte) (max >>> 16), (byte) (max >>> 8), (byte) max};
                p.resetting = true;
                p.link.reset(6, 1, data);
                return false;
            }
        }
    }

    /** Removes {@code p}'s path for a prefix, if any, then reselects. */
    void remove(PeerState p, int f, long hi, long lo, int length) {
        FamilyRib r = ribs[f];
        int s = r.prefixes.find(hi, lo, length);
        if (s >= 0) {
            removeFromSlot(p, f, s, false);
        }
    }

    /** Unlinks {@code p}'s path from slot {@code s} (only if stale when {@code onlyStale}). */
    private void removeFromSlot(PeerState p, int f, int s, boolean onlyStale) {
        FamilyRib r = ribs[f];
        int prev = -1;
        for (int q = r.head[s]; q >= 0; prev = q, q = paths.next[q]) {
            if (paths.peer[q] != p.id) {
                continue;
            }
            if (onlyStale && !paths.has(q, PathStore.STALE)) {
                return;
            }
            int oldBest = r.best[s];
            int oldPeer = oldBest >= 0 ? paths.peer[oldBest] : -1;
            int oldAttr = oldBest >= 0 ? paths.attr[oldBest] : 0;
            if (prev < 0) {
                r.head[s] = paths.next[q];
            } else {
                paths.next[prev] = paths.next[q];
            }
            interner.release(paths.attr[q]);
            paths.free(q);
            p.accepted--;
            if (r.best[s] == q) {
                r.best[s] = -1;
            }
            select(f, s, oldPeer, oldAttr);
            if (r.head[s] < 0) {
                emptied[f].add(s);
            }
            return;
        }
    }

    private void removeAll(PeerState p, int f, boolean onlyStale) {
        FamilyRib r = ribs[f];
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s) && r.head[s] >= 0) {
                removeFromSlot(p, f, s, onlyStale);
            }
        }
    }

    private void markStale(PeerState p, int f) {
        FamilyRib r = ribs[f];
        boolean any = false;
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s)) {
                for (int q = r.head[s]; q >= 0; q = paths.next[q]) {
                    if (paths.peer[q] == p.id) {
                        paths.set(q, PathStore.STALE, true);
                        any = true;
                    }
                }
            }
        }
        p.staleFamily[f] |= any;
    }

    private void sweepStale(PeerState p, int f) {
        if (p.staleFamily[f]) {
            p.staleFamily[f] = false;
            removeAll(p, f, true);
        }
    }

    /**
     * Best path and ECMP set of one prefix (RFC 4271 9.1.2); queues the prefix for export when
     * the best path's source or attributes changed.
     */
    private void select(int f, int s, int oldPeer, int oldAttr) {
        FamilyRib r = ribs[f];
        int h = r.head[s];
        int best = -1;
        int reason = BestPathReason.ONLY_PATH.ordinal();
        if (h >= 0) {
            best = h;
            for (int q = paths.next[h]; q >= 0; q = paths.next[q]) {
                if (compare(q, best) > 0) {
                    best = q;
                }
            }
            // One pass: the reason (the step at which the strongest competitor lost) and the
            // paths equal to the best through the IGP-cost step, candidates for the ECMP set.
            int candidates = 0;
            for (int q = h; q >= 0; q = paths.next[q]) {
                paths.set(q, PathStore.MULTIPATH, q == best);
                if (q != best) {
                    int c = compare(best, q);
                    reason = Math.max(reason, c);
                    if (REASONS[c].multipathEqual() && config.maxPaths() > 1) {
                        if (candidates == ecmpScratch.length) {
                            ecmpScratch = Arrays.copyOf(ecmpScratch, candidates * 2);
                        }
                        ecmpScratch[candidates++] = q;
                    }
                }
            }
            int ecmp = 1;
            if (candidates <= config.maxPaths() - 1) {
                for (int k = 0; k < candidates; k++) {
                    paths.set(ecmpScratch[k], PathStore.MULTIPATH, true);
                }
                ecmp += candidates;
            } else {
                // More equal paths than maxPaths allows: keep the first ones in decision order.
                while (ecmp < config.maxPaths()) {
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
            r.multipath[s] = (byte) ecmp;
        } else {
            r.multipath[s] = 0;
        }
        r.best[s] = best;
        r.reason[s] = (byte) reason;
        int newPeer = best >= 0 ? paths.peer[best] : -1;
        int newAttr = best >= 0 ? paths.attr[best] : 0;
        boolean bestChanged = newPeer != oldPeer || newAttr != oldAttr;
        if (listener != null && (bestChanged || config.maxPaths() > 1)) {
            PrefixTable t = r.prefixes;
            listener.changed(f == 1, t.hi(s), t.lo(s), t.length(s), r.multipath[s]);
        }
        if (bestChanged) {
            for (int i = 1; i < peerCount; i++) {
                PeerState p = peers[i];
                if (p.link != null && p.negotiatedFamily[f]) {
                    p.pending[f].add(s);
                }
            }
        }
    }

    /**
     * Compares two paths of one prefix by the decision process.
     *
     * @return the ordinal of the deciding {@link BestPathReason}, positive if {@code a} is
     *         preferred, negative if {@code b} is; {@code +EQUAL} when nothing differs
     */
    int compare(int a, int b) {
        PeerState pa = peers[paths.peer[a]];
        PeerState pb = peers[paths.peer[b]];
        PathAttributes x = interner.get(paths.attr[a]);
        PathAttributes y = interner.get(paths.attr[b]);
        long lpx = x.has(HAS_LOCAL_PREF) ? x.localPref() : DEFAULT_LOCAL_PREF;
        long lpy = y.has(HAS_LOCAL_PREF) ? y.localPref() : DEFAULT_LOCAL_PREF;
        if (lpx != lpy) {
            return sign(lpx > lpy, BestPathReason.LOCAL_PREF);
        }
        boolean lx = pa.id == LOCAL;
        boolean ly = pb.id == LOCAL;
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

    // ---------------------------------------------------------------- export and Adj-RIB-Out

    private void enqueueTable(PeerState p, int f) {
        FamilyRib r = ribs[f];
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s) && r.best[s] >= 0) {
                p.pending[f].add(s);
            }
        }
    }

    /** Forgets what was advertised (route refresh, session end): releases the attribute ids. */
    private void forgetAdjOut(PeerState p, int f) {
        int[] out = p.adjOut[f];
        if (out == null) {
            return;
        }
        for (int s = 0; s < out.length; s++) {
            if (out[s] != 0) {
                interner.release(out[s]);
                out[s] = 0;
                p.advertised--;
            }
        }
    }

    private void drainAll() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            for (int i = 1; i < peerCount; i++) {
                drainPeer(peers[i]);
            }
        } finally {
            draining = false;
        }
        releaseEmptied();
    }

    /** Encodes queued changes for one peer, chunk by chunk, while its socket accepts more. */
    private void drainPeer(PeerState p) {
        if (p.link == null || p.resetting) {
            return;
        }
        PeerLink link = p.link;
        boolean sent = false;
        try {
            for (int f = 0; f < PeerState.FAMILIES; f++) {
                if (!p.negotiatedFamily[f]) {
                    continue;
                }
                IntQueue q = p.pending[f];
                while (!q.isEmpty()) {
                    if (!link.isWritable()) {
                        return; // resumed by peerWritable
                    }
                    sent |= exportChunk(p, f, q);
                    if (p.link != link) {
                        return;
                    }
                }
                finishOpen(link);
                AddressFamily fam = ribs[f].family;
                if (p.eorrPending[f]) {
                    p.eorrPending[f] = false;
                    link.send(routeRefresh(link, fam.afi(), fam.safi(), 2)); // EoRR (RFC 7313 4)
                    sent = true;
                }
                if (p.eorPending[f] && !holdEndOfRib) {
                    p.eorPending[f] = false;
                    link.send(UpdateWriter.endOfRib(link.alloc(), fam.afi(), fam.safi()));
                    sent = true;
                }
            }
        } finally {
            if (p.link == link) {
                finishOpen(link);
            } else {
                writer.discard(); // the session ended while we were encoding
                openTarget = -1;
            }
            clearExportCache();
            if (sent && p.link == link) {
                link.flush();
            }
        }
    }

    /** Takes up to {@link #CHUNK} queued prefixes, computes their new advertisement and sends packed UPDATEs. */
    private boolean exportChunk(PeerState p, int f, IntQueue q) {
        FamilyRib r = ribs[f];
        int[] out = p.adjOut(f, r.prefixes.capacity());
        int n = 0;
        while (n < CHUNK && !q.isEmpty()) {
            int s = q.poll();
            int target = exportId(p, f, s);
            if (target == out[s]) {
                continue;
            }
            chunkSlot[n] = s;
            chunkTarget[n] = target;
            chunkOrder[n] = ((long) target << 32) | n; // groups equal attribute sets together
            n++;
        }
        if (n == 0) {
            return false;
        }
        Arrays.sort(chunkOrder, 0, n);
        PeerLink link = p.link;
        int max = p.negotiated.maxMessageSize();
        boolean four = p.negotiated.fourOctetAs();
        PrefixTable t = r.prefixes;
        for (int k = 0; k < n; k++) {
            int i = (int) chunkOrder[k];
            int s = chunkSlot[i];
            int target = chunkTarget[i];
            if (!writer.active() || target != openTarget) {
                finishOpen(link);
                openTarget = target;
                start(link, f, max, target, four);
            }
            boolean added = f == 0 ? writer.add4((int) t.hi(s), t.length(s)) : writer.add6(t.hi(s), t.lo(s), t.length(s));
            if (!added) {
                link.send(writer.finish());
                start(link, f, max, target, four);
                if (f == 0) {
                    writer.add4((int) t.hi(s), t.length(s));
                } else {
                    writer.add6(t.hi(s), t.lo(s), t.length(s));
                }
            }
            int old = out[s];
            if (target != 0) {
                interner.acquire(target);
                if (old == 0) {
                    p.advertised++;
                }
            } else {
                p.advertised--;
            }
            if (old != 0) {
                interner.release(old);
            }
            out[s] = target;
        }
        // The last message stays open: the next chunk may fill it (finishOpen sends it).
        return true;
    }

    private void finishOpen(PeerLink link) {
        if (writer.active()) {
            link.send(writer.finish());
        }
        openTarget = -1;
    }

    private void start(PeerLink link, int f, int max, int target, boolean four) {
        if (target == 0) {
            if (f == 0) {
                writer.startWithdraw4(link.alloc(), max);
            } else {
                writer.startWithdraw6(link.alloc(), max);
            }
        } else if (f == 0) {
            writer.startAnnounce4(link.alloc(), max, interner.get(target), four);
        } else {
            writer.startAnnounce6(link.alloc(), max, interner.get(target), four);
        }
    }

    /**
     * What peer {@code p} should have for slot {@code s}: the exported attribute id, or 0 for
     * nothing. Applies, in order: split horizon, RFC 1997 well-known communities, the iBGP rule
     * and route reflection (RFC 4456), export policy, then the eBGP/iBGP attribute rewrite.
     */
    private int exportId(PeerState p, int f, int s) {
        FamilyRib r = ribs[f];
        int b = r.best[s];
        if (b < 0) {
            return 0;
        }
        int src = paths.peer[b];
        if (src == p.id) {
            return 0; // never back to the peer it came from
        }
        PeerState sp = peers[src];
        boolean local = src == LOCAL;
        PathAttributes a = interner.get(paths.attr[b]);
        if (a.hasCommunity(AttributeType.NO_ADVERTISE)) {
            return 0;
        }
        if (!p.ibgp && (a.hasCommunity(AttributeType.NO_EXPORT) || a.hasCommunity(AttributeType.NO_EXPORT_SUBCONFED))) {
            return 0;
        }
        if (!local && sp.ibgp && p.ibgp && !(sp.routeReflectorClient || p.routeReflectorClient)) {
            return 0; // RFC 4271 9.2: iBGP-learned routes are not sent to iBGP peers, unless reflecting
        }
        Policy policy = p.config.exportPolicy();
        PrefixTable t = r.prefixes;
        int d = policy.evaluate(f == 1, t.hi(s), t.lo(s), t.length(s), a, local);
        if (d == Policy.REJECTED) {
            return 0;
        }
        long key = ((long) a.id() << 32) | ((long) src << 12) | (d + 2);
        int cached = exportCache.get(key, -1);
        if (cached >= 0) {
            return cached;
        }
        int id = rewrite(p, f, a, sp, local, policy, d);
        exportCache.put(key, id);
        if (id != 0) {
            interner.acquire(id); // keep it alive while cached
            if (exportHeldCount == exportHeld.length) {
                exportHeld = Arrays.copyOf(exportHeld, exportHeldCount * 2);
            }
            exportHeld[exportHeldCount++] = id;
        }
        return id;
    }

    private void clearExportCache() {
        exportCache.clear();
        for (int i = 0; i < exportHeldCount; i++) {
            interner.release(exportHeld[i]);
        }
        exportHeldCount = 0;
    }

    /** The attribute rewrite of RFC 4271 5.1 and RFC 4456 8 for one target peer, then policy actions. */
    private int rewrite(PeerState p, int f, PathAttributes a, PeerState sp, boolean local, Policy policy, int d) {
        byte[] self = p.link.localAddress().getAddress();
        boolean explicitNextHop = (local || policy.keepsNextHop(d)) && (f == 0 ? a.has(HAS_NEXT_HOP) : a.has(HAS_NEXT_HOP6));
        scratch.load(a);
        if (!p.ibgp) {
            scratch.prependAs(p.negotiated.localAs(), 1);      // 5.1.2 b
            scratch.clearLocalPref();                          // 5.1.5: not sent to external peers
            if (!local) {
                scratch.clearMed();                            // 5.1.4: not propagated to other ASes
            }
            scratch.clearOriginatorId().clearClusterList();    // RFC 4456: iBGP-only attributes
            if (!explicitNextHop) {
                setNextHop(scratch, f, self);                  // 5.1.3: next hop self towards eBGP
            }
        } else {
            if (!scratch.has(HAS_LOCAL_PREF)) {
                scratch.localPref(DEFAULT_LOCAL_PREF);         // 5.1.5: always sent to internal peers
            }
            if ((local && !explicitNextHop) || p.config.nextHopSelf()) {
                setNextHop(scratch, f, self);
            }
            if (!local && sp.ibgp) {                           // reflecting (RFC 4456 8)
                if (!scratch.has(HAS_ORIGINATOR_ID)) {
                    scratch.originatorId((int) sp.routerId);
                }
                scratch.prependClusterId(clusterId);
            }
        }
        if (f == 0) {
            scratch.clearNextHop6();
        } else {
            scratch.clearNextHop();
        }
        if (!(f == 0 ? scratch.has(HAS_NEXT_HOP) : scratch.has(HAS_NEXT_HOP6))) {
            setNextHop(scratch, f, self);
        }
        if (f == 0 && !scratch.has(HAS_NEXT_HOP)) {
            // An IPv6 session carrying IPv4 without RFC 8950: the router id is our IPv4 identity.
            scratch.nextHop((int) config.routerId());
        }
        PathAttributes out = interner.intern(scratch);
        if (policy.changes(d)) {
            out = policy.apply(d, out, policyScratch, interner, p.link.localAddress());
        }
        return out.id();
    }

    /** Writes {@code address} as the next hop for family {@code f}; IPv4 becomes ::ffff:a.b.c.d for IPv6 routes. */
    private static void setNextHop(PathAttributes.Builder b, int f, byte[] address) {
        if (f == 0) {
            if (address.length == 4) {
                b.nextHop((address[0] & 0xFF) << 24 | (address[1] & 0xFF) << 16 | (address[2] & 0xFF) << 8
                        | (address[3] & 0xFF));
            }
        } else if (address.length == 16) {
            b.nextHop6(address);
        } else {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(address, 0, mapped, 12, 4);
            b.nextHop6(mapped);
        }
    }

    /** Frees prefix slots that lost their last path once no peer still has them queued or advertised. */
    private void releaseEmptied() {
        for (int i = 1; i < peerCount; i++) {
            PeerState p = peers[i];
            if (p.link != null && (!p.pending[0].isEmpty() || !p.pending[1].isEmpty())) {
                return;
            }
        }
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            IntQueue q = emptied[f];
            FamilyRib r = ribs[f];
            while (!q.isEmpty()) {
                int s = q.poll();
                if (!r.prefixes.live(s) || r.head[s] >= 0 || advertisedAnywhere(f, s)) {
                    continue;
                }
                r.release(s);
            }
        }
    }

    private boolean advertisedAnywhere(int f, int s) {
        for (int i = 1; i < peerCount; i++) {
            int[] out = peers[i].adjOut[f];
            if (out != null && s < out.length && out[s] != 0) {
                return true;
            }
            int[] raw = peers[i].adjInRaw[f];
            if (raw != null && s < raw.length && raw[s] != 0) {
                return true; // still in someone's pre-policy Adj-RIB-In
            }
        }
        return false;
    }

    /** ROUTE-REFRESH (RFC 2918 3, RFC 7313 3): AFI (2), subtype (1), SAFI (1). */
    private static ByteBuf routeRefresh(PeerLink link, int afi, int safi, int subtype) {
        ByteBuf m = link.alloc().buffer(23);
        m.writeLong(-1L).writeLong(-1L).writeShort(23).writeByte(5);
        m.writeShort(afi).writeByte(subtype).writeByte(safi);
        return m;
    }

    /** Loc-RIB slots in use for a family (for tests and metrics). */
    int prefixSlots(int f) {
        return ribs[f].prefixes.size();
    }

    AttributeInterner interner() {
        return interner;
    }
}
