package io.gannet.cluster.store.alloc;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.Keys;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.Txn;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Hands out the items of a numbered pool (PodCIDR blocks of a profile's pool, addresses of a
 * fixed-IP pool) to owners, one item per owner, as store transactions: two owners racing for
 * the same item never both win, and a retried transaction never gives one owner two items.
 *
 * <p>Keys under {@code <root>/}: {@code items/<index>} holds the owner, {@code owners/<owner>}
 * holds the index; both are written in one transaction, bound to the owner's lease (released
 * when the owner vanishes) or to none (pinned).
 *
 * <p>Finding a free item: an owner first asks for its own key (so a restart gets the same
 * item back, one request), then tries its preferred item, then probes the pool in an order
 * derived from its name (double hashing), so thousands of owners starting at once rarely try
 * the same item and need about {@code 1 / (1 - fill)} transactions each rather than a scan.
 *
 * <p>Thread safe (stateless over the store).
 */
public final class PoolAllocator {
    private final ClusterStore store;
    private final String root;
    private final long size;

    /** A pool of {@code size} items (indices 0 .. size-1) under {@code root} (no trailing slash). */
    public PoolAllocator(ClusterStore store, String root, long size) {
        if (size < 1) {
            throw new IllegalArgumentException("an empty pool");
        }
        this.store = store;
        this.root = Keys.check(root);
        this.size = size;
    }

    /** What {@link #claim} returns: the item and how many transactions it took. */
    public record Claim(long index, boolean existing, int transactions) {}

    private String itemKey(long index) {
        return root + "/items/" + index;
    }

    private String ownerKey(String owner) {
        return root + "/owners/" + owner;
    }

    /**
     * The owner's item: the one it already holds (rebinding it to {@code lease}), else
     * {@code preferred} if free, else a free one.
     *
     * @param preferred an index to try first, or -1
     * @param lease lease id to bind to, 0 for a pinned claim
     * @throws StoreException BAD_REQUEST ("exhausted") when no item is free; CORRUPT when the
     *     store holds a value Gannet did not write
     */
    public Claim claim(String owner, long preferred, long lease) {
        return claim(owner, preferred, lease, i -> false);
    }

    /** As {@link #claim(String, long, long)}, never taking an item {@code excluded} says is someone else's. */
    public Claim claim(String owner, long preferred, long lease, java.util.function.LongPredicate excluded) {
        Keys.check(ownerKey(owner));
        int txns = 0;
        Optional<KeyValue> mine = store.get(ownerKey(owner));
        if (mine.isPresent()) {
            KeyValue ok = mine.get();
            long idx = parseIndex(ok);
            if (ok.lease() != lease) {
                // same item, new lease (a restart within the TTL, or pinning/unpinning)
                txns++;
                boolean rebound = store.commit(Txn.begin().ifModRevision(ownerKey(owner), ok.modRevision()).ifValue(itemKey(idx), owner)
                        .put(ownerKey(owner), Long.toString(idx), lease).put(itemKey(idx), owner, lease)).succeeded();
                if (!rebound) {
                    return claim(owner, preferred, lease, excluded);
                }
            }
            return new Claim(idx, true, txns);
        }
        long h = mix(owner.hashCode());
        long start = Math.floorMod(h, size);
        long step = size == 1 ? 1 : 1 + Math.floorMod(mix(h), size - 1);
        while (gcd(step, size) != 1) {
            step = step + 1 >= size ? 1 : step + 1;
        }
        for (long i = -1; i < size; i++) {
            long idx = i < 0 ? preferred : Math.floorMod(start + i * step, size);
            if (idx < 0 || idx >= size || excluded.test(idx)) {
                continue;
            }
            txns++;
            boolean won = store.commit(Txn.begin().ifAbsent(itemKey(idx)).ifAbsent(ownerKey(owner))
                    .put(itemKey(idx), owner, lease).put(ownerKey(owner), Long.toString(idx), lease)).succeeded();
            if (won) {
                return new Claim(idx, false, txns);
            }
            // lost: someone has the item, or this owner already got one (a retry whose first try went through)
            Optional<Long> again = find(owner);
            if (again.isPresent()) {
                return new Claim(again.get(), false, txns);
            }
        }
        throw new StoreException(StoreException.Reason.BAD_REQUEST, "pool " + root + " is exhausted: all " + size + " items are held; "
                + owner + " gets none");
    }

    /** The owner's item, if it holds one. */
    public Optional<Long> find(String owner) {
        return store.get(ownerKey(owner)).map(kv -> parseIndex(kv));
    }

    /** Releases the owner's item (both keys, in one transaction); false when it held none. */
    public boolean release(String owner) {
        Optional<KeyValue> kv = store.get(ownerKey(owner));
        if (kv.isEmpty()) {
            return false;
        }
        long idx = parseIndex(kv.get());
        return store.commit(Txn.begin().ifModRevision(ownerKey(owner), kv.get().modRevision())
                .delete(ownerKey(owner)).delete(itemKey(idx))).succeeded() || release(owner);
    }

    /** Every owner and its item. */
    public Map<String, Long> owners() {
        Map<String, Long> out = new LinkedHashMap<>();
        String p = root + "/owners/";
        for (KeyValue kv : store.list(p)) {
            out.put(kv.key().substring(p.length()), parseIndex(kv));
        }
        return out;
    }

    private long parseIndex(KeyValue kv) {
        String t = kv.text();
        try {
            long v = Long.parseLong(t);
            if (v >= 0 && v < size) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new StoreException(StoreException.Reason.CORRUPT, "store key " + kv.key() + " holds '" + printable(t)
                + "', not an index of pool " + root + " (0-" + (size - 1) + "); Gannet did not write this: delete or fix the key");
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> b.append(c < 0x20 || c == 0x7f ? "?" : Character.toString(c)));
        return b.toString();
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
}
