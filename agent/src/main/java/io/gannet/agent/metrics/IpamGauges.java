package io.gannet.agent.metrics;

import io.gannet.pod.ipam.BlockUsage;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Supplier;

/**
 * The node's pod address block at each scrape, as {@code gannet show ipam} prints it:
 * {@code gannet_ipam_addresses{block}} (usable pod addresses: the block less network, gateway
 * and broadcast), {@code gannet_ipam_addresses_used}, {@code _reserved} (held by an operator),
 * {@code _free} (what the next CNI ADD can still get), and {@code gannet_ipam_fixed_ips}
 * (StatefulSet addresses from the fixed-IP pool held here, outside the block).
 */
public final class IpamGauges implements MultiCollector {
    private final Supplier<BlockUsage> source;

    public IpamGauges(Supplier<BlockUsage> source) {
        this.source = source;
    }

    @Override
    public MetricSnapshots collect() {
        BlockUsage u = source.get();
        Labels block = Labels.of("block", u.block().toString());
        return MetricSnapshots.of(
                gauge("gannet_ipam_addresses", "Usable pod addresses in this node's block", block, u.usable()),
                gauge("gannet_ipam_addresses_used", "Pod addresses of this node's block held by pods", block, u.podsInBlock()),
                gauge("gannet_ipam_addresses_reserved", "Addresses of this node's block reserved by an operator", block, u.reserved()),
                gauge("gannet_ipam_addresses_free", "Addresses of this node's block a new pod can still get", block, u.free()),
                gauge("gannet_ipam_fixed_ips", "Fixed (StatefulSet) IPs held on this node, outside its block", Labels.EMPTY, u.fixed()));
    }

    private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build()).build();
    }
}
