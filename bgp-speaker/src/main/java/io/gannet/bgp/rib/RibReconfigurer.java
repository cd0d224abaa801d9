package io.gannet.bgp.rib;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import org.slf4j.Logger;

/**
 * The RIB's reconfigure step: a peer's changed policies, route-reflector-client flag or
 * max-prefix applied to a live session without resetting it (STYLE.md habit 15). Import is
 * re-run from the kept pre-policy Adj-RIB-In, else the peer is asked to resend (RFC 2918 /
 * RFC 7313); export is recomputed and only differences are sent. On the speaker loop.
 */
final class RibReconfigurer {
    private final Rib rib;
    private final FamilyRib[] ribs;
    private final AttributeInterner interner;
    private final Importer importer;
    private final Exporter exporter;
    private final Logger log;

    RibReconfigurer(Rib rib, FamilyRib[] ribs, AttributeInterner interner, Importer importer, Exporter exporter, Logger log) {
        this.exporter = exporter;
        this.rib = rib;
        this.ribs = ribs;
        this.interner = interner;
        this.importer = importer;
        this.log = log;
    }

    /**
     * Applies a peer's changed policies (and route-reflector-client flag) to a live session
     * without resetting it (STYLE.md habit 15). Import policy is always re-applied (from the kept
     * pre-policy view, else by a route refresh); other PeerConfig changes need a new session.
     */
    Rib.Reconfigured reconfigure(PeerConfig config) {
        PeerState existing = rib.peerNamed(config.name());
        PeerConfig previous = existing != null ? existing.config : null;
        PeerState p = rib.stateFor(config);
        if (p.link == null) {
            return Rib.Reconfigured.NOT_ESTABLISHED;
        }
        return reapply(p, previous != null ? previous : config, config, true);
    }

    /**
     * Configuration reload for an established session (called by the speaker when only policy,
     * route-reflector client, next-hop-self or max-prefix changed). Export is recomputed for the
     * peer and only the differences are sent; a changed import policy is re-applied from the kept
     * pre-policy Adj-RIB-In, else the peer is asked to resend (ROUTE-REFRESH, RFC 2918 / RFC 7313).
     * False, leaving everything as it was, when the import policy changed and neither is possible:
     * the speaker then resets the session.
     */
    boolean peerPolicyChanged(PeerLink link, PeerConfig next) {
        PeerState p = rib.peerNamed(next.name());
        if (p == null || p.link != link || p.resetting) {
            return false;
        }
        boolean importChanged = !p.config.importPolicy().equals(next.importPolicy());
        if (importChanged && !p.keepRaw && !p.negotiated.routeRefresh()) {
            log.info("peer {}: import policy changed, peer cannot refresh and nothing kept: session restart", p.name);
            return false;
        }
        if (rib.keepsReceived(next) && !p.keepRaw && !p.negotiated.routeRefresh()) {
            log.info("peer {}: keepReceived turned on, peer cannot refresh: session restart", p.name);
            return false;
        }
        Rib.Reconfigured r = reapply(p, p.config, next, importChanged);
        log.info("peer {}: policy change applied to the live session ({})", p.name, r);
        return true;
    }

    /** Moves {@code p} from {@code previous} to {@code next} in place; see {@link #peerPolicyChanged}. */
    private Rib.Reconfigured reapply(PeerState p, PeerConfig previous, PeerConfig next, boolean importChanged) {
        // What the peers hold now, under the old settings (stateFor may already have put next in
        // place): the re-export below sends only changes.
        p.config = previous;
        if ((next.routeReflectorClient() && p.ibgp) != p.routeReflectorClient) {
            for (int i = 1; i < rib.peerCount(); i++) {
                exporter.noteBase(rib.peerAt(i));
            }
        } else {
            exporter.noteBase(p);
        }
        p.config = next;
        boolean wasClient = p.routeReflectorClient;
        p.routeReflectorClient = next.routeReflectorClient() && p.ibgp;
        Rib.Reconfigured result = Rib.Reconfigured.APPLIED;
        boolean keep = rib.keepsReceived(next);
        if (keep && !p.keepRaw) {
            // keepReceived turned on: the kept view fills as the peer resends, which also
            // re-imports everything under the (possibly new) import policy.
            p.keepRaw = true;
            result = resend(p);
        } else if (importChanged) {
            result = reimport(p);
        }
        if (!keep && p.keepRaw) {
            // Turned off: the memory goes now; a later import policy change asks the peer to resend.
            for (int f = 0; f < PeerState.FAMILIES; f++) {
                importer.dropRaw(p, f);
            }
            p.keepRaw = false;
        }
        if (next.maxPrefixes() != previous.maxPrefixes() || next.maxPrefixAction() != previous.maxPrefixAction()) {
            p.maxPrefixWarned = false;
            checkMaxPrefix(p);
        }
        // Export: recompute what this peer should have; only differences are sent. Whether a peer
        // is a reflector client also decides what is reflected from it to every other iBGP peer.
        if (wasClient != p.routeReflectorClient) {
            for (int i = 1; i < rib.peerCount(); i++) {
                enqueueExport(rib.peerAt(i));
            }
        } else {
            enqueueExport(p);
        }
        rib.drainAll();
        return result;
    }

    /** A changed import policy: re-run it over the pre-policy view, or ask the peer to resend. */
    private Rib.Reconfigured reimport(PeerState p) {
        if (p.keepRaw) {
            importer.begin(p);
            try {
                for (int f = 0; f < PeerState.FAMILIES; f++) {
                    IntPages raw = p.adjInRaw[f];
                    if (raw == null) {
                        continue;
                    }
                    PrefixTable t = ribs[f].prefixes;
                    for (int s = 0; s < raw.capacity(); s++) {
                        if (raw.get(s) != 0) {
                            importer.apply(f, s, t.hi(s), t.lo(s), t.length(s), interner.get(raw.get(s)));
                        }
                    }
                }
            } finally {
                importer.end();
            }
            return Rib.Reconfigured.APPLIED;
        }
        return resend(p);
    }

    /** Asks the peer to resend its routes (ROUTE-REFRESH), when it can. */
    private Rib.Reconfigured resend(PeerState p) {
        if (p.negotiated.routeRefresh()) {
            // RFC 2918 3 / RFC 7313 4: the peer re-advertises (bracketed by BoRR/EoRR when enhanced),
            // and the new import policy decides each route again as it arrives.
            for (int f = 0; f < PeerState.FAMILIES; f++) {
                if (p.negotiatedFamily[f]) {
                    AddressFamily fam = ribs[f].family;
                    p.link.send(Exporter.routeRefresh(p.link, fam.afi(), fam.safi(), 0));
                }
            }
            p.link.flush();
            return Rib.Reconfigured.REFRESH_REQUESTED;
        }
        return Rib.Reconfigured.RESTART_REQUIRED;
    }

    /** A lowered max-prefix that the peer already exceeds acts as if it had just been crossed (RFC 4486). */
    private void checkMaxPrefix(PeerState p) {
        long max = p.config.maxPrefixes();
        if (max <= 0 || p.accepted <= max) {
            return;
        }
        switch (p.config.maxPrefixAction()) {
            case WARN, DISCARD_EXTRA -> {
                // Routes already accepted stay; DISCARD_EXTRA refuses new ones from now on.
                p.maxPrefixWarned = true;
                log.warn("peer {} holds {} prefixes, above its new max-prefix {}", p.name, p.accepted, max);
            }
            default -> {
                int f = p.negotiatedFamily[0] ? 0 : 1;
                log.warn("peer {} holds {} prefixes, above its new max-prefix {}: session reset", p.name, p.accepted, max);
                rib.maxPrefixCease(p, f, max);
            }
        }
    }

    /** Queues every prefix whose advertisement to {@code p} may differ from what it has. */
    private void enqueueExport(PeerState p) {
        if (p.link == null) {
            return;
        }
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            if (p.negotiatedFamily[f]) {
                FamilyRib r = ribs[f];
                SlotSet out = p.adjOut[f];
                for (int s = 0; s < r.prefixes.highWater(); s++) {
                    if (r.prefixes.live(s) && (r.best.get(s) >= 0 || out.contains(s))) {
                        p.pending[f].add(s);
                    }
                }
            }
        }
    }
}
