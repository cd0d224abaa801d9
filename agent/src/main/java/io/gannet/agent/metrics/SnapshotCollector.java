package io.gannet.agent.metrics;

import io.gannet.agent.control.BfdState;
import io.gannet.agent.control.Family;
import io.gannet.agent.control.MessageCounts;
import io.gannet.agent.control.SessionState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns the current {@link MetricsSnapshot} into Prometheus samples at scrape time: the
 * {@code gannet_*} series and the bird_exporter-compatible {@code bird_*} series. Runs on a
 * scraping thread; reads the snapshot reference once per scrape.
 */
final class SnapshotCollector implements MultiCollector {
    private static final String[] MESSAGE_TYPES = {"open", "update", "notification", "keepalive", "route_refresh"};

    private final Supplier<MetricsSnapshot> snapshot;
    private final LatencyHistogram updateLatency;
    private final InstantSource clock;
    private final boolean birdCompatible;

    SnapshotCollector(Supplier<MetricsSnapshot> snapshot, LatencyHistogram updateLatency, InstantSource clock,
                      boolean birdCompatible) {
        this.snapshot = snapshot;
        this.updateLatency = updateLatency;
        this.clock = clock;
        this.birdCompatible = birdCompatible;
    }

    @Override
    public MetricSnapshots collect() {
        MetricsSnapshot s = snapshot.get();
        long now = clock.millis();
        Series out = new Series();
        for (PeerMetrics p : s.peers()) {
            peer(out, p, now);
            if (birdCompatible) {
                birdPeer(out, p, now);
            }
        }
        for (RibSize r : s.ribs()) {
            Labels l = Labels.of("family", r.family().toString());
            out.gauge("gannet_bgp_loc_rib_prefixes", "Prefixes with a best path in the Loc-RIB", l, r.locRibPrefixes());
            out.gauge("gannet_bgp_loc_rib_paths", "Paths in the Loc-RIB", l, r.locRibPaths());
            out.gauge("gannet_bgp_adj_rib_in_paths", "Paths in all Adj-RIBs-In, before import policy", l, r.adjRibInPaths());
            out.gauge("gannet_bgp_adj_rib_out_paths", "Paths in all Adj-RIBs-Out", l, r.adjRibOutPaths());
        }
        for (BfdMetrics b : s.bfd()) {
            bfd(out, b, now);
        }
        out.gauge("gannet_bgp_peers", "Configured and dynamic BGP sessions", Labels.EMPTY, s.peers().size());
        out.gauge("gannet_bfd_sessions", "BFD sessions", Labels.EMPTY, s.bfd().size());
        List<MetricSnapshot> all = out.build();
        all.add(updateLatencyHistogram());
        return new MetricSnapshots(all);
    }

    private static void peer(Series out, PeerMetrics p, long now) {
        // Only the peer name labels the per-peer series; the neighbor's address, AS and policies
        // are on one info series to join with (group_left), which keeps a 1,000-peer scrape small.
        Labels l = Labels.of("peer", p.name());
        out.info("gannet_bgp_peer", "Static facts of a BGP session, to join on the peer label",
                Labels.of("peer", p.name(), "neighbor", p.address(), "remote_as", Long.toString(p.remoteAs()),
                        "local_as", Long.toString(p.localAs()), "import_policy", p.importPolicy(),
                        "export_policy", p.exportPolicy()));
        boolean up = p.state() == SessionState.ESTABLISHED;
        out.gauge("gannet_bgp_peer_up", "1 when the session is Established", l, up ? 1 : 0);
        out.gauge("gannet_bgp_peer_state", "FSM state: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established",
                l, p.state().ordinal() + 1);
        out.gauge("gannet_bgp_peer_admin_disabled", "1 when an operator disabled the session", l, p.adminDisabled() ? 1 : 0);
        out.gauge("gannet_bgp_peer_uptime_seconds", "Seconds since the session reached Established, 0 when down",
                l, up ? seconds(now - p.stateSinceEpochMillis()) : 0);
        out.counter("gannet_bgp_peer_established_transitions", "Times the session entered Established", l,
                p.establishedTransitions());
        out.counter("gannet_bgp_peer_flaps", "Times the session left Established", l, p.flaps());
        messages(out, "gannet_bgp_messages_received", "BGP messages received, by type", l, p.messagesIn());
        messages(out, "gannet_bgp_messages_sent", "BGP messages sent, by type", l, p.messagesOut());
        if (p.lastError() != null) {
            out.info("gannet_bgp_peer_last_error", "The last error that ended the session",
                    Labels.of("peer", p.name(), "error", p.lastError()));
            out.gauge("gannet_bgp_peer_last_error_timestamp_seconds", "When the last error happened (Unix time)",
                    l, seconds(p.lastErrorEpochMillis()));
        }
        for (FamilyMetrics f : p.families()) {
            Labels fl = Labels.of("peer", p.name(), "family", f.family().toString());
            out.gauge("gannet_bgp_prefixes_received", "Prefixes in the Adj-RIB-In before import policy", fl, f.received());
            out.gauge("gannet_bgp_prefixes_accepted", "Prefixes accepted by import policy", fl, f.accepted());
            out.gauge("gannet_bgp_prefixes_filtered", "Prefixes dropped by import policy", fl, f.filtered());
            out.gauge("gannet_bgp_prefixes_advertised", "Prefixes in the Adj-RIB-Out", fl, f.advertised());
            out.gauge("gannet_bgp_prefixes_best", "Accepted prefixes whose best path came from this peer", fl, f.preferred());
        }
    }

    private static void messages(Series out, String name, String help, Labels peer, MessageCounts c) {
        long[] v = {c.open(), c.update(), c.notification(), c.keepalive(), c.routeRefresh()};
        for (int i = 0; i < v.length; i++) {
            out.counter(name, help, peer.add("type", MESSAGE_TYPES[i]), v[i]);
        }
    }

    /** The series and labels of czerwonk/bird_exporter's new format (protocol "BGP", one series per channel). */
    private static void birdPeer(Series out, PeerMetrics p, long now) {
        boolean up = p.state() == SessionState.ESTABLISHED;
        out.gauge("bird_bgp_state_count", "Number of BGP connections at each state (bird_exporter compatible)",
                Labels.of("name", p.name(), "proto", "BGP", "state", p.state().toString()), 1);
        for (FamilyMetrics f : p.families()) {
            Labels l = Labels.of("name", p.name(), "proto", "BGP", "ip_version", f.family() == Family.IPV4 ? "4" : "6",
                    "import_filter", p.importPolicy(), "export_filter", p.exportPolicy());
            out.gauge("bird_protocol_up", "Protocol is up (bird_exporter compatible)", l, up ? 1 : 0);
            out.gauge("bird_protocol_uptime", "Seconds since the protocol state changed (bird_exporter compatible)",
                    l, seconds(now - p.stateSinceEpochMillis()));
            out.gauge("bird_protocol_prefix_import_count", "Number of imported routes", l, f.accepted());
            out.gauge("bird_protocol_prefix_export_count", "Number of exported routes", l, f.advertised());
            out.gauge("bird_protocol_prefix_filter_count", "Number of filtered routes", l, f.filtered());
            out.gauge("bird_protocol_prefix_preferred_count", "Number of preferred routes", l, f.preferred());
            changes(out, "update_import", l, f.importUpdates());
            changes(out, "withdraw_import", l, f.importWithdraws());
            changes(out, "update_export", l, f.exportUpdates());
            changes(out, "withdraw_export", l, f.exportWithdraws());
        }
    }

    private static void changes(Series out, String kind, Labels l, ChangeStats c) {
        String p = "bird_protocol_changes_" + kind + "_";
        String what = kind.replace('_', ' ');
        out.gauge(p + "receive_count", "Route changes received: " + what, l, c.received());
        out.gauge(p + "reject_count", "Route changes rejected: " + what, l, c.rejected());
        out.gauge(p + "filter_count", "Route changes filtered: " + what, l, c.filtered());
        out.gauge(p + "ignore_count", "Route changes ignored: " + what, l, c.ignored());
        out.gauge(p + "accept_count", "Route changes accepted: " + what, l, c.accepted());
    }

    private void bfd(Series out, BfdMetrics b, long now) {
        Labels l = Labels.of("peer_address", b.peerAddress(), "interface", b.interfaceName(), "hop", b.multihop() ? "multi" : "single",
                "client", b.client());
        boolean up = b.state() == BfdState.UP;
        out.gauge("gannet_bfd_session_up", "1 when the BFD session is Up", l, up ? 1 : 0);
        out.gauge("gannet_bfd_session_state", "BFD state: 0 AdminDown, 1 Down, 2 Init, 3 Up (RFC 5880 4.1)",
                l, bfdStateCode(b.state()));
        out.gauge("gannet_bfd_session_uptime_seconds", "Seconds since the session came Up, 0 when not Up",
                l, up ? seconds(now - b.stateSinceEpochMillis()) : 0);
        out.counter("gannet_bfd_session_flaps", "Transitions out of Up", l, b.flaps());
        out.counter("gannet_bfd_session_detection_events", "Detection time expiries (RFC 5880 6.8.4)", l, b.detectionEvents());
        out.gauge("gannet_bfd_session_tx_interval_seconds", "Negotiated transmit interval", l, b.txIntervalMicros() / 1e6);
        out.gauge("gannet_bfd_session_detection_time_seconds", "Detection time", l, b.detectionTimeMicros() / 1e6);
        if (birdCompatible) {
            Labels bl = Labels.of("name", b.client(), "ip", b.peerAddress(), "interface", b.interfaceName());
            out.gauge("bird_bfd_session_up", "Session is up (bird_exporter compatible)", bl, up ? 1 : 0);
            out.gauge("bird_bfd_session_uptime_seconds", "Session uptime in seconds", bl,
                    up ? seconds(now - b.stateSinceEpochMillis()) : 0);
            out.gauge("bird_bfd_session_interval_seconds", "Session interval in seconds", bl, b.txIntervalMicros() / 1e6);
            out.gauge("bird_bfd_session_timeout_seconds", "Session timeout in seconds", bl, b.detectionTimeMicros() / 1e6);
        }
    }

    /** RFC 5880 section 4.1 state codes; NONE (no BFD) never appears in a BFD session. */
    private static int bfdStateCode(BfdState s) {
        return switch (s) {
            case ADMIN_DOWN -> 0;
            case DOWN, NONE -> 1;
            case INIT -> 2;
            case UP -> 3;
        };
    }

    private MetricSnapshot updateLatencyHistogram() {
        long[] counts = updateLatency.bucketCounts();
        HistogramSnapshot.HistogramDataPointSnapshot.Builder dp = HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(LatencyHistogram.upperBoundsSeconds(), counts));
        dp.sum(updateLatency.sumSeconds());
        return HistogramSnapshot.builder()
                .name("gannet_bgp_update_processing_seconds")
                .help("Time to process one received UPDATE (decode, RFC 7606 checks, policy, best path)")
                .dataPoint(dp.build())
                .build();
    }

    private static double seconds(long millis) {
        return Math.max(0, millis) / 1000.0;
    }

    /** Collects data points per metric name, keeping first-seen order. */
    private static final class Series {
        private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
        private final Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();
        private final Map<String, InfoSnapshot.Builder> infos = new LinkedHashMap<>();

        void gauge(String name, String help, Labels labels, double value) {
            gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void counter(String name, String help, Labels labels, double value) {
            counters.computeIfAbsent(name, n -> CounterSnapshot.builder().name(n).help(help))
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void info(String name, String help, Labels labels) {
            infos.computeIfAbsent(name, n -> InfoSnapshot.builder().name(n).help(help))
                    .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(labels).build());
        }

        List<MetricSnapshot> build() {
            List<MetricSnapshot> all = new ArrayList<>();
            gauges.values().forEach(b -> all.add(b.build()));
            counters.values().forEach(b -> all.add(b.build()));
            infos.values().forEach(b -> all.add(b.build()));
            return all;
        }
    }
}
