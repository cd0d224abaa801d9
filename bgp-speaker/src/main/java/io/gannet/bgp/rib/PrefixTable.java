package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * Maps a prefix (given as primitives) to a dense slot index, with no object per prefix: keys
 * live in parallel primitive arrays and an open-addressing index (linear probing) points into
 * them. Slots freed by {@link #remove} are reused, so per-slot arrays elsewhere (best path,
 * Adj-RIB-Out) stay dense.
 *
 * <p>IPv4 keys use only {@code hi} (the address bits) and keep no {@code lo} array; their index
 * holds the key inline (one memory access per probe), which the profile of a million-prefix
 * load showed to matter.
 *
 * <p>Threading: owned by the RIB's loop; no locking.
 */
final class PrefixTable {
    private static final int EMPTY = -1;

    private final boolean ipv6;
    /** Per slot (in pages, so growth copies nothing): the IPv4 address, or the IPv6 address's two halves. */
    private IntPages addr4;
    private LongPages hi;
    private LongPages lo;
    /** Per slot: the prefix length, or {@link #FREE} for a slot not in use. */
    private BytePages len;
    private int[] index;        // IPv6: hash slot -> key slot, EMPTY when unused
    /**
     * IPv4: one int per bucket, a 6-bit fingerprint of the key's hash above its 26-bit slot, so
     * a probe rejects almost every other key without reading the slot's address (one in 64 is read
     * for nothing). -1 marks empty, so slot 2^26 - 1 is never used. Half the size of a bucket
     * holding the whole key: 8 MiB instead of 16 at a million prefixes.
     */
    private int[] table4;
    private int[] free = new int[16];
    private int freeCount;
    private int highWater;      // slots ever used
    private int size;
    private static final byte FREE = -1;

    PrefixTable(boolean ipv6, int initialCapacity) {
        this.ipv6 = ipv6;
        int cap = Math.max(16, initialCapacity);
        addr4 = ipv6 ? null : new IntPages(cap, 0);
        hi = ipv6 ? new LongPages(cap, 0) : null;
        lo = ipv6 ? new LongPages(cap, 0) : null;
        len = new BytePages(cap, FREE);
        int buckets = Integer.highestOneBit(cap * 2 - 1) * 2;
        if (ipv6) {
            index = new int[buckets];
            Arrays.fill(index, EMPTY);
        } else {
            table4 = new int[buckets];
            Arrays.fill(table4, EMPTY);
        }
    }

    private static final int SLOT_BITS = 26;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;

    private static long key4(long addr, int length) {
        return addr << 6 | length;
    }

    private static int hash4(long key) {
        long x = key ^ (key >>> 33); // murmur3 fmix64: every key bit reaches the low bits
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        x *= 0xC4CEB9FE1A85EC53L;
        return (int) (x ^ (x >>> 33));
    }

    boolean ipv6() {
        return ipv6;
    }

    int size() {
        return size;
    }

    /** Slots in use or freed: iterate {@code 0..highWater()} and check {@link #live}. */
    int highWater() {
        return highWater;
    }

    /** Capacity of per-slot arrays; they must be at least this long. */
    int capacity() {
        return len.capacity();
    }

    boolean live(int slot) {
        return len.get(slot) != FREE;
    }

    long hi(int slot) {
        return ipv6 ? hi.get(slot) : addr4.get(slot) & 0xFFFFFFFFL;
    }

    long lo(int slot) {
        return ipv6 ? lo.get(slot) : 0;
    }

    int length(int slot) {
        return len.get(slot) & 0xFF;
    }

    private static int hash(long h, long l, int length) {
        long x = h * 0x9E3779B97F4A7C15L ^ l * 0xC2B2AE3D27D4EB4FL ^ length * 0x165667B19E3779F9L;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (int) (x ^ (x >>> 32));
    }

    int find(long h, long l, int length) {
        if (!ipv6) {
            int hash = hash4(key4(h, length));
            int fp = hash >>> SLOT_BITS;
            int mask = table4.length - 1;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                int e = table4[i];
                if (e == EMPTY) {
                    return -1;
                }
                if (e >>> SLOT_BITS == fp && isKey4(e & SLOT_MASK, h, length)) {
                    return e & SLOT_MASK;
                }
            }
        }
        int mask = index.length - 1;
        for (int i = hash(h, l, length) & mask; ; i = (i + 1) & mask) {
            int s = index[i];
            if (s == EMPTY) {
                return -1;
            }
            if (hi.get(s) == h && lo.get(s) == l && (len.get(s) & 0xFF) == length) {
                return s;
            }
        }
    }

    /** The slot of the prefix, inserting it if absent. */
    int findOrInsert(long h, long l, int length) {
        if (!ipv6) {
            return findOrInsert4(h, length);
        }
        int mask = index.length - 1;
        int i = hash(h, l, length) & mask;
        for (; ; i = (i + 1) & mask) {
            int s = index[i];
            if (s == EMPTY) {
                break;
            }
            if (hi.get(s) == h && lo.get(s) == l && (len.get(s) & 0xFF) == length) {
                return s;
            }
        }
        int slot = newSlot(h, l, length);
        if (size * 2 > index.length) {
            rehash(index.length * 4);
        } else {
            index[i] = slot;
        }
        return slot;
    }

    private int findOrInsert4(long h, int length) {
        int hash = hash4(key4(h, length));
        int fp = hash >>> SLOT_BITS;
        int mask = table4.length - 1;
        int i = hash & mask;
        for (; ; i = (i + 1) & mask) {
            int e = table4[i];
            if (e == EMPTY) {
                break;
            }
            if (e >>> SLOT_BITS == fp && isKey4(e & SLOT_MASK, h, length)) {
                return e & SLOT_MASK;
            }
        }
        if (highWater >= SLOT_MASK && freeCount == 0) {
            throw new IllegalStateException("IPv4 table full: " + size + " prefixes");
        }
        int slot = newSlot(h, 0, length);
        if (size * 2 > table4.length) {
            rehash4(table4.length * 4); // x4: a third of the re-insertions of doubling (the profile's hot spot)
        } else {
            table4[i] = fp << SLOT_BITS | slot;
        }
        return slot;
    }

    private boolean isKey4(int slot, long h, int length) {
        return addr4.get(slot) == (int) h && (len.get(slot) & 0xFF) == length;
    }

    /** The hash of the key in IPv4 slot {@code s}: its home bucket (low bits) and fingerprint (top bits). */
    private int slotHash4(int s) {
        return hash4(key4(hi(s), length(s)));
    }

    private int newSlot(long h, long l, int length) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (highWater == len.capacity()) {
                growKeys(highWater + 1);
            }
            slot = highWater++;
        }
        if (ipv6) {
            hi.set(slot, h);
            lo.set(slot, l);
        } else {
            addr4.set(slot, (int) h);
        }
        len.set(slot, (byte) length);
        size++;
        return slot;
    }

    private void remove4(int slot) {
        int mask = table4.length - 1;
        int i = slotHash4(slot) & mask;
        while ((table4[i] & SLOT_MASK) != slot) {
            i = (i + 1) & mask;
        }
        table4[i] = EMPTY;
        for (int j = (i + 1) & mask; table4[j] != EMPTY; j = (j + 1) & mask) {
            int e = table4[j];
            int home = slotHash4(e & SLOT_MASK) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                table4[i] = e;
                table4[j] = EMPTY;
                i = j;
            }
        }
    }

    private void rehash4(int buckets) {
        table4 = new int[buckets];
        Arrays.fill(table4, EMPTY);
        int mask = buckets - 1;
        for (int s = 0; s < highWater; s++) {
            if (live(s)) {
                int hash = slotHash4(s);
                int i = hash & mask;
                while (table4[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                table4[i] = (hash >>> SLOT_BITS) << SLOT_BITS | s;
            }
        }
    }

    void remove(int slot) {
        if (!ipv6) {
            remove4(slot);
            freeSlot(slot);
            return;
        }
        int mask = index.length - 1;
        int i = hash(hi.get(slot), lo.get(slot), length(slot)) & mask;
        while (index[i] != slot) {
            i = (i + 1) & mask;
        }
        index[i] = EMPTY;
        // Backward-shift deletion (no tombstones).
        for (int j = (i + 1) & mask; index[j] != EMPTY; j = (j + 1) & mask) {
            int s = index[j];
            int home = hash(hi.get(s), lo.get(s), length(s)) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                index[i] = s;
                index[j] = EMPTY;
                i = j;
            }
        }
        freeSlot(slot);
    }

    private void freeSlot(int slot) {
        len.set(slot, FREE);
        size--;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    /**
     * Gives memory back: renumbers the live slots densely from 0 into key arrays of
     * {@code newCapacity} (at least the live count) and rebuilds the index to fit.
     *
     * @return the old slot -> new slot map (-1 for slots not live), covering {@code 0..highWater()}
     */
    int[] compact(int newCapacity) {
        int cap = Math.max(16, Math.max(newCapacity, size));
        int[] map = new int[highWater];
        IntPages naddr4 = ipv6 ? null : new IntPages(cap, 0);
        LongPages nhi = ipv6 ? new LongPages(cap, 0) : null;
        LongPages nlo = ipv6 ? new LongPages(cap, 0) : null;
        BytePages nlen = new BytePages(cap, FREE);
        int n = 0;
        for (int s = 0; s < highWater; s++) {
            if (!live(s)) {
                map[s] = -1;
                continue;
            }
            map[s] = n;
            if (ipv6) {
                nhi.set(n, hi.get(s));
                nlo.set(n, lo.get(s));
            } else {
                naddr4.set(n, addr4.get(s));
            }
            nlen.set(n, len.get(s));
            n++;
        }
        addr4 = naddr4;
        hi = nhi;
        lo = nlo;
        len = nlen;
        highWater = n;
        freeCount = 0;
        free = new int[16];
        int buckets = Integer.highestOneBit(cap * 2 - 1) * 2;
        if (ipv6) {
            rehash(buckets);
        } else {
            rehash4(buckets);
        }
        return map;
    }

    private void growKeys(int cap) {
        if (ipv6) {
            hi.grow(cap);
            lo.grow(cap);
        } else {
            addr4.grow(cap);
        }
        len.grow(cap);
    }

    private void rehash(int cap) {
        index = new int[cap];
        Arrays.fill(index, EMPTY);
        int mask = cap - 1;
        for (int s = 0; s < highWater; s++) {
            if (live(s)) {
                int i = hash(hi.get(s), lo.get(s), length(s)) & mask;
                while (index[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                index[i] = s;
            }
        }
    }
}
