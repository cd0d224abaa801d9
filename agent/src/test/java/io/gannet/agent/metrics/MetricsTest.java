package io.gannet.agent.metrics;

import static io.gannet.agent.metrics.PrometheusTextParser.find;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gannet.agent.control.BfdState;
import io.gannet.agent.control.Family;
import io.gannet.agent.control.FixtureDaemon;
import io.gannet.agent.control.MessageCounts;
import io.gannet.agent.control.RawHttp;
import io.gannet.agent.control.RunningServer;
import io.gannet.agent.control.SessionState;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /metrics read with a real text-format parser: gannet series, bird_exporter series, the histogram, JVM. */
class MetricsTest {
    private static final long NOW = 1_763_800_100_000L;

    static MetricsSnapshot snapshot() {
        FamilyMetrics v4 = new FamilyMetrics(Family.IPV4, 120, 100, 20, 7, 60,
                new ChangeStats(500, 3, 20, 10, 467), new ChangeStats(40, 0, 0, 5, 35),
                new ChangeStats(90, 0, 2, 0, 88), new ChangeStats(4, 0, 0, 0, 4));
        FamilyMetrics v6 = new FamilyMetrics(Family.IPV6, 10, 10, 0, 1, 10,
                ChangeStats.ZERO, ChangeStats.ZERO, ChangeStats.ZERO, ChangeStats.ZERO);
        PeerMetrics tor1 = new PeerMetrics("tor1", "192.0.2.1", 65001, 65000, SessionState.ESTABLISHED, false,
                NOW - 3_600_000, 4, 3, new MessageCounts(4, 640, 3, 1200, 1), new MessageCounts(5, 95, 0, 1201, 0),
                "received NOTIFICATION Cease/Administrative Reset: \"swap\"", NOW - 3_700_000, "import-tor", "export-pods",
                List.of(v4, v6));
        PeerMetrics tor2 = new PeerMetrics("tor2", "2001:db8::2", 65002, 65000, SessionState.ACTIVE, false,
                NOW - 10_000, 0, 0, MessageCounts.ZERO, MessageCounts.ZERO, null, 0, "reject-all", "export-pods",
                List.of(v6));
        BfdMetrics bfd = new BfdMetrics("192.0.2.1", "eth0", false, "tor1", BfdState.UP, NOW - 60_000, 2, 1, 300_000, 900_000);
        return new MetricsSnapshot(List.of(tor1, tor2), List.of(new RibSize(Family.IPV4, 130, 150, 130, 7)), List.of(bfd));
    }

    @Test
    void scrapeCarriesTheSnapshotAndJvmSeries() throws Exception {
        try (GannetMetrics m = GannetMetrics.create(InstantSource.fixed(Instant.ofEpochMilli(NOW)))) {
            m.publish(snapshot());
            m.updateLatency().recordNanos(30_000);
            m.updateLatency().recordNanos(30_000);
            m.updateLatency().recordNanos(2_000_000_000L);
            Map<String, PrometheusTextParser.Family> f = PrometheusTextParser.parse(m.scrape());

            assertThat(find(f, "gannet_bgp_peer_info", "peer", "tor2").labels()).containsEntry("neighbor", "2001:db8::2")
                    .containsEntry("remote_as", "65002").containsEntry("local_as", "65000")
                    .containsEntry("import_policy", "reject-all").containsEntry("export_policy", "export-pods");
            assertThat(find(f, "gannet_bgp_peer_up", "peer", "tor1").value()).isEqualTo(1);
            assertThat(find(f, "gannet_bgp_peer_up", "peer", "tor2").value()).isEqualTo(0);
            assertThat(find(f, "gannet_bgp_peer_state", "peer", "tor2").value()).isEqualTo(3);
            assertThat(find(f, "gannet_bgp_peer_uptime_seconds", "peer", "tor1").value()).isEqualTo(3600);
            assertThat(find(f, "gannet_bgp_peer_uptime_seconds", "peer", "tor2").value()).isEqualTo(0);
            assertThat(familyOf(f, "gannet_bgp_peer_flaps_total").type()).isEqualTo("counter");
            assertThat(find(f, "gannet_bgp_peer_flaps_total", "peer", "tor1").value()).isEqualTo(3);
            assertThat(find(f, "gannet_bgp_peer_established_transitions_total", "peer", "tor1").value()).isEqualTo(4);
            assertThat(find(f, "gannet_bgp_messages_received_total", "peer", "tor1", "type", "update").value()).isEqualTo(640);
            assertThat(find(f, "gannet_bgp_messages_sent_total", "peer", "tor1", "type", "keepalive").value()).isEqualTo(1201);
            assertThat(find(f, "gannet_bgp_prefixes_received", "peer", "tor1", "family", "ipv4").value()).isEqualTo(120);
            assertThat(find(f, "gannet_bgp_prefixes_accepted", "peer", "tor1", "family", "ipv4").value()).isEqualTo(100);
            assertThat(find(f, "gannet_bgp_prefixes_advertised", "peer", "tor1", "family", "ipv6").value()).isEqualTo(1);
            assertThat(find(f, "gannet_bgp_peer_last_error_info", "peer", "tor1").labels().get("error"))
                    .isEqualTo("received NOTIFICATION Cease/Administrative Reset: \"swap\"");
            assertThat(find(f, "gannet_bgp_peer_last_error_timestamp_seconds", "peer", "tor1").value())
                    .isEqualTo((NOW - 3_700_000) / 1000.0);
            assertThat(find(f, "gannet_bgp_loc_rib_prefixes", "family", "ipv4").value()).isEqualTo(130);
            assertThat(find(f, "gannet_bgp_peers").value()).isEqualTo(2);

            assertThat(find(f, "gannet_bfd_session_up", "peer_address", "192.0.2.1", "hop", "single").value()).isEqualTo(1);
            assertThat(find(f, "gannet_bfd_session_state", "client", "tor1").value()).isEqualTo(3);
            assertThat(find(f, "gannet_bfd_session_flaps_total", "client", "tor1").value()).isEqualTo(2);
            assertThat(find(f, "gannet_bfd_session_detection_events_total", "client", "tor1").value()).isEqualTo(1);
            assertThat(find(f, "gannet_bfd_session_detection_time_seconds", "client", "tor1").value()).isEqualTo(0.9);

            PrometheusTextParser.Family h = f.get("gannet_bgp_update_processing_seconds");
            assertThat(h.type()).isEqualTo("histogram");
            assertThat(find(f, "gannet_bgp_update_processing_seconds_count").value()).isEqualTo(3);
            assertThat(find(f, "gannet_bgp_update_processing_seconds_bucket", "le", "5.0E-5").value()).isEqualTo(2);
            assertThat(find(f, "gannet_bgp_update_processing_seconds_bucket", "le", "1.0").value()).isEqualTo(2);
            assertThat(find(f, "gannet_bgp_update_processing_seconds_bucket", "le", "+Inf").value()).isEqualTo(3);
            assertThat(find(f, "gannet_bgp_update_processing_seconds_sum").value()).isCloseTo(2.00006, within(1e-9));

            assertThat(f).containsKeys("jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes", "jvm_threads_live_threads",
                    "process_cpu_usage", "process_uptime_seconds");
        }
    }

    /** The collector's series keep Micrometer's names, read from the management beans at each scrape. */
    @Test
    void gcSeriesAreReadFromTheManagementBeansWhenScraped() {
        try (GannetMetrics m = GannetMetrics.create(InstantSource.system())) {
            System.gc();
            Map<String, PrometheusTextParser.Family> f = PrometheusTextParser.parse(m.scrape());
            PrometheusTextParser.Family pause = f.get("jvm_gc_pause_seconds");
            assertThat(pause).isNotNull();
            assertThat(pause.samples().stream().filter(s -> s.name().equals("jvm_gc_pause_seconds_count"))
                    .mapToDouble(PrometheusTextParser.Sample::value).sum()).isGreaterThanOrEqualTo(1);
            assertThat(pause.samples()).allSatisfy(s -> {
                assertThat(s.labels().get("action")).isIn("end of minor GC", "end of major GC");
                assertThat(s.labels()).containsKey("gc");
            });
            assertThat(find(f, "jvm_gc_max_data_size_bytes").value()).isPositive();
            assertThat(find(f, "jvm_gc_live_data_size_bytes").value()).isPositive();
            assertThat(find(f, "jvm_gc_memory_allocated_bytes_total").value()).isPositive();
        }
        assertThat(GcMetrics.action("Copy")).isEqualTo("end of minor GC");
        assertThat(GcMetrics.action("MarkSweepCompact")).isEqualTo("end of major GC");
        assertThat(GcMetrics.action("G1 Young Generation")).isEqualTo("end of minor GC");
        assertThat(GcMetrics.action("G1 Old Generation")).isEqualTo("end of major GC");
        assertThat(GcMetrics.action("PS Scavenge")).isEqualTo("end of minor GC");
    }

    @Test
    void birdExporterSeriesCarryItsNamesAndLabels() {
        try (GannetMetrics m = GannetMetrics.create(InstantSource.fixed(Instant.ofEpochMilli(NOW)))) {
            m.publish(snapshot());
            Map<String, PrometheusTextParser.Family> f = PrometheusTextParser.parse(m.scrape());
            PrometheusTextParser.Sample up = find(f, "bird_protocol_up", "name", "tor1", "ip_version", "4");
            assertThat(up.value()).isEqualTo(1);
            assertThat(up.labels()).containsEntry("proto", "BGP").containsEntry("import_filter", "import-tor")
                    .containsEntry("export_filter", "export-pods");
            assertThat(find(f, "bird_protocol_up", "name", "tor2", "ip_version", "6").value()).isEqualTo(0);
            assertThat(find(f, "bird_protocol_prefix_import_count", "name", "tor1", "ip_version", "4").value()).isEqualTo(100);
            assertThat(find(f, "bird_protocol_prefix_export_count", "name", "tor1", "ip_version", "4").value()).isEqualTo(7);
            assertThat(find(f, "bird_protocol_prefix_filter_count", "name", "tor1", "ip_version", "4").value()).isEqualTo(20);
            assertThat(find(f, "bird_protocol_prefix_preferred_count", "name", "tor1", "ip_version", "4").value()).isEqualTo(60);
            assertThat(find(f, "bird_protocol_uptime", "name", "tor1", "ip_version", "4").value()).isEqualTo(3600);
            assertThat(find(f, "bird_protocol_changes_update_import_receive_count", "name", "tor1", "ip_version", "4").value())
                    .isEqualTo(500);
            assertThat(find(f, "bird_protocol_changes_withdraw_import_ignore_count", "name", "tor1", "ip_version", "4").value())
                    .isEqualTo(5);
            assertThat(find(f, "bird_protocol_changes_update_export_filter_count", "name", "tor1", "ip_version", "4").value())
                    .isEqualTo(2);
            assertThat(find(f, "bird_bgp_state_count", "name", "tor2").labels()).containsEntry("state", "Active");
            assertThat(find(f, "bird_bfd_session_up", "name", "tor1", "ip", "192.0.2.1", "interface", "eth0").value()).isEqualTo(1);
            assertThat(find(f, "bird_bfd_session_timeout_seconds", "name", "tor1").value()).isEqualTo(0.9);
        }
        try (GannetMetrics m = GannetMetrics.create(InstantSource.system(), false)) {
            m.publish(snapshot());
            assertThat(PrometheusTextParser.parse(m.scrape()).keySet()).noneMatch(k -> k.startsWith("bird_"));
        }
    }

    @Test
    void servedOnTheControlSocketAndOnTheMetricsAddressOnly() throws Exception {
        try (RunningServer s = new RunningServer(FixtureDaemon.standard(), new InetSocketAddress("127.0.0.1", 0))) {
            s.metrics.publish(snapshot());
            RawHttp.Response viaSocket = RawHttp.get(s.socket, "/metrics");
            assertThat(viaSocket.status()).isEqualTo(200);
            assertThat(viaSocket.header("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(find(PrometheusTextParser.parse(viaSocket.body()), "gannet_bgp_peer_up", "peer", "tor1").value()).isEqualTo(1);

            // Port 0: the kernel picks a free one per run; the server reports the one it bound.
            assertThat(s.server.metricsTcpAddress().getPort()).isPositive();
            String scrape = httpOverTcp(s.server.metricsTcpAddress(), "/metrics");
            assertThat(scrape).startsWith("HTTP/1.1 200 OK");
            String body = scrape.substring(scrape.indexOf("\r\n\r\n") + 4);
            assertThat(find(PrometheusTextParser.parse(body), "bird_protocol_up", "name", "tor1", "ip_version", "6").value())
                    .isEqualTo(1);
            String peers = httpOverTcp(s.server.metricsTcpAddress(), "/v1/peers");
            assertThat(peers).startsWith("HTTP/1.1 404").contains("this address serves only /metrics");
        }
    }

    /** The family a sample belongs to, whichever name its TYPE line uses. */
    static PrometheusTextParser.Family familyOf(Map<String, PrometheusTextParser.Family> f, String sample) {
        return f.values().stream().filter(x -> x.samples().stream().anyMatch(s -> s.name().equals(sample)))
                .findFirst().orElseThrow();
    }

    static String httpOverTcp(InetSocketAddress a, String path) throws Exception {
        try (Socket sock = new Socket(a.getAddress(), a.getPort())) {
            sock.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = sock.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void latencyHistogramBucketsAreUpperInclusive() {
        LatencyHistogram h = new LatencyHistogram();
        h.recordNanos(10_000);
        h.recordNanos(10_001);
        h.recordNanos(-5);
        long[] c = h.bucketCounts();
        assertThat(c[0]).isEqualTo(2);
        assertThat(c[1]).isEqualTo(1);
        assertThat(LatencyHistogram.upperBoundsSeconds()[c.length - 1]).isInfinite();
        assertThat(h.sumSeconds()).isEqualTo(20_001 / 1e9);
    }
}
