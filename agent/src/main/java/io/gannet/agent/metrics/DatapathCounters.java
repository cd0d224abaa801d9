package io.gannet.agent.metrics;

import io.gannet.bpf.maps.Reason;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code gannet_datapath_packets_total{reason, verdict}}: the eBPF datapath's per-reason
 * counters (the per-CPU {@code dp_metrics} map, summed over CPUs), read at each scrape. One
 * series per {@link Reason}, zero included, so a rate() or an alert on a reason that has not
 * happened yet still has a series. A node exports its pod datapath's, an L4LB host its
 * forwarding datapath's; policy verdicts are {@code gannet_policy_packets_total}.
 */
public final class DatapathCounters implements MultiCollector {
    private final Supplier<Map<Reason, Long>> source;

    public DatapathCounters(Supplier<Map<Reason, Long>> source) {
        this.source = source;
    }

    @Override
    public MetricSnapshots collect() {
        Map<Reason, Long> counts = source.get();
        CounterSnapshot.Builder b = CounterSnapshot.builder()
                .name("gannet_datapath_packets")
                .help("Packets the eBPF datapath handled, by reason and verdict (pass, nat, reject, drop, redirect;"
                        + " conntrack counts conntrack events); policy drops are gannet_policy_packets_total");
        for (Reason r : Reason.values()) {
            Long v = counts.get(r);
            b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of("reason", r.label(), "verdict", r.verdict()))
                    .value(v == null ? 0 : v).build());
        }
        return MetricSnapshots.of(b.build());
    }
}
