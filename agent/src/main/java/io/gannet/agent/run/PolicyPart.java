package io.gannet.agent.run;

import io.gannet.agent.control.ControlException;
import io.gannet.agent.logging.EventLog;
import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.StoreException;
import io.gannet.netpolicy.external.ExternalEndpoint;
import io.gannet.netpolicy.external.ExternalEndpointStore;
import io.gannet.netpolicy.identity.StoreIdentityAllocator;
import io.gannet.netpolicy.pods.PublishedPods;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.topology.LoadedProfile;
import io.gannet.topology.config.NodeConfig;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicReference;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.policy.PolicyReason;
import io.gannet.netpolicy.enforce.PolicyDirectory;
import io.gannet.netpolicy.enforce.PolicyDirectoryWatcher;
import io.gannet.netpolicy.enforce.KubeApiPolicies;
import io.gannet.cluster.k8s.api.KubeApiClient;
import io.gannet.netpolicy.enforce.PolicyEnforcer;
import io.gannet.pod.wiring.PodAttachment;
import io.gannet.pod.wiring.DelegatingPodDatapath;
import io.gannet.pod.wiring.PodDatapath;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ingress network policy inside the daemon ({@code gannet run --policy-dir DIR}): wires the
 * netpolicy {@link PolicyEnforcer} to the datapath, the watched directory, the CNI backend's
 * pods, the metrics registry and the control API. The logic is in netpolicy and bpf.
 *
 * <p>Threads: the directory watcher's thread applies files; CNI ADD/DEL arrive on the CNI
 * backend's thread; one scheduler thread drains drop events (every 100 ms) and refreshes the
 * node's own addresses (every 5 s). The enforcer serializes them.
 */
final class PolicyPart implements AutoCloseable {
    private static final long DRAIN_MILLIS = 100;
    private static final long HOST_ADDRESSES_MILLIS = 5000;

    private final Datapath datapath;
    private final PolicyEnforcer enforcer;
    private final ScheduledExecutorService timer;
    private final java.util.concurrent.ExecutorService applier;
    private final ClusterStore store;
    private final boolean ownsStore;
    private final StoreIdentityAllocator identities;
    private final ExternalEndpointStore externals;
    private final String node;
    private final EventLog log;
    /** Where policy objects come from: the --policy-dir path, or "kubernetes-api". */
    private final String dir;
    private final AtomicReference<ExternalEndpointStore.Snapshot> pendingExternals = new AtomicReference<>();
    private volatile AutoCloseable watcher; // the directory's watcher or the API source
    private volatile AutoCloseable externalWatch;
    private volatile AutoCloseable podWatch;
    private final java.util.concurrent.ConcurrentLinkedDeque<PublishedPods.Change> pendingPods = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final java.util.concurrent.atomic.AtomicBoolean podsQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile List<String> refusedFromFiles = List.of();
    private volatile long appliedRevision;

    private PolicyPart(Datapath datapath, PolicyEnforcer enforcer, ScheduledExecutorService timer, ClusterStore store, boolean ownsStore,
            StoreIdentityAllocator identities, ExternalEndpointStore externals, String node, EventLog log, String dir) {
        this.datapath = datapath;
        this.enforcer = enforcer;
        this.timer = timer;
        this.store = store;
        this.ownsStore = ownsStore;
        this.identities = identities;
        this.externals = externals;
        this.node = node;
        this.log = log;
        this.dir = dir;
        this.applier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gannet-policy-external");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts ingress policy: the enforcer with identities allocated through the node's cluster
     * store, the watched policy directory (its ExternalEndpoint objects copied into the store,
     * owned by this node), and the store's external endpoints applied as they change.
     * The last valid version of each policy file is kept under {@code policy-last-good/} of the
     * state dir, so a restart while a file is broken keeps it.
     *
     * @param pods the node's pod networking, whose store is used; null: the store is opened here
     */
    static PolicyPart start(Datapath datapath, DaemonOptions options, LoadedProfile profile, NodeConfig node, PodNetwork pods,
            EventLog log, MeterRegistry registry, KubeApiClient kubeApi) throws IOException {
        String dir = options.policyDir() != null ? options.policyDir().toString() : KubeApiPolicies.ORIGIN;
        ClusterStore store = pods != null ? pods.store() : PodNetwork.openStore(options);
        StoreIdentityAllocator identities = new StoreIdentityAllocator(store, node.name());
        PolicyEnforcer enforcer = new PolicyEnforcer(datapath.policyFeature(), identities,
                (subject, msg) -> log.operatorAction(subject, dir, msg));
        ExternalEndpointStore externals = new ExternalEndpointStore(store, podRanges(profile, node));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-policy-drops");
            t.setDaemon(true);
            return t;
        });
        PolicyPart part = new PolicyPart(datapath, enforcer, timer, store, pods == null, identities, externals, node.name(), log, dir);
        try {
            // What the store holds before the first file is applied: no window in which a
            // registered endpoint's address is "world".
            part.applyExternals(externals.list());
        } catch (StoreException e) {
            log.operatorAction("external endpoints", store.describe(), "not read at start (" + e.getMessage() + "); the watch retries");
        }
        enforcer.hostAddresses(hostAddresses());
        part.profileChanged(profile, node);
        part.externalWatch = externals.watch(part::externalsChanged);
        part.podWatch = PublishedPods.watch(store, node.name(), part::remotePodsChanged);
        if (options.policyDir() != null) {
            part.watcher = new PolicyDirectoryWatcher(new PolicyDirectory(options.policyDir(), options.stateDir().resolve("policy-last-good")),
                    part::directoryChanged, 200).start();
        } else {
            part.watcher = KubeApiPolicies.start(kubeApi, node.name(), java.time.Duration.ofMillis(200), part::directoryChanged,
                    msg -> log.operatorAction("policy", kubeApi.origin(), msg));
        }
        timer.scheduleWithFixedDelay(() -> {
            try {
                enforcer.pollDrops();
            } catch (RuntimeException e) {
                log.operatorAction("policy", "drops", "reading drop events failed: " + e.getMessage());
            }
        }, DRAIN_MILLIS, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> enforcer.hostAddresses(hostAddresses()), HOST_ADDRESSES_MILLIS,
                HOST_ADDRESSES_MILLIS, TimeUnit.MILLISECONDS);
        Map<String, java.util.function.Function<PolicyEnforcer, Map<String, Long>>> byDirection = Map.of(
                "ingress", PolicyEnforcer::counters, "egress", PolicyEnforcer::egressCounters);
        for (PolicyReason r : PolicyReason.values()) {
            byDirection.forEach((direction, counters) ->
                    FunctionCounter.builder("gannet_policy_packets", enforcer, e -> counters.apply(e).getOrDefault(r.label(), 0L))
                            .description("Packets the policy stages judged, by direction and outcome (drop_* are drops)")
                            .tag("direction", direction)
                            .tag("reason", r.label())
                            .register(registry));
        }
        log.operatorAction("policy", dir, "ingress and egress policy on; watching " + (options.policyDir() != null ? dir
                : "the Kubernetes API at " + kubeApi.server() + " (NetworkPolicy, CiliumNetworkPolicy, this node's Pods, Namespaces)")
                + " (NetworkPolicy, CiliumNetworkPolicy, Pod and Namespace labels, ExternalEndpoint); identities, external endpoints"
                + " and other nodes' pods in " + store.describe());
        return part;
    }

    /** The pod address space external endpoints may not overlap: the pod pool, every PodCIDR, the fixed-IP pools. */
    private static List<ExternalEndpointStore.Reserved> podRanges(LoadedProfile profile, NodeConfig node) {
        List<ExternalEndpointStore.Reserved> out = new ArrayList<>();
        for (boolean v4 : new boolean[] {true, false}) { // both families: external endpoints may be IPv6 too
            profile.podCidrPool(v4).ifPresent(p -> out.add(new ExternalEndpointStore.Reserved(Cidr.parse(p.cidr().toString()),
                    "the pod pool " + p.cidr())));
            profile.explicitPodCidrs(v4).forEach((host, c) -> out.add(new ExternalEndpointStore.Reserved(Cidr.parse(c.toString()),
                    "the PodCIDR " + c + " of node " + host)));
            if (node.podCidr(v4) != null) {
                out.add(new ExternalEndpointStore.Reserved(Cidr.parse(node.podCidr(v4).toString()), "the PodCIDR " + node.podCidr(v4)
                        + " of node " + node.name()));
            }
        }
        profile.fixedIpPools().forEach(f -> out.add(new ExternalEndpointStore.Reserved(Cidr.parse(f.cidr().toString()),
                "the fixed-IP pool " + f.name() + " " + f.cidr())));
        return out;
    }

    /** The policy directory changed: apply it, and copy its ExternalEndpoint objects into the store (owned by this node). */
    private void directoryChanged(PolicyDirectory.Result r) {
        enforcer.directoryChanged(r);
        String suffix = " on " + node;
        List<ExternalEndpoint> wanted = new ArrayList<>();
        r.externalEndpoints().forEach(e -> wanted.add(e.withSource(e.source() + suffix)));
        // r holds the last valid version of a broken file, so its entries stay in the store (fail closed).
        Map<String, String> refused;
        try {
            refused = externals.sync(source -> source.startsWith("file " + dir + "/") && source.endsWith(suffix), wanted);
        } catch (StoreException e) {
            refusedFromFiles = List.of(dir + ": ExternalEndpoint objects not written: the cluster store is unreachable ("
                    + e.getMessage() + "); retrying");
            throw e; // the directory watcher applies the directory again shortly
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> e : refused.entrySet()) {
            String origin = wanted.stream().filter(w -> w.key().equals(e.getKey())).map(w -> w.source().substring(5, w.source().length() - suffix.length()))
                    .findFirst().orElse(dir);
            lines.add(origin + ": ExternalEndpoint " + e.getKey() + ": " + e.getValue());
        }
        if (!lines.equals(refusedFromFiles)) {
            lines.forEach(l -> log.operatorAction("external endpoints", dir, "not registered: " + l));
        }
        refusedFromFiles = List.copyOf(lines);
    }

    /** The store's external endpoints changed (watch thread): applied on the policy thread, latest first. */
    private void externalsChanged(ExternalEndpointStore.Snapshot snapshot) {
        if (pendingExternals.getAndSet(snapshot) == null) {
            applier.execute(() -> applyExternals(pendingExternals.getAndSet(null)));
        }
    }

    private void applyExternals(ExternalEndpointStore.Snapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        try {
            enforcer.externalEndpointsChanged(snapshot.endpoints(), snapshot.problems());
            appliedRevision = snapshot.revision();
        } catch (RuntimeException e) {
            log.operatorAction("external endpoints", node, "not applied (" + e.getMessage() + "); retrying in 1 s");
            timer.schedule(() -> {
                if (pendingExternals.compareAndSet(null, snapshot)) {
                    applier.execute(() -> applyExternals(pendingExternals.getAndSet(null)));
                }
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** Other nodes' pods changed in the store (watch thread): applied in order on the policy thread. */
    private void remotePodsChanged(PublishedPods.Change change) {
        pendingPods.add(change);
        if (podsQueued.compareAndSet(false, true)) {
            applier.execute(this::applyRemotePods);
        }
    }

    private void applyRemotePods() {
        PublishedPods.Change c;
        while ((c = pendingPods.peek()) != null) {
            try {
                enforcer.remotePodsChanged(c); // idempotent: a retry after a partial apply redoes only what is missing
                pendingPods.poll();
            } catch (RuntimeException e) {
                log.operatorAction("pods", node, "other nodes' pods not applied (" + e.getMessage() + "); retrying in 1 s");
                timer.schedule(() -> applier.execute(this::applyRemotePods), 1, TimeUnit.SECONDS);
                return;
            }
        }
        podsQueued.set(false);
        if (!pendingPods.isEmpty() && podsQueued.compareAndSet(false, true)) {
            applier.execute(this::applyRemotePods);
        }
    }

    static PolicyPart require(PolicyPart p) {
        if (p == null) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE,
                    "endpoints: external endpoints need ingress policy (start gannet run with --policy-dir DIR on a node with --cni-socket)");
        }
        return p;
    }

    Map<String, Object> endpointAdd(String namespace, String name, List<String> cidrs, Map<String, String> labels) {
        ExternalEndpoint.Checked c = ExternalEndpoint.check(namespace, name, cidrs, labels, "api");
        if (c.endpoint() == null) {
            throw ControlException.badRequest("external endpoint " + (namespace == null || namespace.isEmpty() ? "default" : namespace)
                    + "/" + name + ": " + String.join("; ", c.errors()) + "; nothing was changed");
        }
        ExternalEndpointStore.Outcome o = call(() -> externals.put(c.endpoint()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("endpoint", o.key());
        out.put("outcome", o.outcome());
        out.put("cidrs", c.endpoint().cidrs().stream().map(Cidr::toString).toList());
        out.put("labels", c.endpoint().labelSet().toString());
        return out;
    }

    Map<String, Object> endpointRemove(String namespace, String name) {
        ExternalEndpointStore.Outcome o = call(() -> externals.remove(namespace, name, "api"));
        return Map.of("endpoint", o.key(), "outcome", o.outcome());
    }

    Map<String, Object> externalEndpoints() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        ExternalEndpointStore.Snapshot inStore = call(externals::list);
        Map<String, Integer> applied = enforcer.externalIdentities();
        for (ExternalEndpoint e : inStore.endpoints()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("endpoint", e.key());
            r.put("cidrs", e.cidrs().stream().map(Cidr::toString).toList());
            r.put("labels", e.labelSet().toString());
            r.put("identity", applied.get(e.key()));
            r.put("source", e.source());
            rows.add(r);
        }
        out.put("endpoints", rows);
        List<String> problems = new ArrayList<>(inStore.problems());
        problems.addAll(refusedFromFiles);
        out.put("problems", problems);
        out.put("store", store.describe());
        out.put("appliedRevision", appliedRevision);
        return out;
    }

    private static <T> T call(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (ExternalEndpointStore.Refused r) {
            throw new ControlException(switch (r.kind()) {
                case INVALID -> ControlException.Kind.BAD_REQUEST;
                case CONFLICT -> ControlException.Kind.CONFLICT;
                case NOT_FOUND -> ControlException.Kind.NOT_FOUND;
            }, r.getMessage());
        } catch (StoreException e) {
            throw new ControlException(e.retryable() ? ControlException.Kind.UNAVAILABLE : ControlException.Kind.INTERNAL,
                    "cluster store: " + e.getMessage() + "; nothing was changed");
        }
    }

    /** The CNI backend's datapath with policy: each pod's policy is written before its programs are attached. */
    PodDatapath wrap(PodDatapath inner) {
        return new DelegatingPodDatapath(inner) {
            @Override
            public void attach(String hostVeth, String podIp, String podNamespace, String podName) {
                register(hostVeth, podIp, podNamespace, podName);
                super.attach(hostVeth, podIp, podNamespace, podName);
            }

            @Override
            public void attachIpv6(String hostVeth, String podIpv6) {
                int idx = datapath.ifindex(hostVeth);
                if (idx != 0) {
                    enforcer.podAddressAdded(idx, podIpv6); // a dual-stack pod's IPv6 address: same identity
                }
                super.attachIpv6(hostVeth, podIpv6);
            }

            @Override
            public void detach(String hostVeth) {
                int idx = datapath.ifindex(hostVeth);
                if (idx != 0) {
                    enforcer.podRemoved(idx);
                }
                super.detach(hostVeth);
            }
        };
    }

    /** Pods a previous daemon wired (their programs are still attached): their policy is recomputed. */
    void restored(List<PodAttachment> pods) {
        for (PodAttachment a : pods) {
            register(a.hostVeth(), a.ips(), a.podNamespace(), a.podName());
        }
    }

    private void register(String hostVeth, String podIp, String podNamespace, String podName) {
        register(hostVeth, List.of(podIp), podNamespace, podName);
    }

    private void register(String hostVeth, List<String> podIps, String podNamespace, String podName) {
        int idx = datapath.ifindex(hostVeth);
        if (idx == 0) {
            return;
        }
        String ns = podNamespace == null || podNamespace.isEmpty() ? "default" : podNamespace;
        String name = podName == null || podName.isEmpty() ? hostVeth : podName;
        enforcer.podAdded(ns, name, podIps, idx);
    }

    Map<String, Object> show(String endpoint) {
        Map<String, Object> out = enforcer.show(endpoint);
        if (!refusedFromFiles.isEmpty()) {
            @SuppressWarnings("unchecked")
            List<String> problems = new ArrayList<>((List<String>) out.get("externalEndpointProblems"));
            problems.addAll(refusedFromFiles);
            out.put("externalEndpointProblems", problems);
        }
        return out;
    }

    /** Protocols whose drops carry ports; ICMP's carry the type, others neither. */
    private static final java.util.Set<String> PORTED = java.util.Set.of("TCP", "UDP", "SCTP");

    /** The profile's other hosts are the remote nodes (at start and after a reload). */
    void profileChanged(LoadedProfile profile, NodeConfig node) {
        List<InetAddress> others = new ArrayList<>();
        profile.hostAddresses().forEach((name, address) -> {
            if (!name.equals(node.name())) {
                others.add(address);
            }
        });
        enforcer.remoteNodes(others);
    }

    Map<String, Object> drops(long after) {
        enforcer.pollDrops();
        List<Map<String, Object>> rows = new ArrayList<>();
        long last = after;
        for (PolicyEnforcer.Drop d : enforcer.dropsAfter(after)) {
            Map<String, Object> r = new java.util.LinkedHashMap<>();
            r.put("seq", d.seq());
            r.put("time", java.time.Instant.ofEpochMilli(d.atMillis()).toString());
            boolean ports = PORTED.contains(d.protocol());
            r.put("source", ports ? hostPort(d.source(), d.sourcePort()) : d.source());
            r.put("direction", d.direction());
            r.put("identity", d.identity());
            r.put("destination", ports ? hostPort(d.destination(), d.destinationPort()) : d.destination());
            r.put("endpoint", d.endpoint());
            r.put("protocol", d.protocol().startsWith("ICMP") ? d.protocol() + " type " + d.destinationPort() : d.protocol());
            r.put("reason", d.reason());
            r.put("rule", d.rule());
            rows.add(r);
            last = d.seq();
        }
        return Map.of("drops", rows, "last", last, "counters", enforcer.counters(), "egressCounters", enforcer.egressCounters());
    }

    /** "10.1.2.3:80", "[fd00::5]:80". */
    private static String hostPort(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }

    private static List<InetAddress> hostAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                out.addAll(Collections.list(i.getInetAddresses()));
            }
        } catch (SocketException e) {
            return out;
        }
        return out;
    }

    @Override
    public void close() {
        for (AutoCloseable w : new AutoCloseable[] {watcher, externalWatch, podWatch}) {
            if (w != null) {
                try {
                    w.close();
                } catch (Exception e) {
                    // closing a watch of a store being closed
                }
            }
        }
        timer.shutdownNow();
        applier.shutdownNow();
        identities.close();
        if (ownsStore) {
            store.close();
        }
    }
}
