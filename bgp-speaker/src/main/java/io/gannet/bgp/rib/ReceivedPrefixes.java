package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * The prefixes one peer currently announces in one family, before import policy: what
 * "prefixes received" counts (the pre-policy Adj-RIB-In's size, as FRR's PfxRcd and BIRD's
 * imported + filtered). A re-sent prefix is not counted twice; a withdrawn one leaves.
 *
 * <p>Open addressing with linear probing and backward-shift deletion over primitive arrays:
 * nothing is allocated per prefix, and it does not depend on the RIB's slot numbering, which
 * changes when tables are compacted. An IPv4 prefix is one {@code long} (address << 8 |
 * length); IPv6 keeps the two address halves and the length in parallel arrays.
 * Loop thread only.
 */
final class ReceivedPrefixes {
    private static final int MIN_CAPACITY = 16;

    private final boolean ipv6;
    private long[] hi;
    private long[] lo;
    /** Length + 1 per slot; 0 marks a free slot. */
    private byte[] len;
    private int size;

    ReceivedPrefixes(boolean ipv6) {
        this.ipv6 = ipv6;
        allocate(MIN_CAPACITY);
    }

    int size() {
        return size;
    }

    /** Adds the prefix; true if it was not there. */
    boolean add(long h, long l, int length) {
        if ((size + 1) * 4 > len.length * 3) {
            rehash(len.length * 2);
        }
        long kh = ipv6 ? h : (h << 8) | length;
        long kl = ipv6 ? l : 0;
        int mask = len.length - 1;
        for (int i = index(kh, kl, length, mask); ; i = (i + 1) & mask) {
            if (len[i] == 0) {
                hi[i] = kh;
                if (ipv6) {
                    lo[i] = kl;
                }
                len[i] = (byte) (length + 1);
                size++;
                return true;
            }
            if (matches(i, kh, kl, length)) {
                return false;
            }
        }
    }

    /** Removes the prefix; true if it was there. */
    boolean remove(long h, long l, int length) {
        long kh = ipv6 ? h : (h << 8) | length;
        long kl = ipv6 ? l : 0;
        int mask = len.length - 1;
        int i = index(kh, kl, length, mask);
        while (len[i] != 0) {
            if (matches(i, kh, kl, length)) {
                shiftBack(i, mask);
                size--;
                if (size * 8 < len.length && len.length > MIN_CAPACITY) {
                    rehash(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size * 2)) * 2));
                }
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    /** Forgets everything and gives the memory back (the session ended). */
    void clear() {
        size = 0;
        allocate(MIN_CAPACITY);
    }

    private boolean matches(int i, long kh, long kl, int length) {
        return hi[i] == kh && (!ipv6 || (lo[i] == kl && lengthAt(i) == length));
    }

    /** The stored length (kept + 1 so 0 marks a free slot; /128 + 1 needs the unsigned byte). */
    private int lengthAt(int i) {
        return (len[i] & 0xFF) - 1;
    }

    /** Backward-shift deletion: keeps every key reachable from its home slot without tombstones. */
    private void shiftBack(int free, int mask) {
        int i = free;
        while (true) {
            i = (i + 1) & mask;
            if (len[i] == 0) {
                break;
            }
            int home = index(hi[i], ipv6 ? lo[i] : 0, lengthAt(i), mask);
            // Move the entry at i into the hole unless its home lies cyclically in (free, i].
            boolean homeBetween = free <= i ? (home > free && home <= i) : (home > free || home <= i);
            if (!homeBetween) {
                hi[free] = hi[i];
                if (ipv6) {
                    lo[free] = lo[i];
                }
                len[free] = len[i];
                free = i;
            }
        }
        len[free] = 0;
    }

    private int index(long kh, long kl, int length, int mask) {
        long x = kh * 0x9E3779B97F4A7C15L ^ kl * 0xC2B2AE3D27D4EB4FL ^ length;
        x ^= x >>> 29;
        return (int) (x ^ (x >>> 32)) & mask;
    }

    private void rehash(int capacity) {
        long[] oldHi = hi;
        long[] oldLo = lo;
        byte[] oldLen = len;
        allocate(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < oldLen.length; j++) {
            if (oldLen[j] == 0) {
                continue;
            }
            long kl = ipv6 ? oldLo[j] : 0;
            int i = index(oldHi[j], kl, (oldLen[j] & 0xFF) - 1, mask);
            while (len[i] != 0) {
                i = (i + 1) & mask;
            }
            hi[i] = oldHi[j];
            if (ipv6) {
                lo[i] = kl;
            }
            len[i] = oldLen[j];
        }
    }

    private void allocate(int capacity) {
        hi = new long[capacity];
        lo = ipv6 ? new long[capacity] : null;
        len = new byte[capacity];
        Arrays.fill(len, (byte) 0);
    }
}
