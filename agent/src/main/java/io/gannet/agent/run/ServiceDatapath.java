package io.gannet.agent.run;

import io.gannet.agent.logging.EventLog;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.PinRootLock;
import io.gannet.bpf.lb.ApplyResult;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.ServiceStatus;
import io.gannet.cluster.k8s.ServiceDirectory;
import io.gannet.cluster.k8s.ServiceDirectoryWatcher;
import io.gannet.cluster.k8s.api.KubeApiClient;
import io.gannet.cluster.k8s.api.KubeApiServices;
import io.gannet.cluster.k8s.ServiceFrontend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's eBPF Service datapath inside the daemon: opens (or re-adopts from bpffs) the
 * datapath, follows a directory of Kubernetes Service and EndpointSlice YAML, collects expired
 * conntrack entries, and answers {@code gannet show services}.
 *
 * <p>The pin root is locked ({@link PinRootLock}) for the daemon's lifetime, so a second
 * daemon on the same pins is refused. While a Service file has never parsed since start-up
 * the desired state is incomplete, and the frontends the pinned maps hold are kept instead of
 * deleted. What the datapath cannot do yet is reported per Service in {@link #rows} and once
 * in the log ({@link KubeServiceMapping}).
 *
 * <p>Threads: the directory watcher applies services on its own thread; a scheduler thread
 * collects conntrack garbage and re-applies them when a host device's addresses change (both
 * apply under this object's lock); the control server reads {@link #rows}. {@link Datapath} is
 * synchronized, and the last mapping is published through a volatile field.
 */
final class ServiceDatapath implements AutoCloseable {
    private static final long GC_PERIOD_SECONDS = 30;
    /** How often the host devices' addresses are read again (node ports are served on them, Cluster flows SNATed to them). */
    static final long ADDRESS_PERIOD_MILLIS = 2_000;

    private final Datapath datapath;
    private final PinRootLock lock;
    private final EventLog log;
    private final String nodeName;
    private List<String> hostDevices = List.of();
    private final Set<String> logged = new HashSet<>(); // guarded by this (apply)
    private volatile KubeServiceMapping.Mapped last = new KubeServiceMapping.Mapped(List.of(), Map.of(), Map.of(), Map.of());
    /** The Services last applied and the node addresses they were applied with (guarded by this). */
    private ServiceDirectory.Result lastResult;
    private HostAddresses lastAddresses;

    /** The host devices' global addresses of each family, as node ports and SNAT use them. */
    private record HostAddresses(List<Integer> v4, List<io.gannet.bpf.lb.Ipv6> v6) {
        static HostAddresses of(List<String> devices) {
            return new HostAddresses(NodeAddresses.of(devices), NodeAddresses.of6(devices));
        }

        @Override
        public String toString() {
            return NodeAddresses.format(v4) + " " + v6;
        }
    }
    private final HealthCheckNodePorts healthChecks = new HealthCheckNodePorts();
    private ServiceDirectoryWatcher watcher;
    private KubeApiServices kubeApi;
    private ScheduledExecutorService gc;

    private ServiceDatapath(Datapath datapath, PinRootLock lock, EventLog log, String nodeName) {
        this.datapath = datapath;
        this.lock = lock;
        this.log = log;
        this.nodeName = nodeName;
    }

    /**
     * @param options    the pin root (maps and programs re-adopted after a restart) and the conntrack size
     * @param servicesDir the watched directory of Service / EndpointSlice YAML; null: none
     * @param kubeApi    Services and EndpointSlices from the Kubernetes API instead; null: none (neither: the datapath runs
     *                   for policy and masquerade only)
     * @param hostDevices devices to attach the host program to (externalIP DNAT), may be empty
     * @param xdp         "native" or "generic": the host devices also get the XDP fast path; null: none, and a
     *                    fast path an earlier run attached is detached
     * @param nodeName this node's name as EndpointSlices spell it (Local traffic policies); null = none local
     * @param socketLbCgroup the cgroup v2 directory whose processes' connections to Services go to a backend at
     *                       connect(), or null (socket-level load balancing an earlier run attached is detached)
     */
    static ServiceDatapath start(DatapathOptions options, Path servicesDir, KubeApiClient kubeApi, List<String> hostDevices,
            String xdp, String nodeName,
            Path socketLbCgroup, EventLog log) throws IOException {
        Path pinRoot = options.pinRoot();
        PinRootLock lock = PinRootLock.acquire(pinRoot);
        Datapath dp;
        try {
            dp = Datapath.open(options);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        ServiceDatapath sd = new ServiceDatapath(dp, lock, log, nodeName);
        try {
            for (String dev : hostDevices) {
                dp.attachHost(dev);
                if (xdp != null) {
                    dp.attachHostXdp(dev, xdp.equals("native"));
                    log.operatorAction("datapath", dev, "XDP fast path attached (" + xdp + ")");
                }
            }
            for (String dev : dp.detachHostXdpExcept(xdp == null ? List.of() : hostDevices)) {
                log.operatorAction("datapath", dev, "XDP fast path an earlier run attached detached"
                        + (xdp == null ? " (no --xdp)" : " (not a --host-device)"));
            }
            sd.hostDevices = List.copyOf(hostDevices);
            if (socketLbCgroup != null) {
                dp.socketLb().attach(socketLbCgroup);
                log.operatorAction("datapath", socketLbCgroup.toString(), "socket-level load balancing: this node's connections"
                        + " to Services (processes in this cgroup, in the node's network namespace) go to a backend at connect()");
            } else if (dp.socketLb().detach() > 0) {
                log.operatorAction("datapath", pinRoot.toString(), "socket-level load balancing detached (no --socket-lb-cgroup)");
            }
            java.util.function.Consumer<ServiceDirectory.FileError> ignored =
                    err -> log.operatorAction("services", err.file().toString(), "ignored: " + err);
            if (servicesDir != null) {
                sd.watcher = new ServiceDirectoryWatcher(new ServiceDirectory(servicesDir), sd::apply, ignored, 200).start();
            } else if (kubeApi != null) {
                sd.kubeApi = KubeApiServices.start(kubeApi, java.time.Duration.ofMillis(200), sd::apply, ignored,
                        msg -> log.operatorAction("kube-api", kubeApi.origin(), msg));
            }
            sd.gc = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gannet-conntrack-gc");
                t.setDaemon(true);
                return t;
            });
            sd.gc.scheduleWithFixedDelay(dp::collectGarbage, GC_PERIOD_SECONDS, GC_PERIOD_SECONDS, TimeUnit.SECONDS);
            if (!hostDevices.isEmpty()) {
                sd.gc.scheduleWithFixedDelay(sd::followAddresses, ADDRESS_PERIOD_MILLIS, ADDRESS_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            }
            log.operatorAction("datapath", pinRoot.toString(), "re-adopted " + dp.restoredFrontends()
                    + " frontends; " + (servicesDir != null ? "watching " + servicesDir
                    : kubeApi != null ? "Services from the Kubernetes API" : "no --services-dir: no Services")
                    + "; conntrack table of " + options.conntrackEntries() + " entries");
            return sd;
        } catch (IOException | RuntimeException e) {
            sd.close();
            throw e;
        }
    }

    /**
     * A host device's address added, removed or changed (DHCP, an operator's {@code ip addr}):
     * the Services are applied again with the new addresses, so node ports are served on the new
     * address and Cluster flows are SNATed to it, without waiting for the next Service change.
     */
    private void followAddresses() {
        try {
            HostAddresses now = HostAddresses.of(hostDevices);
            synchronized (this) {
                if (lastResult == null || now.equals(lastAddresses)) {
                    return;
                }
                log.operatorAction("services", String.join(",", hostDevices), "node addresses now " + now
                        + ": node ports and SNAT follow");
                apply(lastResult, now);
            }
        } catch (RuntimeException e) {
            log.operatorAction("services", String.join(",", hostDevices), "cannot read the node addresses: " + e.getMessage());
        }
    }

    private void apply(ServiceDirectory.Result r) {
        apply(r, HostAddresses.of(hostDevices));
    }

    private synchronized void apply(ServiceDirectory.Result r, HostAddresses addresses) {
        lastResult = r;
        lastAddresses = addresses;
        KubeServiceMapping.Mapped mapped = KubeServiceMapping.map(r, nodeName, addresses.v4(), addresses.v6());
        Map<Integer, String> unbound = healthChecks.update(mapped.healthChecks());
        KubeServiceMapping.Mapped m = mapped;
        if (!unbound.isEmpty()) {
            Map<String, List<String>> notes = new LinkedHashMap<>(mapped.notes());
            unbound.forEach((port, why) -> {
                HealthCheckNodePorts.Check c = mapped.healthChecks().get(port);
                String key = c.namespace() + "/" + c.name();
                List<String> l = new ArrayList<>(notes.getOrDefault(key, List.of()));
                l.add("healthCheckNodePort " + why);
                notes.put(key, List.copyOf(l));
            });
            m = new KubeServiceMapping.Mapped(mapped.specs(), mapped.kinds(), Map.copyOf(notes), mapped.healthChecks());
        }
        for (Map.Entry<String, List<String>> e : m.notes().entrySet()) {
            for (String note : e.getValue()) {
                if (logged.add(e.getKey() + "\u0000" + note)) {
                    log.operatorAction("services", e.getKey(), "not done: " + note);
                }
            }
        }
        ApplyResult res = datapath.servicesFeature().apply(m.specs(), !r.complete());
        last = m;
        if (!r.complete()) {
            log.operatorAction("services", "datapath", "a Service file has not parsed since start-up:"
                    + " keeping the frontends the pinned maps hold");
        }
        if (res.changed()) {
            log.operatorAction("services", "datapath", res.toString());
        }
    }

    /**
     * One row per frontend, in the order {@code gannet show services} prints columns, plus one
     * row per Service that has notes but no programmed frontend; {@code notDone} lists what
     * the datapath does not do for the row's Service.
     */
    List<Map<String, Object>> rows() {
        KubeServiceMapping.Mapped m = last;
        List<Map<String, Object>> out = new ArrayList<>();
        Set<String> shown = new HashSet<>();
        for (ServiceStatus s : datapath.services()) {
            Map<String, Object> row = new LinkedHashMap<>();
            String service = serviceOf(s.name());
            shown.add(service);
            row.put("name", s.name());
            row.put("frontend", s.frontend().toString());
            row.put("type", type(m.kinds().get(s.frontend()), s.external()));
            row.put("algorithm", s.algorithm().toString().toLowerCase(java.util.Locale.ROOT));
            row.put("backends", s.backendCount());
            row.put("affinity", s.affinityTimeoutSeconds() > 0 ? "ClientIP " + s.affinityTimeoutSeconds() + "s" : "None");
            List<String> backends = new ArrayList<>();
            for (Backend b : s.backends()) {
                backends.add(b.toString());
            }
            row.put("backendAddresses", backends);
            row.put("notDone", m.notes().getOrDefault(service, List.of()));
            out.add(row);
        }
        m.notes().forEach((service, notes) -> {
            if (!shown.contains(service)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", service);
                row.put("frontend", "-");
                row.put("type", "-");
                row.put("algorithm", "-");
                row.put("backends", 0);
                row.put("affinity", "-");
                row.put("backendAddresses", List.of());
                row.put("notDone", notes);
                out.add(row);
            }
        });
        return out;
    }

    /** The datapath itself (pod attachment from the CNI backend). */
    Datapath datapath() {
        return datapath;
    }

    private static String serviceOf(String frontendName) {
        int colon = frontendName.indexOf(':');
        return colon < 0 ? frontendName : frontendName.substring(0, colon);
    }

    private static String type(ServiceFrontend.Kind kind, boolean external) {
        if (kind == null) {
            return external ? "externalIP" : "ClusterIP";
        }
        return switch (kind) {
            case CLUSTER_IP -> "ClusterIP";
            case EXTERNAL_IP -> "externalIP";
            case LOAD_BALANCER_INGRESS -> "LoadBalancer";
            case NODE_PORT -> "NodePort";
        };
    }

    /** Stops following the directory; maps, programs and attachments stay pinned so traffic keeps flowing. */
    @Override
    public void close() {
        if (kubeApi != null) {
            kubeApi.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (gc != null) {
            gc.shutdownNow();
        }
        healthChecks.close();
        datapath.close();
        lock.close();
    }
}
