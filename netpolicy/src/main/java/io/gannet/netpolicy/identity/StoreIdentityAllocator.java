package io.gannet.netpolicy.identity;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.Keys;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.Txn;
import io.gannet.netpolicy.model.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Security identities allocated through the cluster store, so every host gives one label set
 * the same number (the file store for one host, etcd for many). Layout under {@code root}
 * (default {@value #ROOT}), after Cilium's kvstore allocator:
 * <pre>
 *   ids/&lt;n&gt;               -> the label set (canonical "k=v,k=v")      master key, no lease
 *   labels/&lt;sha256&gt;        -> n                                       the reverse index, no lease
 *   users/&lt;sha256&gt;/&lt;holder&gt; -> n                                     one per host using the set,
 *                                                                   bound to that host's lease
 * </pre>
 *
 * <p>Allocation is compare-and-swap: a new set takes the first free number of a probe sequence
 * derived from its hash (double hashing over {@link ReservedIdentity#FIRST_ENDPOINT} ..
 * {@link ReservedIdentity#LAST_ENDPOINT}, so the reserved identities below 256 are never
 * handed out) in one transaction that requires both {@code ids/<n>} and {@code labels/<sha>}
 * absent; a host that loses the race reads the winner's number. Using an existing set rewrites
 * {@code labels/<sha>} (same value) together with the host's user key, so its revision moves.
 *
 * <p>Release: a host drops its user key when its last local use of the set goes; if no user
 * key is left, it deletes the set's two keys in a transaction that requires
 * {@code labels/<sha>} unchanged since it looked. A host that started using the set meanwhile
 * rewrote that key, so the delete fails and the number stays. Holders that die without
 * releasing lose their user keys with their lease; the numbers of sets nobody uses any more
 * are then kept until a host uses and releases the set again (no background collector yet).
 * A host whose own lease ran out (the store out of reach for longer than the TTL) notices at its
 * next allocation, takes a new lease and registers every set it holds again; until then another
 * host may collect a number it still uses.
 *
 * <p>Thread safe (synchronized); calls block on the store.
 */
public final class StoreIdentityAllocator implements IdentityAllocator, AutoCloseable {
    public static final String ROOT = "/gannet/identities";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreIdentityAllocator.class);
    private static final int RANGE = ReservedIdentity.LAST_ENDPOINT - ReservedIdentity.FIRST_ENDPOINT + 1;

    private final ClusterStore store;
    private final String root;
    private final String holder;
    private final Duration leaseTtl;
    private final Map<Labels, int[]> held = new HashMap<>();
    private ClusterStore.Lease lease;

    /**
     * @param holder this host's name (a store key segment: the node name)
     * @param leaseTtl how long this host's user keys outlive it (0: never, they are pinned)
     */
    public StoreIdentityAllocator(ClusterStore store, String root, String holder, Duration leaseTtl) {
        this.store = store;
        this.root = Keys.check(root);
        this.holder = Keys.check(holder);
        this.leaseTtl = leaseTtl;
    }

    public StoreIdentityAllocator(ClusterStore store, String holder) {
        this(store, ROOT, holder, Duration.ofSeconds(30));
    }

    @Override
    public synchronized int allocate(Labels labels) {
        int[] entry = held.get(labels);
        if (entry != null) {
            entry[1]++;
            return entry[0];
        }
        int id;
        try {
            id = acquire(labels);
        } catch (StoreException e) {
            if (e.reason() != StoreException.Reason.BAD_REQUEST || lease == null || !e.getMessage().contains("lease")) {
                throw e;
            }
            // Our lease ran out (the store was out of reach for longer than its TTL): its user
            // keys are gone. A new lease, and every set this host holds registered again.
            LOG.warn("identity allocator: lease {} lost ({}); registering {} label sets again", Long.toHexString(lease.id()),
                    e.getMessage(), held.size());
            lease.close();
            lease = null;
            for (Map.Entry<Labels, int[]> h : held.entrySet()) {
                int again = acquire(h.getKey());
                if (again != h.getValue()[0]) {
                    LOG.warn("identity allocator: {} was collected while this host's lease was lost; it is now {} (was {})",
                            h.getKey(), again, h.getValue()[0]);
                }
            }
            id = acquire(labels);
        }
        held.put(labels, new int[] {id, 1});
        return id;
    }

    @Override
    public synchronized void release(Labels labels) {
        int[] entry = held.get(labels);
        if (entry == null || --entry[1] > 0) {
            return;
        }
        held.remove(labels);
        String sha = sha(labels);
        store.commit(Txn.begin().delete(userKey(sha)));
        collect(sha);
    }

    /** Every identity in the store with its label set (for show and tests). */
    public Map<Integer, String> all() {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (KeyValue kv : store.list(root + "/ids/")) {
            out.put(Integer.parseInt(kv.key().substring(root.length() + 5)), kv.text());
        }
        return out;
    }

    private int acquire(Labels labels) {
        String canonical = labels.toString();
        String sha = sha(labels);
        long lease = leaseId();
        for (int attempt = 0; attempt < 64; attempt++) {
            Optional<KeyValue> existing = store.get(labelsKey(sha));
            if (existing.isPresent()) {
                KeyValue kv = existing.get();
                int id = parse(kv);
                boolean used = store.commit(Txn.begin().ifModRevision(kv.key(), kv.modRevision())
                        .put(kv.key(), kv.text()).put(userKey(sha), kv.text(), lease)).succeeded();
                if (used) {
                    return id;
                }
                continue; // changed under us (a release or another user): look again
            }
            long h = mix(sha.hashCode());
            long step = 1 + Math.floorMod(mix(h), RANGE - 1);
            while (gcd(step, RANGE) != 1) {
                step++;
            }
            long start = Math.floorMod(h, RANGE);
            for (long i = 0; i < RANGE; i++) {
                int id = (int) (ReservedIdentity.FIRST_ENDPOINT + Math.floorMod(start + i * step, RANGE));
                boolean won = store.commit(Txn.begin().ifAbsent(idKey(id)).ifAbsent(labelsKey(sha))
                        .put(idKey(id), canonical).put(labelsKey(sha), Integer.toString(id))
                        .put(userKey(sha), Integer.toString(id), lease)).succeeded();
                if (won) {
                    return id;
                }
                if (store.get(labelsKey(sha)).isPresent()) {
                    break; // another host allocated this set meanwhile: use its number
                }
            }
            if (store.get(labelsKey(sha)).isEmpty()) {
                throw new StoreException(StoreException.Reason.BAD_REQUEST, "all " + RANGE
                        + " endpoint identities are in use: too many distinct label sets; " + canonical + " gets none");
            }
        }
        throw new StoreException(StoreException.Reason.UNAVAILABLE, "identity of " + canonical
                + " not settled after 64 attempts (the store keeps changing under us)");
    }

    /** Deletes the set's number when no host uses it any more. */
    private void collect(String sha) {
        Optional<KeyValue> kv = store.get(labelsKey(sha));
        if (kv.isEmpty() || !store.list(root + "/users/" + sha + "/").isEmpty()) {
            return;
        }
        int id = parse(kv.get());
        store.commit(Txn.begin().ifModRevision(kv.get().key(), kv.get().modRevision()).delete(kv.get().key()).delete(idKey(id)));
    }

    private long leaseId() {
        if (leaseTtl.isZero()) {
            return 0;
        }
        if (lease == null) {
            lease = store.grantLease(leaseTtl);
        }
        return lease.id();
    }

    private String idKey(int id) {
        return root + "/ids/" + id;
    }

    private String labelsKey(String sha) {
        return root + "/labels/" + sha;
    }

    private String userKey(String sha) {
        return root + "/users/" + sha + "/" + holder;
    }

    private int parse(KeyValue kv) {
        try {
            int id = Integer.parseInt(kv.text());
            if (ReservedIdentity.isEndpoint(id)) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new StoreException(StoreException.Reason.CORRUPT, "store key " + kv.key() + " holds '" + kv.text()
                + "', not an endpoint identity (" + ReservedIdentity.FIRST_ENDPOINT + "-" + ReservedIdentity.LAST_ENDPOINT
                + "); Gannet did not write this: delete or fix the key");
    }

    static String sha(Labels labels) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(labels.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x & Long.MAX_VALUE;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Stops renewing this host's lease (its user keys go when it runs out); numbers stay. */
    @Override
    public synchronized void close() {
        if (lease != null) {
            lease.close();
            lease = null;
        }
    }
}
