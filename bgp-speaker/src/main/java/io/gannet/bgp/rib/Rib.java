package io.gannet.bgp.rib;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.RibViews.PeerCounters;
import io.gannet.bgp.rib.RibViews.RibSize;
import io.gannet.bgp.rib.RibViews.RouteView;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.bgp.wire.attr.UpdateDecoder;
import io.gannet.bgp.wire.attr.UpdateError;
import io.netty.buffer.ByteBuf;
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
 * UPDATE --decode--> [pre-policy Adj-RIB-In, optional] --> import checks + import policy
 *        --> Adj-RIB-In (post-policy paths, {@link PathStore})
 *        --> Loc-RIB best path + ECMP set ({@link DecisionProcess}, a reason per decision)
 *        --> export rules + export policy + rewrite ({@link Exporter}) --> Adj-RIB-Out per peer
 *        --> packed UPDATEs
 * </pre>
 *
 * <p>Parts: {@link Importer} (UPDATEs into the Adj-RIB-In and Loc-RIB), {@link DecisionProcess},
 * {@link Exporter} (Adj-RIB-Out, UPDATE packing), {@link RibReconfigurer} (policy changes on live
 * sessions), {@link RibQueries} (the read API's views) and {@link RibCompactor} (table shrinking);
 * this class holds the tables and the session events that tie them together.
 *
 * <p>Threading: a Rib is owned by the speaker's single event loop. Every method, including the
 * origination and read APIs, must be called on that loop; other threads hop onto it (e.g.
 * {@code eventLoop.execute(() -> rib.announce(route))}). Nothing blocks, nothing locks.
 *
 * <p>Memory: no object per prefix or per path. Prefixes are slots in primitive hash tables,
 * paths are entries of parallel int arrays holding an interned attribute id, and each peer's
 * Adj-RIB-Out is an int array of attribute ids indexed by prefix slot. The pre-policy
 * Adj-RIB-In is kept only when asked ({@link #keepPrePolicy}); otherwise {@link #reconfigure}
 * recovers it from the peer with a route refresh (RFC 2918).
 *
 * <p>Rules implemented: RFC 4271 9 (decision process, 9.1.2.2 tie-breaks, AS loop rejection),
 * RFC 4456 route reflection (ORIGINATOR_ID, CLUSTER_LIST, loop checks), RFC 1997 well-known
 * communities on export, RFC 6793 (via the codec), RFC 4724 End-of-RIB and helper-side stale
 * routes, RFC 2918 / RFC 7313 route refresh, RFC 4486 max-prefix Cease, RFC 7606 outcomes.
 */
public final class Rib implements RouteProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(Rib.class);
    /** {@link #LOG}, or a silent logger for the start-up warm-up's throw-away RIB. */
    private final Logger log;
    static final int LOCAL = 0;
    /** How long tables must stay mostly empty after a peer left before they shrink (on the loop). */
    static final long TRIM_DELAY_MILLIS = 30_000;
    private static final long DEFAULT_LOCAL_PREF = DecisionProcess.DEFAULT_LOCAL_PREF;
    private static final BestPathReason[] REASONS = DecisionProcess.REASONS;

    private final SpeakerConfig config;
    private final int clusterId;
    private final AttributeInterner interner = new AttributeInterner();
    private final UpdateDecoder decoder = new UpdateDecoder(interner);
    private final AttributesBuilder scratch = new AttributesBuilder();
    private final PathStore paths = new PathStore(1024);
    private final FamilyRib[] ribs = {
            new FamilyRib(AddressFamily.IPV4_UNICAST, 1024), new FamilyRib(AddressFamily.IPV6_UNICAST, 1024)};
    private final SlotQueue[] emptied = {new SlotQueue(), new SlotQueue()};
    private final Map<String, PeerState> byName = new HashMap<>();
    private PeerState[] peers = new PeerState[16];
    private int peerCount;
    private final Map<Prefix, LocalRoute> localRoutes = new HashMap<>();
    private final Importer importer;
    private final RibCompactor compactor;
    private final DecisionProcess decision;
    private final Exporter exporter;
    private final RibQueries queries;
    private final RibReconfigurer reconfigurer;

    private boolean draining;
    /** The host's addresses (RFC 4271 6.3 own-next-hop check), re-read when a session comes up. */
    private boolean fixedLocalAddresses;
    /** RFC 2545 3: our link-local address towards a peer on a shared link (tests replace it). */
    java.util.function.BiFunction<java.net.InetAddress, java.net.InetAddress, byte[]> linkLocalFinder = LinkLocalNextHop::find;
    private long localAddressesReadAt = System.nanoTime() - Long.MAX_VALUE / 2;
    private static final long LOCAL_ADDRESSES_MAX_AGE_NANOS = 1_000_000_000L;
    private boolean keepPrePolicy;
    /** {@code importId}: refused as invalid (AS_PATH loop, a next hop of our own), not by policy. */
    private RouteListener listener;
    /** Told how long each UPDATE took to decode and apply (nanoseconds), or null. */
    private java.util.function.LongConsumer updateLatency;
    private int sweepThreshold = 4096;
    private java.util.concurrent.Executor exportExecutor;
    private boolean exportScheduled;
    private boolean trimRequested;
    private boolean trimScheduled;
    private boolean trimNow;
    long trimDelayMillis = TRIM_DELAY_MILLIS; // tests shorten it

    public Rib(SpeakerConfig config) {
        this(config, LOG);
    }

    /** A RIB that logs to {@code log} ({@link RibWarmUp} passes a silent one). */
    Rib(SpeakerConfig config, Logger log) {
        this.log = log;
        this.config = config;
        this.clusterId = (int) (config.clusterId() != 0 ? config.clusterId() : config.routerId());
        PeerState local = new PeerState(LOCAL, "local");
        local.routerId = config.routerId();
        local.negotiatedFamily[0] = true;
        local.negotiatedFamily[1] = true;
        peers[peerCount++] = local;
        decision = new DecisionProcess(config.maxPaths(), paths, interner, peers);
        exporter = new Exporter(config, clusterId, interner, paths, ribs, peers);
        importer = new Importer(this, config, clusterId, interner, ribs, emptied, log);
        compactor = new RibCompactor(ribs, paths, emptied);
        queries = new RibQueries(this, ribs, paths, interner, exporter);
        reconfigurer = new RibReconfigurer(this, ribs, interner, importer, exporter, log);
    }

    // ---------------------------------------------------------------- for RibQueries and RibReconfigurer

    int peerCount() {
        return peerCount;
    }

    PeerState peerAt(int id) {
        return peers[id];
    }

    PeerState peerNamed(String name) {
        return byName.get(name);
    }

    // ---------------------------------------------------------------- session events

    @Override
    public void peerEstablished(PeerLink link) {
        PeerState p = stateFor(link.config());
        if (p.link != null && p.link != link) {
            // A new session without peerDown for the old one: forget what the old one was sent.
            for (int f = 0; f < PeerState.FAMILIES; f++) {
                forgetAdjOut(p, f);
                importer.dropRaw(p, f);
            }
        }
        forgetReceived(p);
        p.link = link;
        p.config = link.config();
        p.negotiated = link.negotiated();
        p.ibgp = p.negotiated.ibgp();
        p.routerId = p.negotiated.remoteRouterId();
        p.address = link.remoteAddress().getAddress();
        p.sessionLocal = link.localAddress() == null ? LocalAddresses.NONE : LocalAddresses.of(List.of(link.localAddress()));
        p.ownNextHopIgnored = 0;
        p.linkLocal = link.localAddress() == null ? null : linkLocalFinder.apply(link.localAddress(), link.remoteAddress());
        if (!fixedLocalAddresses && System.nanoTime() - localAddressesReadAt > LOCAL_ADDRESSES_MAX_AGE_NANOS) {
            // Addresses change; a session start is a cheap moment to look (at most once a second:
            // a thousand sessions coming up read the interfaces once).
            importer.localAddresses = LocalAddresses.ofInterfaces();
            localAddressesReadAt = System.nanoTime();
        }
        p.routeReflectorClient = p.config.routeReflectorClient() && p.ibgp;
        p.resetting = false;
        p.keepRaw = keepsReceived(p.config);
        p.maxPrefixWarned = false;
        p.advertised = 0;
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            p.negotiatedFamily[f] = p.negotiated.families().contains(ribs[f].family);
            p.adjOut[f].clear();
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

    /** Replaces the host's address list read from the interfaces (tests; a host that knows better). */
    public void localAddresses(LocalAddresses addresses) {
        importer.localAddresses = addresses;
        fixedLocalAddresses = true;
    }

    @Override
    public void updateReceived(PeerLink link, ByteBuf body) {
        PeerState p = byName.get(link.config().name());
        if (p == null || p.link != link || p.resetting) {
            return;
        }
        long started = updateLatency == null ? 0 : System.nanoTime();
        importer.begin(p);
        UpdateError error;
        try {
            error = decoder.decode(body, p.negotiated.fourOctetAs(), p.ibgp, p.negotiated.extendedNextHop4(), importer);
        } finally {
            importer.end();
        }
        if (updateLatency != null) {
            // Decode, policy and Loc-RIB changes; the (coalesced) export is not included.
            updateLatency.accept(System.nanoTime() - started);
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
                malformed(p, error);
            }
        }
        java.util.concurrent.Executor loop = exportExecutor;
        if (loop == null) {
            drainAll();
        } else if (!exportScheduled) {
            // On a netty loop, tasks run after the reads in progress: one export for many UPDATEs.
            exportScheduled = true;
            try {
                loop.execute(this::deferredDrain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                exportScheduled = false; // the loop is shutting down: export now
                drainAll();
            }
        }
    }

    /**
     * RFC 7606 2: a malformed UPDATE treated as withdraw (or an attribute discarded) is logged, as
     * a warning the daemon's log keeps: the first at once, then at most one a minute per peer
     * with the count of those not logged in between, so a peer that keeps sending them cannot
     * flood the log.
     */
    private void malformed(PeerState p, UpdateError error) {
        long now = System.nanoTime();
        if (p.malformedLoggedNanos != 0 && now - p.malformedLoggedNanos < MALFORMED_LOG_INTERVAL_NANOS) {
            p.malformedUnlogged++;
            return;
        }
        log.warn("peer {}: malformed UPDATE: {}{}", p.name, error.describe(),
                p.malformedUnlogged == 0 ? "" : " (and " + p.malformedUnlogged + " more since the last report)");
        p.malformedLoggedNanos = now;
        p.malformedUnlogged = 0;
    }

    private static final long MALFORMED_LOG_INTERVAL_NANOS = 60_000_000_000L;

    /**
     * Coalesces exports: instead of encoding after every received UPDATE, encode once after the
     * loop has processed everything it read in one go (a task on the loop runs after the current
     * batch of reads). Fuller outgoing UPDATEs, fewer flushes. {@code loop} must be the speaker's
     * event loop (the speaker passes it through {@link #attachLoop}) or, in tests, any executor;
     * call once, before sessions come up. Without one the RIB exports right after each UPDATE.
     */
    public void deferExports(java.util.concurrent.Executor loop) {
        this.exportExecutor = loop;
    }

    /** The speaker's loop, injected by the speaker ({@link RouteProcessor#attachLoop}): exports and trims are queued there. */
    @Override
    public void attachLoop(java.util.concurrent.ScheduledExecutorService loop) {
        deferExports(loop);
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
                    link.send(Exporter.routeRefresh(link, afi, safi, 1));
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

    /**
     * "Prefixes received" describes one session: a new one, or the end of one, starts from zero.
     * A slot held only by this peer's mark (a prefix import policy refused) is queued for release.
     */
    private void forgetReceived(PeerState p) {
        p.received = 0;
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            SlotSet r = p.receivedPrefixes[f];
            IntPages head = ribs[f].head;
            for (int s = r.next(0); s >= 0; s = r.next(s + 1)) {
                if (s < head.capacity() && head.get(s) < 0) {
                    emptied[f].add(s);
                }
            }
            r.clear();
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
            importer.dropRaw(p, f);
            p.pending[f].clear();
            p.eorPending[f] = false;
            p.eorrPending[f] = false;
        }
        p.link = null;
        p.resetting = false;
        forgetReceived(p);
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            if (retainStale) {
                markStale(p, f); // RFC 4724 4.2: keep the routes, marked stale
            } else {
                removeAll(p, f, false);
            }
        }
        log.info("peer {} down, routes {}", p.name, retainStale ? "kept as stale" : "withdrawn");
        trimRequested = true;
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
        trimRequested = true;
        drainAll();
    }

    @Override
    public void peerWritable(PeerLink link) {
        PeerState p = byName.get(link.config().name());
        if (p != null && p.link == link) {
            exporter.drainPeer(p);
            releaseEmptied();
        }
    }

    // ---------------------------------------------------------------- origination API

    /** Announces (or replaces) a locally originated route. Call on the speaker loop. */
    public void announce(LocalRoute route) {
        Prefix px = route.prefix();
        scratch.clear().origin(route.origin()).emptyAsPath();
        if (route.nextHop() != null) {
            // An IPv4 route with an IPv6 next hop goes out as such where RFC 8950 was negotiated
            // (elsewhere the export gives it our own next hop).
            byte[] nh = route.nextHop().getAddress();
            Exporter.setNextHop(scratch, px.ipv6() || nh.length == 16 ? 1 : 0, nh);
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
    /**
     * Reports each received UPDATE's processing time (decode, import policy, Loc-RIB changes)
     * to {@code observer}, on the loop; it must not block or allocate (a lock-free histogram).
     * Call on the loop, or before the speaker starts.
     */
    public void observeUpdateLatency(java.util.function.LongConsumer observer) {
        this.updateLatency = observer;
    }

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
        exporter.holdEndOfRib = hold;
        if (!hold) {
            drainAll();
        }
    }

    /**
     * Keeps every peer's pre-policy Adj-RIB-In (what it sent, before import policy), whatever its
     * {@link PeerConfig#keepReceived} says, for sessions established from now on, so {@link #reconfigure} can re-apply a changed import policy without
     * asking the peer, and {@link #receivedRoutes} can show it. Costs an int per prefix per peer.
     */
    public void keepPrePolicy(boolean keep) {
        keepPrePolicy = keep;
    }

    /** Whether a peer with {@code config} has its pre-policy Adj-RIB-In kept: for every peer, or as its config says. */
    boolean keepsReceived(PeerConfig config) {
        return keepPrePolicy || config.keepReceived();
    }

    /**
     * Whether what {@code peer} sends is kept before import policy ({@link #receivedRoutes} and
     * {@link #rejectedRoutes} answer only then); false for an unknown peer. Call on the speaker loop.
     */
    public boolean keepsReceived(String peer) {
        PeerState p = byName.get(peer);
        return p != null && keepsReceived(p.config);
    }

    /**
     * The peer's Adj-RIB-Out: what was sent to it, with the attributes after export policy, in
     * prefix order; empty when the peer is unknown or got nothing. Call on the speaker loop.
     */
    public List<Map.Entry<Prefix, PathAttributes>> advertisedRoutes(String peer, AddressFamily family) {
        return queries.advertisedRoutes(peer, family);
    }

    /** What a peer sent, before import policy (only with {@link #keepPrePolicy}); empty otherwise. */
    public List<Map.Entry<Prefix, PathAttributes>> receivedRoutes(String peer, AddressFamily family) {
        return queries.receivedRoutes(peer, family);
    }

    /**
     * What a peer sent that is not in the Loc-RIB from it: refused by import policy, by the AS
     * loop check, or for a next hop of our own. Only with {@link #keepPrePolicy}; empty otherwise.
     */
    public List<Map.Entry<Prefix, PathAttributes>> rejectedRoutes(String peer, AddressFamily family) {
        return queries.rejectedRoutes(peer, family);
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
     * without resetting it (STYLE.md habit 15); see {@link RibReconfigurer}.
     */
    public Reconfigured reconfigure(PeerConfig config) {
        return reconfigurer.reconfigure(config);
    }

    /** Configuration reload for an established session; see {@link RibReconfigurer#peerPolicyChanged}. */
    @Override
    public boolean peerPolicyChanged(PeerLink link, PeerConfig next) {
        return reconfigurer.peerPolicyChanged(link, next);
    }

    /** The routes this speaker originates. */
    public List<LocalRoute> localRoutes() {
        return localRoutes.values().stream().sorted(Comparator.comparing(LocalRoute::prefix)).toList();
    }

    // ---------------------------------------------------------------- read API (operator surface)

    /** Every prefix of a family with its candidate paths, best and ECMP set first, sorted by prefix. */
    public List<RouteView> routes(AddressFamily family) {
        return queries.routes(family);
    }

    /** One prefix in detail (every candidate path and why the best won), or null if unknown. */
    public RouteView route(Prefix prefix) {
        return queries.route(prefix);
    }

    /** The widest ECMP set the decision process forms (1: no multipath). */
    int maxPaths() {
        return decision.maxPaths();
    }

    /**
     * For {@link ForwardingFeed}: the attributes of a prefix's best path and the rest of its ECMP
     * set, best first, into {@code out} (at most its length), without building a view. Returns 0
     * when the prefix has no best path, -1 when a path of the set is our own (nothing to forward to).
     */
    int forwardingPaths(Prefix prefix, PathAttributes[] out) {
        return forwardingPaths(prefix, out, null);
    }

    /**
     * As {@link #forwardingPaths(Prefix, PathAttributes[])}, also giving each path's session
     * interface in {@code interfaces} (the scope id of a peer reached at an IPv6 link-local
     * address, as an unnumbered session is; 0 otherwise): where a link-local next hop lives.
     */
    int forwardingPaths(Prefix prefix, PathAttributes[] out, int[] interfaces) {
        FamilyRib r = ribs[prefix.ipv6() ? 1 : 0];
        int s = r.prefixes.find(prefix.hi(), prefix.lo(), prefix.length());
        int best = s < 0 ? -1 : r.best.get(s);
        if (best < 0) {
            return 0;
        }
        if (paths.peer(best) == LOCAL) {
            return -1;
        }
        out[0] = interner.get(paths.attr.get(best));
        if (interfaces != null) {
            interfaces[0] = sessionInterface(paths.peer(best));
        }
        int n = 1;
        for (int q = r.head.get(s); q >= 0 && n < out.length; q = paths.next.get(q)) {
            if (q != best && paths.has(q, PathStore.MULTIPATH)) {
                if (paths.peer(q) == LOCAL) {
                    return -1;
                }
                if (interfaces != null) {
                    interfaces[n] = sessionInterface(paths.peer(q));
                }
                out[n++] = interner.get(paths.attr.get(q));
            }
        }
        return n;
    }

    /**
     * The interface of a peer's session at an IPv6 link-local address, else 0: the configured
     * address's scope (the socket's address may come back without one), else the socket's.
     */
    private int sessionInterface(int peerId) {
        PeerState p = peers[peerId];
        if (p.config != null && p.config.address() instanceof java.net.Inet6Address a && a.isLinkLocalAddress() && a.getScopeId() > 0) {
            return a.getScopeId();
        }
        PeerLink link = p.link;
        return link != null && link.remoteAddress() instanceof java.net.Inet6Address a && a.isLinkLocalAddress() ? a.getScopeId() : 0;
    }

    /** Counters of every configured-or-seen peer (not the local origin). */
    public List<PeerCounters> peerCounters() {
        return queries.peerCounters();
    }

    /** The peers whose Adj-RIB-Out holds {@code prefix} (sent to them, after export policy), in peer order. */
    public List<String> advertisedTo(Prefix prefix) {
        return queries.advertisedTo(prefix);
    }

    /**
     * Soft reset out: sends the peer's whole Adj-RIB-Out again (as on its ROUTE-REFRESH, RFC
     * 2918 3, without the RFC 7313 demarcation), for every family the session carries. False
     * when the peer is unknown or not Established. Call on the speaker loop.
     */
    public boolean resendAdjRibOut(String peer) {
        PeerState p = byName.get(peer);
        if (p == null || p.link == null) {
            return false;
        }
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            if (p.negotiatedFamily[f]) {
                forgetAdjOut(p, f);
                enqueueTable(p, f);
            }
        }
        drainAll();
        return true;
    }

    /** Counters of one peer by configured name, or null. */
    public PeerCounters peerCounters(String name) {
        return queries.peerCounters(name);
    }

    /** Loc-RIB sizes per family. */
    public List<RibSize> sizes() {
        return queries.sizes();
    }

    /** Distinct interned attribute sets alive (a million prefixes sharing one set count one). */
    public int attributeSets() {
        interner.sweep(); // count only sets something still holds
        return interner.size();
    }

    // ---------------------------------------------------------------- Adj-RIB-In and Loc-RIB

    PeerState stateFor(PeerConfig pc) {
        PeerState p = byName.get(pc.name());
        if (p == null) {
            if (peerCount == PathStore.MAX_PEERS) {
                throw new IllegalStateException("a speaker holds at most " + PathStore.MAX_PEERS + " peers");
            }
            if (peerCount == peers.length) {
                peers = Arrays.copyOf(peers, peerCount * 2);
                decision.peers = peers;
                exporter.peers = peers;
            }
            p = new PeerState(peerCount, pc.name());
            peers[peerCount++] = p;
            byName.put(pc.name(), p);
        }
        p.config = pc;
        return p;
    }

    /**
     * Adds or replaces {@code p}'s path for a prefix, then reselects; false when {@code p} already
     * had that path with those attributes (nothing changed).
     */
    boolean upsert(PeerState p, int f, long hi, long lo, int length, int attrId) {
        return upsertAt(p, f, ribs[f].slot(hi, lo, length), attrId);
    }

    /** {@link #upsert} for a prefix whose slot the caller already has ({@link FamilyRib#slot}). */
    boolean upsertAt(PeerState p, int f, int s, int attrId) {
        FamilyRib r = ribs[f];
        int oldBest = r.best.get(s);
        int oldPeer = oldBest >= 0 ? paths.peer(oldBest) : -1;
        int oldAttr = oldBest >= 0 ? paths.attr.get(oldBest) : 0;
        for (int q = r.head.get(s); q >= 0; q = paths.next.get(q)) {
            if (paths.peer(q) == p.id) {
                paths.set(q, PathStore.STALE, false);
                if (paths.attr.get(q) == attrId) {
                    return false;
                }
                interner.acquire(attrId);
                interner.release(paths.attr.get(q));
                paths.attr.set(q, attrId);
                select(f, s, oldPeer, oldAttr);
                return true;
            }
        }
        if (p.id != LOCAL && !admitMaxPrefix(p, f)) {
            if (r.head.get(s) < 0) {
                emptied[f].add(s);
            }
            return true; // refused by max-prefix, counted there
        }
        int q = paths.allocate(p.id, attrId, r.head.get(s));
        r.head.set(s, q);
        interner.acquire(attrId);
        p.accepted++;
        if (oldBest >= 0) {
            // Fast paths for a new candidate that loses to the current best (the common case when
            // many peers send the same table), with what a full select would give: the best path
            // stays, the reason can only rise, and the candidate joins the ECMP set when it lost
            // only at a tie-break step and the set has room (a set below maxPaths left no equal
            // candidate out). Otherwise (it wins, or the set is full) a full select.
            int c = compare(oldBest, q);
            if (c > 0 && (config.maxPaths() == 1 || !REASONS[c].multipathEqual())) {
                r.reason.set(s, (byte) Math.max(r.reason.get(s), c));
                return true;
            }
            int ecmp = r.multipath.get(s);
            if (c > 0 && ecmp < config.maxPaths()) {
                paths.set(q, PathStore.MULTIPATH, true);
                r.multipath.set(s, (byte) (ecmp + 1));
                r.reason.set(s, (byte) Math.max(r.reason.get(s), c));
                selected(f, s, oldPeer, oldAttr);
                return true;
            }
        }
        select(f, s, oldPeer, oldAttr);
        return true;
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
                log.warn("peer {} exceeded max-prefix {}: session reset", p.name, max);
                maxPrefixCease(p, f, max);
                return false;
            }
        }
    }

    /** Cease / Maximum Number of Prefixes Reached: data = AFI, SAFI, upper bound (RFC 4486 4). */
    void maxPrefixCease(PeerState p, int f, long max) {
        AddressFamily fam = ribs[f].family;
        byte[] data = {(byte) (fam.afi() >>> 8), (byte) fam.afi(), (byte) fam.safi(),
                (byte) (max >>> 24), (byte) (max >>> 16), (byte) (max >>> 8), (byte) max};
        p.resetting = true;
        p.link.reset(6, 1, data);
    }

    /** Removes {@code p}'s path for a prefix, if any, then reselects. */
    void remove(PeerState p, int f, long hi, long lo, int length) {
        FamilyRib r = ribs[f];
        int s = r.prefixes.find(hi, lo, length);
        if (s >= 0) {
            removeFromSlot(p, f, s, false);
        }
    }

    /** {@link #remove} by slot; a slot left with no path is queued for release. */
    void removeAt(PeerState p, int f, int s) {
        removeFromSlot(p, f, s, false);
        if (ribs[f].head.get(s) < 0) {
            emptied[f].add(s); // freed once no peer advertises it or still announces it
        }
    }

    /** Unlinks {@code p}'s path from slot {@code s} (only if stale when {@code onlyStale}). */
    private void removeFromSlot(PeerState p, int f, int s, boolean onlyStale) {
        FamilyRib r = ribs[f];
        int prev = -1;
        for (int q = r.head.get(s); q >= 0; prev = q, q = paths.next.get(q)) {
            if (paths.peer(q) != p.id) {
                continue;
            }
            if (onlyStale && !paths.has(q, PathStore.STALE)) {
                return;
            }
            int oldBest = r.best.get(s);
            int oldPeer = oldBest >= 0 ? paths.peer(oldBest) : -1;
            int oldAttr = oldBest >= 0 ? paths.attr.get(oldBest) : 0;
            if (prev < 0) {
                r.head.set(s, paths.next.get(q));
            } else {
                paths.next.set(prev, paths.next.get(q));
            }
            interner.release(paths.attr.get(q));
            paths.free(q);
            p.accepted--;
            if (r.best.get(s) == q) {
                r.best.set(s, -1);
            }
            select(f, s, oldPeer, oldAttr);
            if (r.head.get(s) < 0) {
                emptied[f].add(s);
            }
            return;
        }
    }

    private void removeAll(PeerState p, int f, boolean onlyStale) {
        FamilyRib r = ribs[f];
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s) && r.head.get(s) >= 0) {
                removeFromSlot(p, f, s, onlyStale);
            }
        }
    }

    private void markStale(PeerState p, int f) {
        FamilyRib r = ribs[f];
        boolean any = false;
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s)) {
                for (int q = r.head.get(s); q >= 0; q = paths.next.get(q)) {
                    if (paths.peer(q) == p.id) {
                        paths.set(q, PathStore.STALE, true);
                        any = true;
                    }
                }
            }
        }
        p.staleFamily[f] |= any;
    }

    void sweepStale(PeerState p, int f) {
        if (p.staleFamily[f]) {
            p.staleFamily[f] = false;
            removeAll(p, f, true);
        }
    }

    /**
     * Reselects one prefix ({@link DecisionProcess}); tells the listener, and queues the prefix
     * for export when the best path's source or attributes changed.
     */
    private void select(int f, int s, int oldPeer, int oldAttr) {
        decision.select(ribs[f], s);
        selected(f, s, oldPeer, oldAttr);
    }

    /** After a selection of slot {@code s}: the listener, the preferred counts and the export queues. */
    private void selected(int f, int s, int oldPeer, int oldAttr) {
        FamilyRib r = ribs[f];
        int best = r.best.get(s);
        int newPeer = best >= 0 ? paths.peer(best) : -1;
        int newAttr = best >= 0 ? paths.attr.get(best) : 0;
        boolean bestChanged = newPeer != oldPeer || newAttr != oldAttr;
        if (newPeer != oldPeer) {
            if (oldPeer > LOCAL && oldPeer < peerCount) {
                peers[oldPeer].preferred--;
            }
            if (newPeer > LOCAL && newPeer < peerCount) {
                peers[newPeer].preferred++;
            }
        }
        if (listener != null && (bestChanged || decision.maxPaths() > 1)) {
            PrefixTable t = r.prefixes;
            listener.changed(f == 1, t.hi(s), t.lo(s), t.length(s), r.multipath.get(s));
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

    int compare(int a, int b) {
        return decision.compare(a, b);
    }

    // ---------------------------------------------------------------- export and Adj-RIB-Out

    private void enqueueTable(PeerState p, int f) {
        FamilyRib r = ribs[f];
        for (int s = 0; s < r.prefixes.highWater(); s++) {
            if (r.prefixes.live(s) && r.best.get(s) >= 0) {
                p.pending[f].add(s);
            }
        }
    }

    /** Forgets what was advertised (route refresh, session end). */
    private void forgetAdjOut(PeerState p, int f) {
        exporter.dropBase(p, f);
        p.advertised -= p.adjOut[f].size();
        p.adjOut[f].clear();
    }

    void drainAll() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            for (int i = 1; i < peerCount; i++) {
                exporter.drainPeer(peers[i]);
            }
        } finally {
            draining = false;
        }
        releaseEmptied();
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
            SlotQueue q = emptied[f];
            FamilyRib r = ribs[f];
            while (!q.isEmpty()) {
                int s = q.poll();
                if (!r.prefixes.live(s) || r.head.get(s) >= 0 || advertisedAnywhere(f, s)) {
                    continue;
                }
                r.release(s);
            }
        }
        if (draining) {
            return;
        }
        if (trimNow) {
            trimNow = false;
            compactor.compactIfMostlyEmpty(peers, peerCount);
        } else if (trimRequested) {
            trimRequested = false;
            trimWhenQuiet();
        }
    }

    /**
     * After a peer went down or its stale routes were flushed: give memory back if the tables are
     * still mostly empty {@link #trimDelayMillis} later, so a flapping session that re-sends its
     * full table at once does not pay for shrinking and regrowing. The check is scheduled on the
     * speaker's loop; a RIB used off any loop (benchmarks, unit tests) trims only on {@link #trim}.
     */
    private void trimWhenQuiet() {
        if (trimScheduled || !compactor.mostlyEmpty()) {
            return;
        }
        java.util.concurrent.Executor loop = exportExecutor;
        if (loop instanceof java.util.concurrent.ScheduledExecutorService scheduler) {
            trimScheduled = true;
            try {
                scheduler.schedule(() -> {
                    trimScheduled = false;
                    trim();
                }, trimDelayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                trimScheduled = false; // the loop is shutting down: nothing to give back to
            }
        }
    }

    /**
     * Gives memory back now if the tables are mostly empty (under a quarter of their capacity in
     * use): done once nothing is queued for any peer. The speaker's loop does this by itself a
     * while after a peer leaves. Call on the speaker loop.
     */
    public void trim() {
        trimNow = true;
        releaseEmptied(); // compacts once nothing is queued and every emptied slot is freed
    }

    private boolean advertisedAnywhere(int f, int s) {
        for (int i = 1; i < peerCount; i++) {
            if (peers[i].adjOut[f].contains(s)) {
                return true;
            }
            if (IntPages.at(peers[i].adjInRaw[f], s) != 0) {
                return true; // still in someone's pre-policy Adj-RIB-In
            }
            if (peers[i].receivedPrefixes[f].contains(s)) {
                return true; // a peer still announces it (import policy refused it)
            }
        }
        return false;
    }

    /** Loc-RIB slots in use for a family (for tests and metrics). */
    int prefixSlots(int f) {
        return ribs[f].prefixes.size();
    }

    /** Capacity of a family's per-slot arrays (tests: memory is given back). */
    int slotCapacity(int f) {
        return ribs[f].prefixes.capacity();
    }

    /** A peer's state by name, or null (tests). */
    PeerState peerState(String name) {
        return byName.get(name);
    }

    /** Capacity of the path arrays (tests). */
    int pathCapacity() {
        return paths.capacity();
    }

    AttributeInterner interner() {
        return interner;
    }
}
