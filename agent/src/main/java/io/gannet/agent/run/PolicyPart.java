package io.gannet.agent.run;

import io.gannet.agent.logging.EventLog;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.policy.PolicyReason;
import io.gannet.netpolicy.enforce.PolicyDirectory;
import io.gannet.netpolicy.enforce.PolicyDirectoryWatcher;
import io.gannet.netpolicy.enforce.PolicyEnforcer;
import io.gannet.pod.wiring.PodAttachment;
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
    private final PolicyDirectoryWatcher watcher;
    private final ScheduledExecutorService timer;

    private PolicyPart(Datapath datapath, PolicyEnforcer enforcer, PolicyDirectoryWatcher watcher, ScheduledExecutorService timer) {
        this.datapath = datapath;
        this.enforcer = enforcer;
        this.watcher = watcher;
        this.timer = timer;
    }

    /**
     * @param stateDir the daemon's state dir: the last valid version of each policy file is kept
     *                 under {@code policy-last-good/}, so a restart while a file is broken keeps it
     */
    static PolicyPart start(Datapath datapath, Path dir, Path stateDir, EventLog log, MeterRegistry registry) throws IOException {
        PolicyEnforcer enforcer = new PolicyEnforcer(datapath.policyFeature(), (subject, msg) -> log.operatorAction(subject, dir.toString(), msg));
        enforcer.hostAddresses(hostAddresses());
        PolicyDirectoryWatcher watcher = new PolicyDirectoryWatcher(new PolicyDirectory(dir, stateDir.resolve("policy-last-good")),
                enforcer::directoryChanged, 200).start();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-policy-drops");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                enforcer.pollDrops();
            } catch (RuntimeException e) {
                log.operatorAction("policy", "drops", "reading drop events failed: " + e.getMessage());
            }
        }, DRAIN_MILLIS, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> enforcer.hostAddresses(hostAddresses()), HOST_ADDRESSES_MILLIS,
                HOST_ADDRESSES_MILLIS, TimeUnit.MILLISECONDS);
        for (PolicyReason r : PolicyReason.values()) {
            FunctionCounter.builder("gannet_policy_packets", enforcer, e -> e.counters().getOrDefault(r.label(), 0L))
                    .description("Packets the ingress policy stage judged, by outcome (drop_* are drops)")
                    .tag("reason", r.label())
                    .register(registry);
        }
        log.operatorAction("policy", dir.toString(), "ingress policy on; watching " + dir
                + " (NetworkPolicy, CiliumNetworkPolicy, Pod and Namespace labels)");
        return new PolicyPart(datapath, enforcer, watcher, timer);
    }

    /** The CNI backend's datapath with policy: each pod's policy is written before its programs are attached. */
    PodDatapath wrap(PodDatapath inner) {
        return new PodDatapath() {
            @Override
            public void attach(String hostVeth, String podIp) {
                attach(hostVeth, podIp, "", "");
            }

            @Override
            public void attach(String hostVeth, String podIp, String podNamespace, String podName) {
                register(hostVeth, podIp, podNamespace, podName);
                inner.attach(hostVeth, podIp, podNamespace, podName);
            }

            @Override
            public void detach(String hostVeth) {
                int idx = datapath.ifindex(hostVeth);
                if (idx != 0) {
                    enforcer.podRemoved(idx);
                }
                inner.detach(hostVeth);
            }

            @Override
            public int attachedProgram(String hostVeth) {
                return inner.attachedProgram(hostVeth);
            }

            @Override
            public boolean enabled() {
                return inner.enabled();
            }
        };
    }

    /** Pods a previous daemon wired (their programs are still attached): their policy is recomputed. */
    void restored(List<PodAttachment> pods) {
        for (PodAttachment a : pods) {
            register(a.hostVeth(), a.ip(), a.podNamespace(), a.podName());
        }
    }

    private void register(String hostVeth, String podIp, String podNamespace, String podName) {
        int idx = datapath.ifindex(hostVeth);
        if (idx == 0) {
            return;
        }
        String ns = podNamespace == null || podNamespace.isEmpty() ? "default" : podNamespace;
        String name = podName == null || podName.isEmpty() ? hostVeth : podName;
        enforcer.podAdded(ns, name, podIp, idx);
    }

    Map<String, Object> show(String endpoint) {
        return enforcer.show(endpoint);
    }

    Map<String, Object> drops(long after) {
        enforcer.pollDrops();
        List<Map<String, Object>> rows = new ArrayList<>();
        long last = after;
        for (PolicyEnforcer.Drop d : enforcer.dropsAfter(after)) {
            Map<String, Object> r = new java.util.LinkedHashMap<>();
            r.put("seq", d.seq());
            r.put("time", java.time.Instant.ofEpochMilli(d.atMillis()).toString());
            r.put("source", d.source() + ":" + d.sourcePort());
            r.put("identity", d.sourceIdentity());
            r.put("destination", d.destination() + ":" + d.destinationPort());
            r.put("endpoint", d.endpoint());
            r.put("protocol", d.protocol());
            r.put("reason", d.reason());
            r.put("rule", d.rule());
            rows.add(r);
            last = d.seq();
        }
        return Map.of("drops", rows, "last", last, "counters", enforcer.counters());
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
        watcher.close();
        timer.shutdownNow();
    }
}
