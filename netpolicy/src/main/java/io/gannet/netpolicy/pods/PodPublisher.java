package io.gannet.netpolicy.pods;

import io.gannet.cluster.store.Backoff;
import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.Txn;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Publishes this node's pods in the cluster store ({@link PublishedPod}), each key under one
 * lease of this node, so the pods of a node that is gone leave the store after the lease's TTL.
 *
 * <p>The CNI path never waits for the store: {@link #added} and {@link #removed} change the
 * wanted set and wake the publisher's own thread, which writes the changes. When a write fails
 * (store unreachable) or the lease is lost, the next pass reconciles the whole prefix
 * ({@value PublishedPod#PREFIX}NODE/: list, put what is missing or different, delete the rest)
 * with exponential back-off and jitter; nothing polls the store at a fixed interval (the lease
 * check is local).
 *
 * <p>Threads: any thread calls {@link #added}, {@link #removed}, {@link #replaceAll}; the store
 * is written on the publisher's thread only.
 */
public final class PodPublisher implements AutoCloseable {
    private static final long LEASE_CHECK_SECONDS = 5;

    private final ClusterStore store;
    private final String node;
    private final Duration ttl;
    private final BiConsumer<String, String> log;
    private final ScheduledExecutorService thread;
    private final Backoff backoff = Backoff.standard();
    private final Object lock = new Object();
    private final Map<String, PublishedPod> wanted = new LinkedHashMap<>(); // storeKey -> pod; under lock
    private final Map<String, PublishedPod> dirty = new LinkedHashMap<>(); // storeKey -> pod, or null value: delete; under lock
    private boolean fullSync = true; // under lock
    private boolean scheduled; // under lock
    // publisher thread only
    private ClusterStore.Lease lease;
    private int failures;
    private volatile String state = "not yet written";

    public PodPublisher(ClusterStore store, String node, Duration ttl, BiConsumer<String, String> log) {
        this.store = store;
        this.node = node;
        this.ttl = ttl;
        this.log = log;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-pod-publisher");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::checkLease, LEASE_CHECK_SECONDS, LEASE_CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** A pod wired on this node. */
    public void added(String namespace, String name, String address) {
        publish(new PublishedPod(node, namespace, name, address));
    }

    /** A dual-stack pod's IPv6 address, after {@link #added}: the pod is published again with both. */
    public void addedIpv6(String namespace, String name, String address6) {
        synchronized (lock) {
            PublishedPod old = wanted.get(new PublishedPod(node, namespace, name, "").storeKey());
            if (old != null && !old.address().equals(address6)) {
                publish(new PublishedPod(node, namespace, name, old.address(), address6));
            }
        }
    }

    private void publish(PublishedPod p) {
        synchronized (lock) {
            if (p.equals(wanted.get(p.storeKey()))) {
                return;
            }
            wanted.put(p.storeKey(), p);
            dirty.put(p.storeKey(), p);
            wake(0);
        }
    }

    /** A pod deleted on this node. */
    public void removed(String namespace, String name) {
        String key = new PublishedPod(node, namespace, name, "").storeKey();
        synchronized (lock) {
            if (wanted.remove(key) != null) {
                dirty.put(key, null);
                wake(0);
            }
        }
    }

    /** Every pod this node has (at start: the pods a previous daemon wired); the store is made to hold exactly these. */
    public void replaceAll(List<PublishedPod> pods) {
        synchronized (lock) {
            wanted.clear();
            for (PublishedPod p : pods) {
                wanted.put(p.storeKey(), new PublishedPod(node, p.namespace(), p.name(), p.address(), p.address6()));
            }
            dirty.clear();
            fullSync = true;
            wake(0);
        }
    }

    /** What the store holds of this node's pods, for show: "N pods published" or why not. */
    public String state() {
        return state;
    }

    private void wake(long delayMillis) {
        if (!scheduled) {
            scheduled = true;
            thread.schedule(this::pass, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void checkLease() {
        ClusterStore.Lease l = lease;
        if (l != null && l.lost()) {
            log.accept("pods", "the store lease of " + node + "'s published pods was lost; publishing them again");
            synchronized (lock) {
                fullSync = true;
                wake(0);
            }
        }
    }

    private void pass() {
        boolean full;
        Map<String, PublishedPod> changes;
        Map<String, PublishedPod> all;
        synchronized (lock) {
            scheduled = false;
            full = fullSync;
            changes = new LinkedHashMap<>(dirty);
            all = new HashMap<>(wanted);
            fullSync = false;
            dirty.clear();
        }
        try {
            if (lease == null || lease.lost()) {
                if (lease != null) {
                    lease.close();
                }
                lease = store.grantLease(ttl);
                full = true;
            }
            if (full) {
                String mine = PublishedPod.PREFIX + node + "/";
                for (KeyValue kv : store.list(mine)) {
                    if (!all.containsKey(kv.key())) {
                        store.commit(Txn.begin().delete(kv.key()));
                    }
                }
                // every wanted key (again), so each is on the current lease
                for (PublishedPod p : all.values()) {
                    put(p);
                }
            } else {
                for (Map.Entry<String, PublishedPod> c : changes.entrySet()) {
                    if (c.getValue() == null) {
                        store.commit(Txn.begin().delete(c.getKey()));
                    } else {
                        put(c.getValue());
                    }
                }
            }
            if (failures > 0) {
                log.accept("pods", node + "'s pods published again in " + store.describe());
            }
            failures = 0;
            synchronized (lock) {
                state = wanted.size() + " pods published in " + store.describe();
            }
        } catch (StoreException e) {
            if (failures == 0) {
                log.accept("pods", "publishing " + node + "'s pods failed (" + e.getMessage() + "); retrying with back-off");
            }
            state = "not published: " + e.getMessage() + " (retrying)";
            synchronized (lock) {
                fullSync = true;
                wake(backoff.delay(Math.min(failures, 20)).toMillis());
            }
            failures++;
        }
    }

    private void put(PublishedPod p) {
        store.commit(Txn.begin().put(p.storeKey(), p.toJson(), lease.id()));
    }

    /** Stops publishing; the keys stay until the lease runs out (a restart re-adopts them first). */
    @Override
    public void close() {
        thread.shutdownNow();
        if (lease != null) {
            lease.close();
        }
    }
}
