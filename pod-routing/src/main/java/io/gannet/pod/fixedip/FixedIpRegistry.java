package io.gannet.pod.fixedip;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.Txn;
import io.gannet.cluster.store.WatchEvent;
import io.gannet.cluster.store.WatchListener;
import io.gannet.cluster.store.alloc.PoolAllocator;
import io.gannet.pod.ipam.FixedIpClaims;
import io.gannet.pod.ipam.FixedIpKey;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.ipam.IpamException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fixed StatefulSet IPs: the reservation of an address per namespace/StatefulSet/ordinal in a
 * pool of the profile, and which node holds (announces) it, both in the cluster store. One
 * registry serves one pool of one family; a dual-stack node runs one per family (an IPv4 and an
 * IPv6 pool, each with its own keys, lease and handovers), so a pod's /32 and /128 follow it alike.
 *
 * <p>Keys under {@code /gannet/fixedip/<pool>/}: {@code owners/<ns>/<sts>/<ordinal>} and
 * {@code items/<index>} (the reservation, pinned, through {@link PoolAllocator});
 * {@code holder/<ns>/<sts>/<ordinal>} = the node announcing it, bound to that node's lease.
 *
 * <p>Moving an address from node A to node B never lets both announce it:
 * <ol>
 * <li>B finds holder = {@code A} and rewrites it, in a transaction on its revision and keeping
 *     A's lease, to {@code A>B} (a handover request);</li>
 * <li>A sees the change through its watch, withdraws the route, and deletes the holder key with
 *     a transaction that checks it still says {@code A>B};</li>
 * <li>B sees the delete, takes the key ({@code ifAbsent}, its own lease) and only then announces.</li>
 * </ol>
 * A node that vanished never answers: its lease expires, the key with it, and B takes over
 * after the TTL. Every step is watch-driven; B's wait is bounded.
 *
 * <p>Fencing: a node cut off from the store cannot hear a handover request, and once its lease
 * may have expired at the store another node may hold its addresses. So when the store has not
 * confirmed the lease for its TTL (less a margin), the node withdraws every fixed IP it holds,
 * before anyone else can take them; when the store answers again it re-asserts each (the same
 * lease, or a new one if the old one expired) and announces only those still its own.
 *
 * <p>Threads: {@link #claim} and {@link #vacate} on control-API threads (they block for store
 * round trips); handover answers on the store's watch thread; the fence check on a thread of
 * its own every 200 ms.
 */
public final class FixedIpRegistry implements FixedIpClaims, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FixedIpRegistry.class);
    private static final String ROOT = "/gannet/fixedip/";

    private final ClusterStore store;
    private final String node;
    private final String pool;
    private final IpBlock cidr;
    private final PoolAllocator allocator;
    private final FixedIpRoutes routes;
    private volatile ClusterStore.Lease lease;
    private final Duration leaseTtl;
    private final Duration handoverTimeout;
    /** Fixed IPs this node holds: key -> address (known locally, so fencing needs no store). */
    private final Map<String, InetAddress> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService fenceTimer;
    private boolean fenced; // fence thread only
    private final Object changed = new Object();
    private final AutoCloseable watch;

    /**
     * @param pool  the pool's name in the profile
     * @param cidr  the pool's prefix
     * @param leaseTtl how long a vanished node keeps holding what it announced
     */
    public FixedIpRegistry(ClusterStore store, String node, String pool, IpBlock cidr, FixedIpRoutes routes, Duration leaseTtl,
                           Duration handoverTimeout) {
        this.store = store;
        this.node = node;
        this.pool = pool;
        this.cidr = cidr;
        this.routes = routes;
        this.handoverTimeout = handoverTimeout;
        this.allocator = new PoolAllocator(store, ROOT + pool, 1L << Math.min(30, cidr.bits() - cidr.prefixLength()));
        this.leaseTtl = leaseTtl;
        this.lease = store.grantLease(leaseTtl);
        this.watch = store.watch(ROOT + pool + "/holder/", new WatchListener() {
            @Override
            public void onResync(List<KeyValue> current, long revision) {
                current.forEach(FixedIpRegistry.this::seen);
                wake();
            }

            @Override
            public void onEvents(List<WatchEvent> events) {
                for (WatchEvent e : events) {
                    if (e.type() == WatchEvent.Type.PUT) {
                        seen(e.kv());
                    }
                }
                wake();
            }
        });
        this.fenceTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-fixedip-fence");
            t.setDaemon(true);
            return t;
        });
        fenceTimer.scheduleWithFixedDelay(this::checkFence, 200, 200, TimeUnit.MILLISECONDS);
    }

    /** Withdraws what this node holds once its lease may have expired at the store; re-asserts it when the store answers. */
    private void checkFence() {
        try {
            ClusterStore.Lease l = lease;
            long now = System.nanoTime();
            long margin = Math.min(TimeUnit.SECONDS.toNanos(1), leaseTtl.toNanos() / 5);
            boolean confirmed = !l.lost() && now < l.confirmedUntilNanos() - margin;
            if (!confirmed && !fenced) {
                fenced = true;
                held.values().forEach(routes::withdraw);
                if (!held.isEmpty()) {
                    LOG.warn("fixedip: fencing: the store has not confirmed node {}'s lease for {} s; withdrew {} fixed IP(s) until it does: {}",
                            node, leaseTtl.toSeconds(), held.size(), held.keySet());
                }
                return;
            }
            if (!fenced) {
                return;
            }
            if (!confirmed) {
                if (!l.lost() && now < l.confirmedUntilNanos() + leaseTtl.toNanos()) {
                    return; // the lease may still come back
                }
                // expired at the store (or silent for twice its TTL): a new lease, once the store answers
                ClusterStore.Lease fresh = store.grantLease(leaseTtl);
                lease = fresh;
                l.close();
            }
            reassert(lease);
            fenced = false;
        } catch (StoreException e) {
            LOG.debug("fixedip: the store still does not answer: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("fixedip: fence check failed: {}", e.toString());
        }
    }

    /** After fencing: takes back (with {@code l}) and announces each fixed IP that no other node took meanwhile. */
    private void reassert(ClusterStore.Lease l) {
        int back = 0;
        for (Map.Entry<String, InetAddress> e : held.entrySet()) {
            String hk = ROOT + pool + "/holder/" + e.getKey();
            Optional<KeyValue> h = store.get(hk);
            boolean ours;
            if (h.isEmpty()) {
                ours = store.commit(Txn.begin().ifAbsent(hk).put(hk, node, l.id())).succeeded();
            } else if (h.get().text().equals(node)) {
                ours = h.get().lease() == l.id()
                        || store.commit(Txn.begin().ifModRevision(hk, h.get().modRevision()).put(hk, node, l.id())).succeeded();
            } else {
                ours = false;
                if (h.get().text().startsWith(node + ">")) {
                    seen(h.get()); // a handover asked while we were away: answer it now
                }
            }
            if (ours) {
                routes.announce(e.getValue());
                back++;
            } else {
                held.remove(e.getKey());
                LOG.warn("fixedip: {} = {} is held by node {} now (taken while this node was fenced): not announced here",
                        e.getKey(), IpBlock.format(e.getValue()), h.map(KeyValue::text).orElse("?"));
            }
        }
        if (!held.isEmpty() || back > 0) {
            LOG.info("fixedip: the store confirms node {}'s lease again: {} fixed IP(s) announced again", node, back);
        }
    }

    private String holderKey(FixedIpKey key) {
        return ROOT + pool + "/holder/" + key;
    }

    private void wake() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /** A holder value on the watch: answer a handover request addressed to this node. */
    private void seen(KeyValue kv) {
        String v = kv.text();
        if (!v.startsWith(node + ">")) {
            return;
        }
        String keyText = kv.key().substring((ROOT + pool + "/holder/").length());
        FixedIpKey key;
        try {
            key = FixedIpKey.parse(keyText);
        } catch (IllegalArgumentException e) {
            LOG.warn("fixedip: ignoring holder key {} that does not name a StatefulSet pod", kv.key());
            return;
        }
        Optional<Long> idx = allocator.find(key.toString());
        if (idx.isPresent()) {
            routes.withdraw(cidr.address(idx.get().intValue()));
        }
        held.remove(key.toString());
        boolean done = store.commit(Txn.begin().ifModRevision(kv.key(), kv.modRevision()).delete(kv.key())).succeeded();
        LOG.info("fixedip: {} handed over to {}: withdrawn here{}", key, v.substring(node.length() + 1), done ? "" : " (key had changed meanwhile)");
    }

    @Override
    public InetAddress claim(FixedIpKey key) {
        InetAddress address;
        try {
            int size = (int) Math.min(Integer.MAX_VALUE, 1L << Math.min(30, cidr.bits() - cidr.prefixLength()));
            // Never the pool's first address (IPv4 network address; IPv6 Subnet-Router anycast, RFC 4291 2.6.1)
            // nor an IPv4 pool's broadcast address.
            long idx = allocator.claim(key.toString(), -1, 0, i -> i == 0 || (cidr.isIpv4() && i == size - 1)).index();
            address = cidr.address((int) idx);
        } catch (StoreException e) {
            throw new IpamException(IpamException.Reason.FIXED_IP_UNAVAILABLE, "no fixed IP for " + key + " from pool " + pool + ": " + e.getMessage(), e);
        }
        String hk = holderKey(key);
        long deadline = System.nanoTime() + handoverTimeout.toNanos();
        boolean asked = false;
        while (true) {
            Optional<KeyValue> h;
            try {
                h = store.get(hk);
                if (h.isEmpty()) {
                    if (store.commit(Txn.begin().ifAbsent(hk).put(hk, node, lease.id())).succeeded()) {
                        break;
                    }
                    continue;
                }
                String v = h.get().text();
                if (v.equals(node)) {
                    break;
                }
                if (!v.contains(">") || !v.endsWith(">" + node)) {
                    String from = v.contains(">") ? v.substring(0, v.indexOf('>')) : v;
                    // ask the current holder to let go, keeping its lease so a vanished holder still times out
                    asked |= store.commit(Txn.begin().ifModRevision(hk, h.get().modRevision()).put(hk, from + ">" + node, h.get().lease())).succeeded();
                }
            } catch (StoreException e) {
                throw new IpamException(IpamException.Reason.FIXED_IP_UNAVAILABLE, "fixed IP " + IpBlock.format(address) + " of " + key
                        + ": the store is unreachable, so it cannot move here safely: " + e.getMessage(), e);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IpamException(IpamException.Reason.FIXED_IP_UNAVAILABLE, "fixed IP " + IpBlock.format(address) + " of " + key
                        + " is still announced by node " + h.get().text().split(">")[0] + (asked ? " (handover asked, not answered within "
                        + handoverTimeout.toMillis() + " ms; it is released when that node's lease expires)" : ""));
            }
            synchronized (changed) {
                try {
                    changed.wait(Math.max(1, Math.min(left / 1_000_000, 100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IpamException(IpamException.Reason.FIXED_IP_UNAVAILABLE, "interrupted while moving " + key);
                }
            }
        }
        held.put(key.toString(), address);
        routes.announce(address);
        LOG.info("fixedip: {} = {} announced by {}", key, IpBlock.format(address), node);
        return address;
    }

    @Override
    public void vacate(FixedIpKey key, InetAddress address) {
        routes.withdraw(address);
        held.remove(key.toString());
        String hk = holderKey(key);
        try {
            Optional<KeyValue> h = store.get(hk);
            if (h.isPresent() && (h.get().text().equals(node) || h.get().text().startsWith(node + ">"))) {
                store.commit(Txn.begin().ifModRevision(hk, h.get().modRevision()).delete(hk));
            }
        } catch (StoreException e) {
            LOG.warn("fixedip: {} withdrawn here but the store did not hear it ({}); the lease releases it", key, e.getMessage());
        }
    }

    /** Who announces the key's address now (the store's view), for show and tests. */
    public Optional<String> holder(FixedIpKey key) {
        return store.get(holderKey(key)).map(KeyValue::text);
    }

    public Set<String> heldHere() {
        return Set.copyOf(held.keySet());
    }

    public String pool() {
        return pool;
    }

    @Override
    public void close() {
        fenceTimer.shutdownNow();
        try {
            watch.close();
        } catch (Exception ignored) {
            // closing
        }
        lease.close();
    }
}
