package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * Maps a prefix (given as primitives) to a dense slot index, with no object per prefix: keys
 * live in parallel primitive arrays and an open-addressing index (linear probing) points into
 * them. Slots freed by {@link #remove} are reused, so per-slot arrays elsewhere (best path,
 * Adj-RIB-Out) stay dense.
 *
 * <p>IPv4 keys use only {@code hi} (the address bits) and keep no {@code lo} array.
 *
 * <p>Threading: owned by the RIB's loop; no locking.
 */
final class PrefixTable {
    private static final int EMPTY = -1;

    private final boolean ipv6;
    private long[] hi;
    private long[] lo;
    private byte[] len;
    private int[] index;        // hash slot -> key slot, EMPTY when unused
    private int[] free = new int[16];
    private int freeCount;
    private int highWater;      // slots ever used
    private int size;
    private boolean[] live;

    PrefixTable(boolean ipv6, int initialCapacity) {
        this.ipv6 = ipv6;
        int cap = Math.max(16, initialCapacity);
        hi = new long[cap];
        lo = ipv6 ? new long[cap] : null;
        len = new byte[cap];
        live = new boolean[cap];
        index = new int[Integer.highestOneBit(cap * 2 - 1) * 2];
        Arrays.fill(index, EMPTY);
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
        return hi.length;
    }

    boolean live(int slot) {
        return live[slot];
    }

    long hi(int slot) {
        return hi[slot];
    }

    long lo(int slot) {
        return ipv6 ? lo[slot] : 0;
    }

    int length(int slot) {
        return len[slot] & 0xFF;
    }

    private static int hash(long h, long l, int length) {
        long x = h * 0x9E3779B97F4A7C15L ^ l * 0xC2B2AE3D27D4EB4FL ^ length * 0x165667B19E3779F9L;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (int) (x ^ (x >>> 32));
    }

    int find(long h, long l, int length) {
        int mask = index.length - 1;
        for (int i = hash(h, l, length) & mask; ; i = (i + 1) & mask) {
            int s = index[i];
            if (s == EMPTY) {
                return -1;
            }
            if (hi[s] == h && (len[s] & 0xFF) == length && (!ipv6 || lo[s] == l)) {
                return s;
            }
        }
    }

    /** The slot of the prefix, inserting it if absent. */
    int findOrInsert(long h, long l, int length) {
        int mask = index.length - 1;
        int i = hash(h, l, length) & mask;
        for (; ; i = (i + 1) & mask) {
            int s = index[i];
            if (s == EMPTY) {
                break;
            }
            if (hi[s] == h && (len[s] & 0xFF) == length && (!ipv6 || lo[s] == l)) {
                return s;
            }
        }
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (highWater == hi.length) {
                growKeys(hi.length * 2);
            }
            slot = highWater++;
        }
        hi[slot] = h;
        if (ipv6) {
            lo[slot] = l;
        }
        len[slot] = (byte) length;
        live[slot] = true;
        size++;
        if (size * 2 > index.length) {
            rehash(index.length * 2);
        } else {
            index[i] = slot;
        }
        return slot;
    }

    void remove(int slot) {
        int mask = index.length - 1;
        int i = hash(hi[slot], ipv6 ? lo[slot] : 0, len[slot] & 0xFF) & mask;
        while (index[i] != slot) {
            i = (i + 1) & mask;
        }
        index[i] = EMPTY;
        // Backward-shift deletion (no tombstones).
        for (int j = (i + 1) & mask; index[j] != EMPTY; j = (j + 1) & mask) {
            int s = index[j];
            int home = hash(hi[s], ipv6 ? lo[s] : 0, len[s] & 0xFF) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                index[i] = s;
                index[j] = EMPTY;
                i = j;
            }
        }
        live[slot] = false;
        size--;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    private void growKeys(int cap) {
        hi = Arrays.copyOf(hi, cap);
        if (ipv6) {
            lo = Arrays.copyOf(lo, cap);
        }
        len = Arrays.copyOf(len, cap);
        live = Arrays.copyOf(live, cap);
    }

    private void rehash(int cap) {
        index = new int[cap];
        Arrays.fill(index, EMPTY);
        int mask = cap - 1;
        for (int s = 0; s < highWater; s++) {
            if (live[s]) {
                int i = hash(hi[s], ipv6 ? lo[s] : 0, len[s] & 0xFF) & mask;
                while (index[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                index[i] = s;
            }
        }
    }
}
