package io.gannet.agent.run;

import io.gannet.agent.control.Family;
import io.gannet.agent.metrics.BfdMetrics;
import io.gannet.agent.metrics.ChangeStats;
import io.gannet.agent.metrics.FamilyMetrics;
import io.gannet.agent.metrics.GannetMetrics;
import io.gannet.agent.metrics.MetricsSnapshot;
import io.gannet.agent.metrics.PeerMetrics;
import io.gannet.agent.metrics.RibSize;
import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.rib.RibViews;
import io.gannet.bgp.session.PeerStatus;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Copies the speaker's state into an immutable {@link MetricsSnapshot} once a period, on its
 * own thread, so a Prometheus scrape reads a reference and never waits for the BGP loop.
 *
 * <p>The RIB counts prefixes per peer, not per family: each peer's counters are reported under
 * the family of its session address. Adj-RIB sizes are the sums of the per-peer counters.
 */
final class MetricsPublisher {
    private final BgpSpeaker<Rib> speaker;
    private final SpeakerLoop loop;
    private final GannetMetrics metrics;
    private final Supplier<SpeakerConfig> config;
    private final Supplier<List<BfdMetrics>> bfd;

    MetricsPublisher(BgpSpeaker<Rib> speaker, SpeakerLoop loop, GannetMetrics metrics, Supplier<SpeakerConfig> config,
                     Supplier<List<BfdMetrics>> bfd) {
        this.bfd = bfd;
        this.speaker = speaker;
        this.loop = loop;
        this.metrics = metrics;
        this.config = config;
    }

    /** For the scheduler: a failed round keeps the previous snapshot and tries again next period. */
    void publishQuietly() {
        try {
            metrics.publish(snapshot());
        } catch (RuntimeException e) {
            // The speaker may be stopping; the next round (or shutdown) settles it.
        }
    }

    MetricsSnapshot snapshot() {
        // One hop onto the loop: sessions and RIB state from the same instant.
        record RibState(List<PeerStatus> sessions, List<RibViews.PeerCounters> counters, List<RibViews.RibSize> sizes) {}
        RibState rib = loop.call(() -> new RibState(speaker.peers(), speaker.routes().peerCounters(), speaker.routes().sizes()));
        List<PeerStatus> sessions = rib.sessions();
        Map<String, RibViews.PeerCounters> byPeer = new HashMap<>();
        long adjIn = 0;
        long adjOut = 0;
        for (RibViews.PeerCounters c : rib.counters()) {
            byPeer.put(c.peer(), c);
            // The Adj-RIBs-In before import policy, as the metric's help says: what peers announce.
            adjIn += c.received();
            adjOut += c.advertised();
        }
        SpeakerConfig cfg = config.get();
        Map<String, PeerConfig> configs = new HashMap<>();
        cfg.peers().forEach(p -> configs.put(p.name(), p));
        List<PeerMetrics> peers = new ArrayList<>();
        for (PeerStatus s : sessions) {
            RibViews.PeerCounters c = byPeer.get(s.name());
            PeerConfig pc = configs.get(s.name());
            Family family = s.address() instanceof Inet4Address ? Family.IPV4 : Family.IPV6;
            List<FamilyMetrics> families = List.of(new FamilyMetrics(family,
                    c == null ? 0 : c.received(), c == null ? 0 : c.accepted(),
                    c == null ? 0 : Math.max(0, c.received() - c.accepted()), c == null ? 0 : c.advertised(),
                    c == null ? 0 : c.preferred(), importUpdates(c), importWithdraws(c), exportUpdates(c), exportWithdraws(c)));
            peers.add(new PeerMetrics(s.name(), s.address().getHostAddress(), s.remoteAs(), cfg.localAs(),
                    SpeakerView.state(s.state()), s.adminDown(), s.since().toEpochMilli(),
                    s.flaps() + (s.state() == io.gannet.bgp.session.SessionState.ESTABLISHED ? 1 : 0), s.flaps(),
                    SpeakerView.counts(s.messagesIn()), SpeakerView.counts(s.messagesOut()),
                    s.lastError(), s.lastErrorEpochMillis(),
                    pc == null ? "" : pc.importPolicy().name(), pc == null ? "" : pc.exportPolicy().name(), families));
        }
        List<RibSize> ribs = new ArrayList<>();
        for (RibViews.RibSize r : rib.sizes()) {
            boolean v4 = r.family().isIpv4();
            ribs.add(new RibSize(v4 ? Family.IPV4 : Family.IPV6, r.prefixes(), r.paths(), v4 ? adjIn : 0, v4 ? adjOut : 0));
        }
        return new MetricsSnapshot(peers, ribs, bfd.get());
    }

    // BIRD's route change stats: received, rejected (invalid: none counted apart, RFC 7606
    // treat-as-withdraw is a withdraw), filtered (import policy), ignored (not counted), accepted.
    private static ChangeStats importUpdates(RibViews.PeerCounters c) {
        if (c == null) {
            return ChangeStats.ZERO;
        }
        RibViews.PeerCounters.Changes x = c.changes();
        return new ChangeStats(x.importUpdatesReceived(), x.importUpdatesRejected(), x.importUpdatesFiltered(),
                x.importUpdatesIgnored(), x.importUpdatesAccepted());
    }

    private static ChangeStats importWithdraws(RibViews.PeerCounters c) {
        if (c == null) {
            return ChangeStats.ZERO;
        }
        RibViews.PeerCounters.Changes x = c.changes();
        return new ChangeStats(x.importWithdrawsReceived(), 0, 0, x.importWithdrawsReceived() - x.importWithdrawsAccepted(),
                x.importWithdrawsAccepted());
    }

    private static ChangeStats exportUpdates(RibViews.PeerCounters c) {
        long n = c == null ? 0 : c.changes().exportUpdates();
        return new ChangeStats(n, 0, 0, 0, n);
    }

    private static ChangeStats exportWithdraws(RibViews.PeerCounters c) {
        long n = c == null ? 0 : c.changes().exportWithdraws();
        return new ChangeStats(n, 0, 0, 0, n);
    }
}
