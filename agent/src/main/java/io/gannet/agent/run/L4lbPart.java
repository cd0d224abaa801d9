package io.gannet.agent.run;

import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.ReloadResult;
import io.gannet.agent.logging.EventLog;
import io.gannet.l4lb.L4lb;
import io.gannet.l4lb.L4lbOptions;
import io.gannet.l4lb.VipStatus;
import io.gannet.l4lb.announce.RouteDamper;
import io.gannet.l4lb.forward.DatapathForwarding;
import io.gannet.l4lb.forward.LocalAddresses;
import io.gannet.l4lb.maglev.SlotAgreement;
import io.gannet.l4lb.model.VipPool;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.net.Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * The ECMP L4LB inside the daemon (role l4lb with {@code --services-dir}): wires the
 * profile's VIP pool, VIPs and communities, the datapath forwarding on the host devices, and
 * the speaker announcer into {@link L4lb}. All logic lives in the ecmp-l4lb module.
 */
final class L4lbPart implements AutoCloseable {
    private final L4lb lb;
    private AutoCloseable apiSource; // the Kubernetes API's Services, or null
    private SlotAgreement slots = SlotAgreement.LOCAL;
    private io.gannet.cluster.store.ClusterStore store; // or null
    private final java.util.concurrent.ScheduledExecutorService metrics;

    private L4lbPart(L4lb lb, io.micrometer.core.instrument.MeterRegistry registry) {
        this.lb = lb;
        // Per VIP frontend: gannet_l4lb_vip_table{frontend,fingerprint} 1 (compare hosts with
        // count by (frontend, fingerprint)), healthy backends, and whether the VIP is announced.
        var table = io.micrometer.core.instrument.MultiGauge.builder("gannet_l4lb_vip_table")
                .description("1 per VIP frontend, labelled with its Maglev table's fingerprint").register(registry);
        var healthy = io.micrometer.core.instrument.MultiGauge.builder("gannet_l4lb_vip_backends_healthy")
                .description("backends of a VIP frontend that take new flows: ready (or the terminating fallback) and passing their health check").register(registry);
        var announced = io.micrometer.core.instrument.MultiGauge.builder("gannet_l4lb_vip_announced")
                .description("1 while this host announces the VIP").register(registry);
        this.metrics = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-l4lb-metrics");
            t.setDaemon(true);
            return t;
        });
        metrics.scheduleWithFixedDelay(() -> {
            // held rows are the earlier run's tables before the first list: not this run's VIPs yet
            List<VipStatus> rows = lb.status().stream().filter(v -> !v.frontend().isEmpty() && !v.route().equals("held")).toList();
            table.register(rows.stream().map(v -> io.micrometer.core.instrument.MultiGauge.Row.of(
                    io.micrometer.core.instrument.Tags.of("frontend", v.frontend(), "fingerprint", v.fingerprint()), 1)).toList(), true);
            healthy.register(rows.stream().map(v -> io.micrometer.core.instrument.MultiGauge.Row.of(
                    io.micrometer.core.instrument.Tags.of("frontend", v.frontend()),
                    v.backends().stream().filter(VipStatus.BackendStatus::healthy).count())).toList(), true);
            announced.register(rows.stream().map(v -> io.micrometer.core.instrument.MultiGauge.Row.of(
                    io.micrometer.core.instrument.Tags.of("frontend", v.frontend()), v.route().equals("announced") ? 1 : 0)).toList(), true);
        }, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * @param kubeApi the Services come from the Kubernetes API through it instead of {@code servicesDir}; or null
     * @param store   the cluster store the LB hosts share ({@code --etcd}), where the VIPs' Maglev slots are agreed;
     *                null: plain Maglev (each host's table a function of the backends it sees). Closed with the part.
     */
    static L4lbPart start(NodeConfig node, Path servicesDir, io.gannet.cluster.k8s.api.KubeApiClient kubeApi,
            io.gannet.bpf.DatapathOptions datapathOptions, List<String> hostDevices, String xdp,
            io.gannet.cluster.store.ClusterStore store, SpeakerAnnouncer announcer, EventLog log,
            io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
        // The L4LB reads the informers' objects itself (its own fields: health-check annotations, VIPs).
        io.gannet.cluster.k8s.api.KubeApiServices api = kubeApi == null ? null
                : io.gannet.cluster.k8s.api.KubeApiServices.start(kubeApi, Duration.ofMillis(200), r -> { }, e -> { },
                        msg -> log.operatorAction("kube-api", kubeApi.origin(), msg));
        L4lbOptions o = new L4lbOptions(servicesDir, api, pool(node), vips(node), communities(node),
                RouteDamper.Options.DEFAULTS, Duration.ofSeconds(1));
        SlotAgreement slots = store == null ? SlotAgreement.LOCAL
                : SlotAgreement.inStore(store, Duration.ofSeconds(5), (subject, msg) -> log.operatorAction("l4lb", subject, msg));
        o = o.withSlots(slots);
        DatapathForwarding fwd = DatapathForwarding.open(datapathOptions, hostDevices, "gannet_l4lb", xdp);
        // VIP traffic arrives on an uplink and leaves, DNATed, towards a backend: the host forwards it
        // (IPv6 too when the pool has IPv6 prefixes; an IPv4-only host's IPv6 settings are left alone,
        // since IPv6 forwarding also stops the kernel from taking router advertisements).
        boolean v6 = node.vipPool().stream().anyMatch(c -> !c.isIpv4());
        for (boolean ipv4 : v6 ? new boolean[] {true, false} : new boolean[] {true}) {
            try {
                if (io.gannet.linux.proc.Forwarding.enable(ipv4)) {
                    log.operatorAction("l4lb", io.gannet.linux.proc.Forwarding.path(ipv4).toString(),
                            "set to 1: VIP traffic is forwarded to the backends through this host");
                }
            } catch (java.io.IOException e) {
                log.operatorAction("l4lb", io.gannet.linux.proc.Forwarding.path(ipv4).toString(), "could not enable forwarding ("
                        + e.getMessage() + "): " + (ipv4 ? "IPv4" : "IPv6") + " VIP traffic will not reach the backends");
            }
        }
        log.operatorAction("l4lb", node.name(), "VIP pool " + o.pool() + ", watching "
                + (api != null ? "the Kubernetes API at " + kubeApi.server() : servicesDir) + ", forwarding DNAT+SNAT on "
                + hostDevices + (xdp == null ? "" : ", VIP flows translated in XDP (" + xdp + ") before TC")
                + ", Maglev slots " + slots.describe());
        LocalAddresses own = new LocalAddresses();
        L4lbPart part = new L4lbPart(L4lb.start(o, fwd, announcer, own, own::test6, InstantSource.system(), log::operatorAction),
                registry);
        registry.getPrometheusRegistry().register(new io.gannet.agent.metrics.DatapathCounters(fwd::counters));
        part.apiSource = api;
        part.slots = slots;
        part.store = store;
        return part;
    }

    private static VipPool pool(NodeConfig node) {
        return VipPool.of(node.vipPool().stream().map(Cidr::toString).toList());
    }

    private static List<String> vips(NodeConfig node) {
        return node.vips().stream().filter(c -> c.length() == (c.isIpv4() ? 32 : 128)).map(c -> c.network().getHostAddress()).toList();
    }

    private static List<String> communities(NodeConfig node) {
        return node.vipCommunities().stream().map(Object::toString).toList();
    }

    /**
     * A reload's profile: its VIP pool, this host's VIPs and the VIP communities go to the running
     * load balancer (VIPs that entered the pool are served, those that left it withdrawn).
     */
    ReloadResult.Part reload(NodeConfig node) {
        String changed;
        try {
            changed = lb.reconfigure(pool(node), vips(node), communities(node));
        } catch (IllegalStateException e) {
            return new ReloadResult.Part("l4lb VIPs", ReloadResult.Outcome.RESTART_REQUIRED,
                    "not applied: " + e.getMessage());
        }
        return new ReloadResult.Part("l4lb VIPs", changed.isEmpty()
                ? ReloadResult.Outcome.UNCHANGED : ReloadResult.Outcome.APPLIED, changed);
    }

    List<Map<String, Object>> rows() {
        return lb.status().stream().map(VipStatus::toRow).toList();
    }

    String drain(Duration grace) {
        try {
            return lb.drain(grace);
        } catch (IllegalStateException e) {
            throw new ControlException(ControlException.Kind.UNAVAILABLE, e.getMessage());
        }
    }

    String drainState() {
        try {
            return lb.drainState();
        } catch (IllegalStateException e) {
            throw new ControlException(ControlException.Kind.UNAVAILABLE, e.getMessage());
        }
    }

    @Override
    public void close() {
        metrics.shutdownNow();
        lb.close();
        slots.close();
        if (store != null) {
            store.close();
        }
        if (apiSource != null) {
            try {
                apiSource.close();
            } catch (Exception e) {
                // informers of a client being closed
            }
        }
    }
}
