package io.gannet.bgp.rib;

import static io.gannet.bgp.wire.attr.PathAttributes.HAS_LOCAL_PREF;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_NEXT_HOP;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_NEXT_HOP6;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_ORIGINATOR_ID;

import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Export: from the Loc-RIB to each peer's Adj-RIB-Out and onto the wire. For every queued prefix
 * it decides what the peer should have (split horizon, RFC 1997 well-known communities, the iBGP
 * rule and route reflection of RFC 4456, export policy, then the RFC 4271 5.1 attribute rewrite),
 * compares with what the peer has, and packs the differences into UPDATEs that share attribute
 * sets, chunk by chunk while the peer's socket is writable. Sends End-of-RIB (RFC 4724) and
 * EoRR (RFC 7313) once a peer's queue has drained.
 *
 * <p>Per drain, rewritten attribute sets are cached by (source set, source peer, policy decision),
 * so a million prefixes sharing attributes cost one rewrite.
 *
 * <p>Threading: owned by the RIB's loop.
 */
final class Exporter {
    private static final int CHUNK = 4096;
    private static final long DEFAULT_LOCAL_PREF = DecisionProcess.DEFAULT_LOCAL_PREF;

    private final SpeakerConfig config;
    private final int clusterId;
    private final AttributeInterner interner;
    private final PathStore paths;
    private final FamilyRib[] ribs;
    /** The RIB's peer table, indexed by peer id; replaced when it grows. */
    PeerState[] peers;
    /** RFC 4724 4.1, restarting side: End-of-RIB waits while this is set. */
    boolean holdEndOfRib;

    private final AttributesBuilder scratch = new AttributesBuilder();
    private final AttributesBuilder policyScratch = new AttributesBuilder();
    private final UpdateWriter writer = new UpdateWriter();
    private int openTarget = -1; // attribute id of the UPDATE the writer holds open (0 = withdrawals)
    private final LongIntMap exportCache = new LongIntMap();
    private int[] exportHeld = new int[64];
    private int exportHeldCount;
    private final int[] chunkSlot = new int[CHUNK];
    private final int[] chunkTarget = new int[CHUNK];
    private final long[] chunkOrder = new long[CHUNK];

    Exporter(SpeakerConfig config, int clusterId, AttributeInterner interner, PathStore paths, FamilyRib[] ribs,
             PeerState[] peers) {
        this.config = config;
        this.clusterId = clusterId;
        this.interner = interner;
        this.paths = paths;
        this.ribs = ribs;
        this.peers = peers;
    }

    /** Encodes queued changes for one peer, chunk by chunk, while its socket accepts more. */
    void drainPeer(PeerState p) {
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
                SlotQueue q = p.pending[f];
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
                dropBase(p, f);
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
    private boolean exportChunk(PeerState p, int f, SlotQueue q) {
        FamilyRib r = ribs[f];
        SlotSet out = p.adjOut[f];
        IntPages base = p.exportBase[f];
        int n = 0;
        while (n < CHUNK && !q.isEmpty()) {
            int s = q.poll();
            int target = exportId(p, f, s);
            if (target == 0 && !out.contains(s)) {
                continue; // nothing to withdraw
            }
            if (base != null && target != 0 && IntPages.at(base, s) == target) {
                continue; // a reconfiguration that leaves this prefix as the peer has it
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
            if (base != null && IntPages.at(base, s) != 0) {
                interner.release(base.get(s));
                base.set(s, 0);
            }
            if (target != 0) {
                p.exportUpdatesSent++;
                if (out.add(s)) {
                    p.advertised++;
                }
            } else {
                p.exportWithdrawsSent++;
                out.remove(s);
                p.advertised--;
            }
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
            PathAttributes a = interner.get(target);
            if (a.has(HAS_NEXT_HOP)) {
                writer.startAnnounce4(link.alloc(), max, a, four);
            } else {
                writer.startAnnounce4Via6(link.alloc(), max, a, four);   // RFC 8950
            }
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
        int b = r.best.get(s);
        if (b < 0) {
            return 0;
        }
        int src = paths.peer(b);
        if (src == p.id) {
            return 0; // never back to the peer it came from
        }
        PeerState sp = peers[src];
        boolean local = src == Rib.LOCAL;
        PathAttributes a = interner.get(paths.attr.get(b));
        // RFC 1997 limits what we do with a route a peer tagged. On our own routes the well-known
        // communities are for the receiving switch to act on: attached and sent, as an outbound
        // "set community no-export" does in FRR.
        if (!local && a.hasCommunity(AttributeType.NO_ADVERTISE)) {
            return 0;
        }
        if (!local && !p.ibgp
                && (a.hasCommunity(AttributeType.NO_EXPORT) || a.hasCommunity(AttributeType.NO_EXPORT_SUBCONFED))) {
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

    /**
     * Before a reconfiguration changes what {@code p} is sent (its export policy, next-hop-self,
     * a reflector client's status): notes what it holds now under the old settings, so the
     * re-export that follows sends only the prefixes whose advertisement changes. A prefix with a
     * change already queued is left out (what the peer holds is not what export gives now).
     */
    void noteBase(PeerState p) {
        if (p.link == null || p.resetting) {
            return;
        }
        try {
            for (int f = 0; f < PeerState.FAMILIES; f++) {
                dropBase(p, f);
                SlotSet sent = p.adjOut[f];
                if (!p.negotiatedFamily[f] || sent.size() == 0) {
                    continue;
                }
                IntPages base = new IntPages(ribs[f].prefixes.capacity(), 0);
                for (int s = sent.next(0); s >= 0; s = sent.next(s + 1)) {
                    if (!p.pending[f].contains(s) && ribs[f].prefixes.live(s)) {
                        int id = exportId(p, f, s);
                        if (id != 0) {
                            interner.acquire(id);
                            base.set(s, id);
                        }
                    }
                }
                p.exportBase[f] = base;
            }
        } finally {
            clearExportCache();
        }
    }

    /** Forgets a reconfiguration's base (drained, or the session ended). */
    void dropBase(PeerState p, int f) {
        IntPages base = p.exportBase[f];
        if (base == null) {
            return;
        }
        p.exportBase[f] = null;
        for (int s = 0; s < base.capacity(); s++) {
            if (base.get(s) != 0) {
                interner.release(base.get(s));
            }
        }
    }

    /**
     * The attributes export gives peer {@code p} for slot {@code s} now, or null for nothing (a
     * query: {@link #endQuery} afterwards gives back what it interned). On the loop, between drains.
     */
    PathAttributes exported(PeerState p, int f, int s) {
        if (p.link == null) {
            return null;
        }
        int id = exportId(p, f, s);
        return id == 0 ? null : interner.get(id);
    }

    void endQuery() {
        clearExportCache();
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
        // RFC 8950: on an IPv6 session that negotiated it, an IPv4 route may carry an IPv6 next
        // hop, and our own is the IPv6 one (global, plus link-local on a shared link).
        boolean v6Hop = f == 0 && p.negotiated.extendedNextHop4() && self.length == 16;
        int selfFamily = v6Hop ? 1 : f;
        boolean explicitNextHop = (local || policy.keepsNextHop(d))
                && (f == 0 ? a.has(HAS_NEXT_HOP) || (v6Hop && a.has(HAS_NEXT_HOP6)) : a.has(HAS_NEXT_HOP6));
        scratch.load(a);
        if (!p.ibgp) {
            scratch.removeConfedSegments();                    // RFC 5065 4.1 c: never to another AS
            scratch.prependAs(p.negotiated.localAs(), 1);      // 5.1.2 b
            scratch.clearLocalPref();                          // 5.1.5: not sent to external peers
            if (!local) {
                scratch.clearMed();                            // 5.1.4: not propagated to other ASes
            }
            scratch.clearOriginatorId().clearClusterList();    // RFC 4456: iBGP-only attributes
            if (!explicitNextHop) {
                setSelf(p, selfFamily, self);                  // 5.1.3: next hop self towards eBGP
            }
        } else {
            if (!scratch.has(HAS_LOCAL_PREF)) {
                scratch.localPref(DEFAULT_LOCAL_PREF);         // 5.1.5: always sent to internal peers
            }
            if ((local && !explicitNextHop) || p.config.nextHopSelf()) {
                setSelf(p, selfFamily, self);
            }
            if (!local && sp.ibgp) {                           // reflecting (RFC 4456 8)
                if (!scratch.has(HAS_ORIGINATOR_ID)) {
                    scratch.originatorId((int) sp.routerId);
                }
                scratch.prependClusterId(clusterId);
            }
        }
        // One next hop goes out: an IPv4 route keeps an IPv4 one it was given (classic NEXT_HOP,
        // valid with RFC 8950 too), else an IPv6 one where RFC 8950 allows it.
        boolean keepV6 = v6Hop && scratch.has(HAS_NEXT_HOP6) && !(explicitNextHop && a.has(HAS_NEXT_HOP));
        if (f == 1 || keepV6) {
            scratch.clearNextHop();
        } else {
            scratch.clearNextHop6();
        }
        if (!(f == 0 ? scratch.has(HAS_NEXT_HOP) || keepV6 : scratch.has(HAS_NEXT_HOP6))) {
            setSelf(p, selfFamily, self);
        }
        if (f == 0 && !scratch.has(HAS_NEXT_HOP) && !scratch.has(HAS_NEXT_HOP6)) {
            // An IPv6 session carrying IPv4 without RFC 8950: the router id is our IPv4 identity.
            scratch.nextHop((int) config.routerId());
        }
        PathAttributes out = interner.intern(scratch);
        if (policy.changes(d)) {
            out = policy.apply(d, out, policyScratch, interner, p.link.localAddress());
        }
        return out.id();
    }

    /**
     * Next hop self. For IPv6 routes to a peer on a shared link, RFC 2545 3: our global address
     * followed by our link-local address on that link (32 octets).
     */
    private void setSelf(PeerState p, int f, byte[] self) {
        if (f == 1 && self.length == 16 && p.linkLocal != null) {
            byte[] both = new byte[32];
            System.arraycopy(self, 0, both, 0, 16);
            System.arraycopy(p.linkLocal, 0, both, 16, 16);
            scratch.nextHop6(both);
        } else {
            setNextHop(scratch, f, self);
        }
    }

    /** Writes {@code address} as the next hop for family {@code f}; IPv4 becomes ::ffff:a.b.c.d for IPv6 routes. */
    static void setNextHop(AttributesBuilder b, int f, byte[] address) {
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

    /** ROUTE-REFRESH (RFC 2918 3, RFC 7313 3): AFI (2), subtype (1), SAFI (1). */
    static ByteBuf routeRefresh(PeerLink link, int afi, int safi, int subtype) {
        ByteBuf m = link.alloc().buffer(23);
        m.writeLong(-1L).writeLong(-1L).writeShort(23).writeByte(5);
        m.writeShort(afi).writeByte(subtype).writeByte(safi);
        return m;
    }
}
