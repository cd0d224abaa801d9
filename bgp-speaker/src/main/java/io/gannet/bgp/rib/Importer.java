package io.gannet.bgp.rib;

import static io.gannet.bgp.wire.attr.PathAttributes.HAS_ORIGINATOR_ID;

import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateHandler;
import java.util.Arrays;
import org.slf4j.Logger;

/**
 * The import side of the {@link Rib}: the decoder's callbacks for one UPDATE from one peer.
 * Counts what the peer announces (the pre-policy Adj-RIB-In), drops routes with an AS_PATH loop
 * or a next hop of ours, runs import policy (caching its result per attribute set and
 * statement for the UPDATE), and hands the outcome to the Loc-RIB ({@link Rib#upsert},
 * {@link Rib#remove}). The {@link Exporter} is its counterpart. Runs on the speaker loop.
 */
final class Importer implements UpdateHandler {
    /** {@link #importId}'s answer for a route that is invalid (loop, own next hop), not just filtered. */
    private static final int INVALID = -1;

    private final Rib rib;
    private final SpeakerConfig config;
    private final int clusterId;
    private final AttributeInterner interner;
    private final FamilyRib[] ribs;
    private final SlotQueue[] emptied;
    private final Logger log;
    private final AttributesBuilder policyScratch = new AttributesBuilder();
    /** This host's addresses: a route whose next hop is one of them is ignored (RFC 4271 6.3). */
    LocalAddresses localAddresses = LocalAddresses.NONE;

    Importer(Rib rib, SpeakerConfig config, int clusterId, AttributeInterner interner, FamilyRib[] ribs, SlotQueue[] emptied,
             Logger log) {
        this.rib = rib;
        this.config = config;
        this.clusterId = clusterId;
        this.interner = interner;
        this.ribs = ribs;
        this.emptied = emptied;
        this.log = log;
    }

    // The UPDATE being read: its peer, and what the last attribute set decided.
    private PeerState peer;
    private PathAttributes lastAttrs;
    private boolean lastLooped;
    private boolean lastOwnNextHop4;
    private boolean lastOwnNextHop6;
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
            withdraw(0, address & 0xFFFFFFFFL, 0, length);
        }
    }

    @Override
    public void withdraw6(long hi, long lo, int length) {
        if (accepting(1)) {
            withdraw(1, hi, lo, length);
        }
    }

    private void withdraw(int f, long hi, long lo, int length) {
        peer.importWithdrawsReceived++;
        int s = ribs[f].prefixes.find(hi, lo, length);
        if (s < 0) {
            return; // never announced, so nothing to forget
        }
        if (peer.receivedPrefixes[f].remove(s)) {
            peer.received--;
            peer.importWithdrawsAccepted++;
        }
        forgetRaw(peer, f, s);
        rib.removeAt(peer, f, s);
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
        peer.importUpdatesReceived++;
        FamilyRib r = ribs[f];
        int s = r.slot(hi, lo, length);
        if (peer.receivedPrefixes[f].add(s)) {
            peer.received++;
        }
        if (peer.keepRaw) {
            IntPages raw = peer.adjInRaw(f, r.prefixes.capacity());
            int had = raw.get(s);
            if (had != a.id()) {
                interner.acquire(a.id());
                if (had != 0) {
                    interner.release(had);
                }
                raw.set(s, a.id());
            }
        }
        apply(f, s, hi, lo, length, a);
    }

    /**
     * Import checks and policy, then the Loc-RIB: add, replace, or (if rejected) remove. {@code s}
     * is the prefix's slot in {@code ribs[f]}.
     */
    void apply(int f, int s, long hi, long lo, int length, PathAttributes a) {
        int id = importId(f, hi, lo, length, a);
        if (id == INVALID) {
            peer.importUpdatesRejected++;
            rib.removeAt(peer, f, s);
        } else if (id == 0) {
            peer.importUpdatesFiltered++;
            rib.removeAt(peer, f, s);
        } else if (rib.upsertAt(peer, f, s, id)) {
            peer.importUpdatesAccepted++;
        } else {
            peer.importUpdatesIgnored++;
        }
    }

    /**
     * The attribute id to store after loop checks and import policy: 0 if import policy
     * refused it, {@link #INVALID} for an AS_PATH loop or a next hop of our own.
     */
    private int importId(int f, long hi, long lo, int length, PathAttributes a) {
        if (a != lastAttrs) {
            lastAttrs = a;
            lastLooped = looped(peer, a);
            lastOwnNextHop4 = a.has(PathAttributes.HAS_NEXT_HOP) && (peer.sessionLocal.containsIpv4(a.nextHop())
                    || localAddresses.containsIpv4(a.nextHop()));
            lastOwnNextHop6 = a.has(PathAttributes.HAS_NEXT_HOP6)
                    && (peer.sessionLocal.containsIpv6(a.nextHop6Hi(), a.nextHop6Lo())
                    || localAddresses.containsIpv6(a.nextHop6Hi(), a.nextHop6Lo()));
            Arrays.fill(decisionCache, 0);
        }
        if (lastLooped) {
            return INVALID;
        }
        if (f == 0 && a.has(PathAttributes.HAS_NEXT_HOP) ? lastOwnNextHop4 : lastOwnNextHop6) {  // RFC 8950: IPv4 via IPv6
            ownNextHop(peer, f, a);
            return INVALID;
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
            rib.sweepStale(peer, f); // RFC 4724 4.2: what the restarted peer did not re-send is gone
        }
    }

    /** A withdrawal also clears the pre-policy Adj-RIB-In entry of slot {@code s}. */
    private void forgetRaw(PeerState p, int f, int s) {
        IntPages raw = p.adjInRaw[f];
        int had = IntPages.at(raw, s);
        if (had != 0) {
            interner.release(had);
            raw.set(s, 0);
            if (ribs[f].head.get(s) < 0) {
                emptied[f].add(s);
            }
        }
    }

    /** Drops a peer's whole pre-policy Adj-RIB-In (session end). */
    void dropRaw(PeerState p, int f) {
        IntPages raw = p.adjInRaw[f];
        p.adjInRaw[f] = null;
        if (raw == null) {
            return;
        }
        for (int s = 0; s < raw.capacity(); s++) {
            int had = raw.get(s);
            if (had != 0) {
                interner.release(had);
                if (ribs[f].head.get(s) < 0) {
                    emptied[f].add(s);
                }
            }
        }
    }

    /**
     * RFC 4271 6.3: a NEXT_HOP that is one of our own addresses is semantically incorrect: the
     * error is logged and the route ignored (it replaces, and so removes, the peer's previous
     * path for the prefix); no NOTIFICATION, the session stays up. Logged on the first such route
     * of a session and then every 1000th, so a full table pointing at us cannot flood the log.
     */
    private void ownNextHop(PeerState p, int f, PathAttributes a) {
        if (p.ownNextHopIgnored++ % 1000 == 0) {
            log.warn("peer {}: route ignored ({} so far this session): NEXT_HOP {} is an address of this host"
                    + " (RFC 4271 6.3)", p.name, p.ownNextHopIgnored, nextHopText(f, a));
        }
    }

    private static String nextHopText(int f, PathAttributes a) {
        int v4 = a.nextHop();
        byte[] b = f == 0 && a.has(PathAttributes.HAS_NEXT_HOP)
                ? new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4}
                : Arrays.copyOf(a.nextHop6(), 16);
        try {
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "?"; // not reached: 4 or 16 octets
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
}
