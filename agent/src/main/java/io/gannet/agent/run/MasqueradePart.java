package io.gannet.agent.run;

import io.gannet.agent.logging.EventLog;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.maps.Reason;
import io.gannet.bpf.nat.Ipv4Prefix;
import io.gannet.bpf.nat.Ipv6Prefix;
import io.gannet.bpf.nat.MasqueradeFeature;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * SNAT masquerade inside the daemon (the profile's {@code spec.masquerade}): tells the datapath
 * which {@code --host-device}s masquerade to which node address (each device's first global
 * IPv4 address: the one the kernel picks as source for routes out of it; on a node with IPv6
 * pods also its first global IPv6 address that is not temporary, deprecated, tentative or
 * failed DAD) and which destinations are left alone; re-reads the device addresses periodically;
 * warns before a table (dp_snat4, dp_snat6) or a busy destination's ports run out; serves
 * {@code gannet show nat} and its /metrics. The logic is in bpf (lib/masq.h, lib/masq6.h,
 * {@link MasqueradeFeature}).
 *
 * <p>Threads: one scheduler thread re-applies and measures; the control API and scrapes read
 * the last measurement (volatile).
 */
final class MasqueradePart implements AutoCloseable, MultiCollector {
    private static final long CHECK_SECONDS = 10;
    /** Warn at this share of the table (or of a destination's random ports), again after falling below {@link #REARM}. */
    static final double WARN = 0.8;
    static final double REARM = 0.7;

    private final Datapath datapath;
    private final MasqueradeFeature feature;
    private final List<String> devices;
    private final Ipv4Prefix pool; // null: no IPv4 pods (an IPv6-only node)
    private final List<Ipv4Prefix> excluded;
    private final Ipv6Prefix pool6; // null: no IPv6 pods
    private final List<Ipv6Prefix> excluded6;
    private final EventLog log;
    private final ScheduledExecutorService timer;
    private volatile Map<String, String> deviceState = Map.of(); // device -> node address or why none
    private volatile Map<String, String> deviceState6 = Map.of();
    private volatile MasqueradeFeature.Occupancy last;
    private volatile MasqueradeFeature.Occupancy last6;
    private final Warnings warn4 = new Warnings("dp_snat4"); // timer thread only
    private final Warnings warn6 = new Warnings("dp_snat6");
    private PrometheusRegistry registry;

    /** Whether the table and port warnings of one family were given (re-armed below {@link #REARM}). */
    private static final class Warnings {
        final String table;
        boolean tableWarned;
        boolean portsWarned;

        Warnings(String table) {
            this.table = table;
        }
    }

    private MasqueradePart(Datapath datapath, List<String> devices, Ipv4Prefix pool, List<Ipv4Prefix> excluded, Ipv6Prefix pool6,
            List<Ipv6Prefix> excluded6, EventLog log) {
        this.datapath = datapath;
        this.feature = datapath.masqueradeFeature();
        this.devices = List.copyOf(devices);
        this.pool = pool;
        this.excluded = List.copyOf(excluded);
        this.pool6 = pool6;
        this.excluded6 = List.copyOf(excluded6);
        this.log = log;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-masquerade");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param pool     sources that are pods (the PodCIDR pool, or the node's PodCIDR without one)
     * @param excluded destinations never masqueraded (the pool, node CIDRs, nonMasqueradeCIDRs)
     */
    static MasqueradePart start(Datapath datapath, List<String> devices, Ipv4Prefix pool, List<Ipv4Prefix> excluded, EventLog log,
            PrometheusRegistry registry) {
        return start(datapath, devices, pool, excluded, null, List.of(), log, registry);
    }

    /**
     * @param pool6     IPv6 sources that are pods (the IPv6 pool, or the node's IPv6 PodCIDR), null on a node without IPv6 pods
     * @param excluded6 IPv6 destinations never masqueraded
     */
    static MasqueradePart start(Datapath datapath, List<String> devices, Ipv4Prefix pool, List<Ipv4Prefix> excluded, Ipv6Prefix pool6,
            List<Ipv6Prefix> excluded6, EventLog log, PrometheusRegistry registry) {
        requireDevices(devices);
        MasqueradePart part = new MasqueradePart(datapath, devices, pool, excluded, pool6, excluded6, log);
        part.apply();
        if (pool != null) {
            log.operatorAction("masquerade", String.join(",", devices), "on: pods of " + pool + " leave with " + part.deviceState
                    + "; not for " + excluded);
        }
        if (pool6 != null) {
            log.operatorAction("masquerade", String.join(",", devices), "on for IPv6: pods of " + pool6 + " leave with "
                    + part.deviceState6 + "; not for " + excluded6);
        }
        part.timer.scheduleWithFixedDelay(part::check, 0, CHECK_SECONDS, TimeUnit.SECONDS);
        registry.register(part);
        part.registry = registry;
        return part;
    }

    private static void requireDevices(List<String> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("spec.masquerade.enabled: masquerade runs on the host devices pod traffic leaves by;"
                    + " start gannet run with --host-device DEV");
        }
    }

    /**
     * Masquerade as the profile asks for this host: started on a node whose profile enables it
     * (null otherwise, after turning off what an earlier run left in the pinned maps). A reload
     * passes the {@code running} part, which stops first.
     */
    static MasqueradePart startFor(io.gannet.topology.LoadedProfile profile, io.gannet.topology.config.NodeConfig node,
            Datapath datapath, List<String> devices, EventLog log, PrometheusRegistry registry, MasqueradePart running) {
        if (profile.masquerade().enabled()) {
            requireDevices(devices); // refused before anything stops
        }
        if (running != null) {
            running.close(); // a reload: the new settings replace these in the same maps
        }
        if (!profile.masquerade().enabled()) {
            if (datapath != null) {
                off(datapath, log);
            }
            return null;
        }
        if (datapath == null || (node.podCidr(true) == null && node.podCidr(false) == null)) {
            log.operatorAction("masquerade", node.name(), "not done: spec.masquerade is for nodes with pods; "
                    + node.name() + " has no PodCIDR or runs no pod datapath (role " + node.role() + ")");
            return null;
        }
        Ipv4Prefix pool = null;
        java.util.LinkedHashSet<Ipv4Prefix> excluded = new java.util.LinkedHashSet<>();
        if (node.podCidr(true) != null) {
            io.gannet.topology.net.Cidr poolCidr = profile.podCidrPool(true).map(p -> p.cidr()).orElse(null);
            pool = Ipv4Prefix.parse((poolCidr != null ? poolCidr : node.podCidr(true)).toString());
            for (io.gannet.topology.net.Cidr c : profile.masqueradeExclusions()) {
                excluded.add(Ipv4Prefix.parse(c.toString()));
            }
            excluded.add(Ipv4Prefix.parse(node.podCidr(true).toString()));
        }
        Ipv6Prefix pool6 = null;
        java.util.LinkedHashSet<Ipv6Prefix> excluded6 = new java.util.LinkedHashSet<>();
        if (node.podCidr(false) != null) {
            io.gannet.topology.net.Cidr poolCidr = profile.podCidrPool(false).map(p -> p.cidr()).orElse(null);
            pool6 = Ipv6Prefix.parse((poolCidr != null ? poolCidr : node.podCidr(false)).toString());
            for (io.gannet.topology.net.Cidr c : profile.masqueradeExclusions6()) {
                excluded6.add(Ipv6Prefix.parse(c.toString()));
            }
            excluded6.add(Ipv6Prefix.parse(node.podCidr(false).toString()));
        } else if (profile.masquerade().nonMasqueradeCidrs().stream().anyMatch(c -> !c.value().isIpv4())) {
            log.operatorAction("masquerade", node.name(), "IPv6 nonMasqueradeCIDRs have no effect here: " + node.name()
                    + " has no IPv6 PodCIDR, so no IPv6 pod traffic is masqueraded");
        }
        return start(datapath, devices, pool, List.copyOf(excluded), pool6, List.copyOf(excluded6), log, registry);
    }

    /** The profile's masquerade as it decides what is translated (reload compares these). */
    static String describe(io.gannet.topology.LoadedProfile profile) {
        return profile.masquerade().enabled()
                ? "on, not for " + profile.masqueradeExclusions() + (profile.masqueradeExclusions6().isEmpty() ? ""
                        : " and " + profile.masqueradeExclusions6())
                : "off";
    }

    /** Turns masquerade off in the datapath (a daemon started with it off, after a run with it on). */
    static void off(Datapath datapath, EventLog log) {
        boolean v4 = datapath.masqueradeFeature().apply(Map.of(), null, List.of());
        if (datapath.masqueradeFeature().apply6(Map.of(), null, List.of()) | v4) {
            log.operatorAction("masquerade", "datapath", "off (spec.masquerade not enabled): pod traffic leaves with pod addresses");
        }
    }

    private void apply() {
        Map<Integer, Integer> byIfindex = new LinkedHashMap<>();
        Map<String, String> state = new LinkedHashMap<>();
        Map<Integer, Ipv6> byIfindex6 = new LinkedHashMap<>();
        Map<String, String> state6 = new LinkedHashMap<>();
        for (String dev : devices) {
            int ifindex = datapath.ifindex(dev);
            if (ifindex == 0) {
                state.put(dev, "no such device");
                state6.put(dev, "no such device");
                continue;
            }
            if (pool != null) {
                List<Integer> addrs = NodeAddresses.of(List.of(dev));
                if (addrs.isEmpty()) {
                    state.put(dev, "no IPv4 address: not masqueraded");
                } else {
                    byIfindex.put(ifindex, addrs.get(0));
                    state.put(dev, Ipv4.format(addrs.get(0)));
                }
            }
            if (pool6 != null) {
                java.util.Optional<Ipv6> a6 = NodeAddresses.masquerade6(dev);
                if (a6.isEmpty()) {
                    state6.put(dev, "no usable global IPv6 address (temporary, deprecated, tentative and link-local ones are not used):"
                            + " IPv6 not masqueraded");
                } else {
                    byIfindex6.put(ifindex, a6.get());
                    state6.put(dev, a6.get().format());
                }
            }
        }
        if (feature.apply(byIfindex, pool, excluded) && !deviceState.isEmpty()) {
            log.operatorAction("masquerade", String.join(",", devices), "node addresses now " + state);
        }
        if (feature.apply6(byIfindex6, pool6, excluded6) && !deviceState6.isEmpty()) {
            log.operatorAction("masquerade", String.join(",", devices), "node IPv6 addresses now " + state6);
        }
        deviceState = pool == null ? Map.of() : Map.copyOf(state);
        deviceState6 = pool6 == null ? Map.of() : Map.copyOf(state6);
    }

    private void check() {
        try {
            apply();
            if (pool != null) {
                last = feature.occupancy();
                warn(last, warn4);
            }
            if (pool6 != null) {
                last6 = feature.occupancy6();
                warn(last6, warn6);
            }
        } catch (RuntimeException e) {
            log.operatorAction("masquerade", "datapath", "check failed: " + e.getMessage());
        }
    }

    private void warn(MasqueradeFeature.Occupancy o, Warnings w) {
        if (o.tableFill() >= WARN && !w.tableWarned) {
            w.tableWarned = true;
            log.operatorAction("masquerade", w.table, String.format(
                    "warning: NAT table %.0f%% full (%d of %d entries, %d flows): new flows are dropped when it is full",
                    o.tableFill() * 100, o.snatEntries(), o.tableEntries(), o.flows()));
        } else if (o.tableFill() < REARM) {
            w.tableWarned = false;
        }
        if (o.busiestPortFill() >= WARN && !w.portsWarned) {
            w.portsWarned = true;
            log.operatorAction("masquerade", o.busiestRemote(), String.format(
                    "warning: %d of %d masquerade ports towards %s in use: new flows to it will find no free port",
                    o.busiestRandomPorts(), o.randomPortRange(), o.busiestRemote()));
        } else if (o.busiestPortFill() < REARM) {
            w.portsWarned = false;
        }
    }

    /** {@code gannet show nat}: the devices, the occupancy and every live translation. */
    Map<String, Object> show() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        if (pool != null) {
            MasqueradeFeature.Occupancy o = feature.occupancy();
            last = o;
            out.put("pool", pool.toString());
            out.put("devices", deviceState);
            out.put("nonMasquerade", excluded.stream().map(Ipv4Prefix::toString).toList());
            out.put("occupancy", occupancy(o));
        }
        Map<String, Object> v6 = new LinkedHashMap<>();
        if (pool6 != null) {
            MasqueradeFeature.Occupancy o = feature.occupancy6();
            last6 = o;
            v6.put("enabled", true);
            v6.put("pool", pool6.toString());
            v6.put("devices", deviceState6);
            v6.put("nonMasquerade", excluded6.stream().map(Ipv6Prefix::toString).toList());
            v6.put("occupancy", occupancy(o));
        } else {
            v6.put("enabled", false);
            v6.put("why", "this node has no IPv6 PodCIDR: no IPv6 pod traffic to masquerade");
        }
        out.put("ipv6", v6);
        long[] tries = feature.retries();
        Map<String, Long> retries = new LinkedHashMap<>();
        for (int i = 0; i < MasqueradeFeature.RETRY_BUCKET_LE.length; i++) {
            retries.put("le" + MasqueradeFeature.RETRY_BUCKET_LE[i], tries[i]);
        }
        retries.put("exhausted", tries[tries.length - 1]);
        out.put("portTries", retries);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MasqueradeFeature.Translation t : feature.translations()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("protocol", t.protocol());
            row.put("family", t.ipv6() ? "ipv6" : "ipv4");
            row.put("pod", t.pod());
            row.put("node", t.node());
            row.put("destination", t.destination());
            row.put("portKept", t.portKept());
            row.put("expiresIn", t.expiresInSeconds() + "s");
            rows.add(row);
        }
        out.put("translations", rows);
        return out;
    }

    private static Map<String, Object> occupancy(MasqueradeFeature.Occupancy o) {
        Map<String, Object> occ = new LinkedHashMap<>();
        occ.put("flows", o.flows());
        occ.put("tableEntries", o.snatEntries());
        occ.put("tableCapacity", o.tableEntries());
        occ.put("tableFill", Math.round(o.tableFill() * 10000) / 10000.0);
        occ.put("busiestDestination", o.busiestRemote());
        occ.put("busiestDestinationFlows", o.busiestFlows());
        occ.put("busiestDestinationRandomPorts", o.busiestRandomPorts());
        occ.put("randomPortRange", MasqueradeFeature.PORT_MIN + "-" + MasqueradeFeature.PORT_MAX);
        return occ;
    }

    @Override
    public MetricSnapshots collect() {
        long[] tries = feature.retries();
        double[] bounds = new double[MasqueradeFeature.RETRY_BUCKET_LE.length + 1];
        for (int i = 0; i < MasqueradeFeature.RETRY_BUCKET_LE.length; i++) {
            bounds[i] = MasqueradeFeature.RETRY_BUCKET_LE[i];
        }
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        HistogramSnapshot hist = HistogramSnapshot.builder()
                .name("gannet_masquerade_port_tries")
                .help("Random ports a new masqueraded flow tried (0: its own port was free; +Inf: none free, dropped)")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, tries)).build())
                .build();
        Map<Reason, Long> m = datapath.metrics();
        CounterSnapshot packets = CounterSnapshot.builder()
                .name("gannet_masquerade_packets")
                .help("Masquerade outcomes, IPv4 and IPv6: new (a flow translated), reply (translated back), drop_no_port (no free port)")
                .dataPoint(counter("new", m.get(Reason.NAT_MASQ)))
                .dataPoint(counter("reply", m.get(Reason.NAT_MASQ_REPLY)))
                .dataPoint(counter("drop_no_port", m.get(Reason.DROP_MASQ_PORTS)))
                .build();
        GaugeSnapshot.Builder flows = GaugeSnapshot.builder().name("gannet_masquerade_flows")
                .help("Live masqueraded flows by family (measured every 10 s)");
        GaugeSnapshot.Builder fill = GaugeSnapshot.builder().name("gannet_masquerade_table_fill_ratio")
                .help("Share of the NAT table (family ipv4: dp_snat4, ipv6: dp_snat6) in use (measured every 10 s); a warning is logged at 0.8");
        MasqueradeFeature.Occupancy[] byFamily = {last, last6};
        String[] families = {"ipv4", "ipv6"};
        for (int i = 0; i < 2; i++) {
            MasqueradeFeature.Occupancy o = byFamily[i];
            if (o != null) {
                Labels family = Labels.of("family", families[i]);
                flows.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(family).value(o.flows()).build());
                fill.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(family).value(o.tableFill()).build());
            }
        }
        return MetricSnapshots.of(hist, packets, flows.build(), fill.build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot counter(String outcome, Long v) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("outcome", outcome))
                .value(v == null ? 0 : v).build();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (registry != null) {
            registry.unregister(this); // a reload may start another part with the same metric names
        }
    }
}
