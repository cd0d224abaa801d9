package io.gannet.agent.metrics;

import io.gannet.pod.ipam.BlockUsage;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.function.Supplier;

/**
 * The node's pod address blocks at each scrape (a dual-stack node has one of each family), as
 * {@code gannet show ipam} prints them: {@code gannet_ipam_addresses{block}} (usable pod addresses: the block less network, gateway
 * and broadcast), {@code gannet_ipam_addresses_used}, {@code _reserved} (held by an operator),
 * {@code _free} (what the next CNI ADD can still get), and {@code gannet_ipam_fixed_ips}
 * (StatefulSet addresses from the fixed-IP pools held here, outside the blocks, both families).
 */
public final class IpamGauges implements MultiCollector {
    private final Supplier<List<BlockUsage>> source;

    public IpamGauges(Supplier<List<BlockUsage>> source) {
        this.source = source;
    }

    @Override
    public MetricSnapshots collect() {
        List<BlockUsage> blocks = source.get();
        GaugeSnapshot.Builder addresses = gauge("gannet_ipam_addresses", "Usable pod addresses in this node's block");
        GaugeSnapshot.Builder used = gauge("gannet_ipam_addresses_used", "Pod addresses of this node's block held by pods");
        GaugeSnapshot.Builder reserved = gauge("gannet_ipam_addresses_reserved", "Addresses of this node's block reserved by an operator");
        GaugeSnapshot.Builder free = gauge("gannet_ipam_addresses_free", "Addresses of this node's block a new pod can still get");
        long fixed = 0;
        for (BlockUsage u : blocks) {
            Labels block = Labels.of("block", u.block().toString());
            addresses.dataPoint(point(block, u.usable()));
            used.dataPoint(point(block, u.podsInBlock()));
            reserved.dataPoint(point(block, u.reserved()));
            free.dataPoint(point(block, u.free()));
            fixed += u.fixed();
        }
        return MetricSnapshots.of(addresses.build(), used.build(), reserved.build(), free.build(),
                gauge("gannet_ipam_fixed_ips", "Fixed (StatefulSet) IPs held on this node, outside its blocks")
                        .dataPoint(point(Labels.EMPTY, fixed)).build());
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
