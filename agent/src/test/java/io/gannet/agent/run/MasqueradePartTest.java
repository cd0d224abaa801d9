package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.logging.EventLog;
import io.gannet.agent.logging.LogFormat;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.PinLayout;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.NatValue;
import io.gannet.bpf.maps.TypedMap;
import io.gannet.bpf.nat.Ipv4Prefix;
import io.gannet.bpf.nat.MasqueradeFeature;
import io.gannet.testsupport.Requirements;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The masquerade part's warnings before the table is full, against a real datapath whose maps
 * the test fills: one when 80% of dp_snat4 is in use, one when a destination holds 80% of the
 * random ports. (The daemon path itself is DaemonMasqueradeTest.)
 */
class MasqueradePartTest {
    @Test
    void warnsBeforeTheTableOrADestinationsPortsRunOut() throws Exception {
        Requirements.requireBpf();
        Path pinRoot = Path.of("/sys/fs/bpf/gannet-masq-part-test-" + ProcessHandle.current().pid());
        List<String> lines = new CopyOnWriteArrayList<>();
        EventLog log = new EventLog(lines::add, LogFormat.LOGFMT, InstantSource.system());
        try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pinRoot));
             BpfMap raw = BpfMap.openPinnedAsIs(PinLayout.mapsDir(pinRoot).resolve(DpMaps.SNAT.name()).toString())) {
            TypedMap<CtKey, NatValue> snat = new TypedMap<>(raw, DpMaps.SNAT.key(), DpMaps.SNAT.value());
            long now = dp.options().clock().monotonicSeconds();
            int node = Ipv4.parse("10.9.0.1");
            int remote = Ipv4.parse("203.0.113.10");
            int pod = Ipv4.parse("10.244.1.5");
            // 3,700 live flows of one pod to one destination, on random-range node ports (82% of them)
            List<Map.Entry<CtKey, CtEntry>> ct = new ArrayList<>();
            List<Map.Entry<CtKey, NatValue>> nat = new ArrayList<>();
            CtEntry live = new CtEntry(0, now + 3600, now, 0, CtEntry.SEEN_ACK, CtEntry.F_SNAT);
            for (int i = 0; i < 3_700; i++) {
                CtKey out = new CtKey(pod, remote, 20_000 + i, 443, 6, CtKey.MASQ_OUT);
                ct.add(new AbstractMap.SimpleEntry<>(out, live));
                nat.add(new AbstractMap.SimpleEntry<>(out, new NatValue(node, MasqueradeFeature.PORT_MIN + i)));
            }
            dp.conntrack().putAll(ct);
            snat.putAll(nat);
            // and the table past 80%: filler entries (their flows long gone from conntrack)
            int capacity = raw.maxEntries();
            List<Map.Entry<CtKey, NatValue>> filler = new ArrayList<>();
            for (int i = nat.size(); i < capacity * 0.82; i++) {
                filler.add(new AbstractMap.SimpleEntry<>(new CtKey(Ipv4.parse("198.18.0.0") + i, node, 80, 1, 6, CtKey.MASQ_IN),
                        new NatValue(pod, 1)));
            }
            snat.putAll(filler);

            try (MasqueradePart part = MasqueradePart.start(dp, List.of("lo"), Ipv4Prefix.parse("10.244.0.0/16"),
                    List.of(Ipv4Prefix.parse("10.244.0.0/16")), log, new PrometheusRegistry())) {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline && lines.stream().filter(l -> l.contains("warning:")).count() < 2) {
                    Thread.sleep(100);
                }
                assertThat(lines).anyMatch(l -> l.contains("warning: NAT table 8") && l.contains("% full"));
                assertThat(lines).anyMatch(l -> l.contains("warning: 3700 of 4536 masquerade ports towards TCP 203.0.113.10:443 in use"));
                // lo has no global IPv4 address: said, not silently skipped
                assertThat(part.show().get("devices").toString()).contains("lo=no IPv4 address");
            }
        } finally {
            Datapath.removePins(pinRoot);
        }
    }
    /**
     * The same for IPv6 (dp_snat6, dp_ct6) on an IPv6-only node: the warnings name dp_snat6 and the
     * IPv6 destination, {@code show nat} reports the IPv6 occupancy, and the gauges carry
     * family="ipv6". Before, masquerade was IPv4 only and a node without an IPv4 pool had none.
     */
    @Test
    void warnsBeforeTheIpv6TableOrADestinationsPortsRunOut() throws Exception {
        Requirements.requireBpf();
        Path pinRoot = Path.of("/sys/fs/bpf/gannet-masq6-part-test-" + ProcessHandle.current().pid());
        List<String> lines = new CopyOnWriteArrayList<>();
        EventLog log = new EventLog(lines::add, LogFormat.LOGFMT, InstantSource.system());
        try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pinRoot));
             BpfMap raw = BpfMap.openPinnedAsIs(PinLayout.mapsDir(pinRoot).resolve(DpMaps.SNAT6.name()).toString())) {
            TypedMap<io.gannet.bpf.maps.CtKey6, io.gannet.bpf.maps.NatValue6> snat = new TypedMap<>(raw, DpMaps.SNAT6.key(),
                    DpMaps.SNAT6.value());
            long now = dp.options().clock().monotonicSeconds();
            io.gannet.bpf.lb.Ipv6 node = io.gannet.bpf.lb.Ipv6.parse("fd00:9::1");
            io.gannet.bpf.lb.Ipv6 remote = io.gannet.bpf.lb.Ipv6.parse("2001:db8:99::10");
            io.gannet.bpf.lb.Ipv6 pod = io.gannet.bpf.lb.Ipv6.parse("fd00:10:244:1::5");
            List<Map.Entry<io.gannet.bpf.maps.CtKey6, CtEntry>> ct = new ArrayList<>();
            List<Map.Entry<io.gannet.bpf.maps.CtKey6, io.gannet.bpf.maps.NatValue6>> nat = new ArrayList<>();
            CtEntry live = new CtEntry(0, now + 3600, now, 0, CtEntry.SEEN_ACK, CtEntry.F_SNAT);
            for (int i = 0; i < 3_700; i++) {
                io.gannet.bpf.maps.CtKey6 out = new io.gannet.bpf.maps.CtKey6(pod.hi(), pod.lo(), remote.hi(), remote.lo(),
                        20_000 + i, 443, 6, CtKey.MASQ_OUT);
                ct.add(new AbstractMap.SimpleEntry<>(out, live));
                nat.add(new AbstractMap.SimpleEntry<>(out, new io.gannet.bpf.maps.NatValue6(node.hi(), node.lo(),
                        MasqueradeFeature.PORT_MIN + i)));
            }
            dp.conntrack6().putAll(ct);
            snat.putAll(nat);
            int capacity = raw.maxEntries();
            List<Map.Entry<io.gannet.bpf.maps.CtKey6, io.gannet.bpf.maps.NatValue6>> filler = new ArrayList<>();
            for (int i = nat.size(); i < capacity * 0.82; i++) {
                filler.add(new AbstractMap.SimpleEntry<>(new io.gannet.bpf.maps.CtKey6(0x20010db800180000L, i, node.hi(), node.lo(),
                        80, 1, 6, CtKey.MASQ_IN), new io.gannet.bpf.maps.NatValue6(pod.hi(), pod.lo(), 1)));
            }
            snat.putAll(filler);

            PrometheusRegistry registry = new PrometheusRegistry();
            try (MasqueradePart part = MasqueradePart.start(dp, List.of("lo"), null, List.of(),
                    io.gannet.bpf.nat.Ipv6Prefix.parse("fd00:10:244::/56"), List.of(io.gannet.bpf.nat.Ipv6Prefix.parse("fd00:10:244::/56")),
                    log, registry)) {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline && lines.stream().filter(l -> l.contains("warning:")).count() < 2) {
                    Thread.sleep(100);
                }
                assertThat(lines).anyMatch(l -> l.contains("dp_snat6") && l.contains("warning: NAT table 8") && l.contains("% full"));
                assertThat(lines).anyMatch(l -> l.contains("warning: 3700 of 4536 masquerade ports towards TCP [2001:db8:99::10]:443 in use"));
                assertThat(lines).noneMatch(l -> l.contains("dp_snat4"));
                Map<String, Object> show = part.show();
                assertThat(show).doesNotContainKey("pool");
                @SuppressWarnings("unchecked")
                Map<String, Object> v6 = (Map<String, Object>) show.get("ipv6");
                assertThat(v6.get("pool")).isEqualTo("fd00:10:244::/56");
                // lo has only ::1 (host scope): said, not silently skipped
                assertThat(v6.get("devices").toString()).contains("lo=no usable global IPv6 address");
                assertThat(v6.get("occupancy").toString()).contains("flows=3700");
                // the gauge of the IPv6 table, labelled by family, from the last measurement
                io.prometheus.metrics.model.snapshots.GaugeSnapshot flows = registry.scrape().stream()
                        .filter(m -> m.getMetadata().getName().equals("gannet_masquerade_flows"))
                        .map(io.prometheus.metrics.model.snapshots.GaugeSnapshot.class::cast).findFirst().orElseThrow();
                assertThat(flows.getDataPoints()).singleElement().satisfies(d -> {
                    assertThat(d.getLabels().get("family")).isEqualTo("ipv6");
                    assertThat(d.getValue()).isEqualTo(3700);
                });
            }
        } finally {
            Datapath.removePins(pinRoot);
        }
    }
}
