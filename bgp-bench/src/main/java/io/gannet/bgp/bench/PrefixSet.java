package io.gannet.bgp.bench;

import java.util.Arrays;

/**
 * A set of IPv4 prefixes as primitive longs ({@code address << 8 | length}) in one open-addressed
 * array with linear probing and backward-shift deletion: no object per prefix, about 16 bytes
 * per prefix at the load factor kept here. One owner thread.
 */
final class PrefixSet {
    private static final long EMPTY = -1L; // no real key: lengths stop at 32
    private long[] table;
    private int size;

    PrefixSet(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
        table = new long[cap];
        Arrays.fill(table, EMPTY);
    }

    static long key(int address, int length) {
        return (address & 0xFFFFFFFFL) << 8 | length;
    }

    int size() {
        return size;
    }

    /** True when the prefix was not in the set. */
    boolean add(long key) {
        if ((size + 1) * 2 > table.length) {
            grow();
        }
        int mask = table.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = table[i];
            if (k == EMPTY) {
                table[i] = key;
                size++;
                return true;
            }
            if (k == key) {
                return false;
            }
        }
    }

    /** True when the prefix was in the set. */
    boolean remove(long key) {
        int mask = table.length - 1;
        int i = slot(key, mask);
        while (true) {
            long k = table[i];
            if (k == EMPTY) {
                return false;
            }
            if (k == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        int hole = i;
        for (int j = (hole + 1) & mask; table[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(table[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                table[hole] = table[j];
                hole = j;
            }
        }
        table[hole] = EMPTY;
        size--;
        return true;
    }

    boolean contains(long key) {
        int mask = table.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = table[i];
            if (k == EMPTY) {
                return false;
            }
            if (k == key) {
                return true;
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        Arrays.fill(table, EMPTY);
        size = 0;
        for (long k : old) {
            if (k != EMPTY) {
                add(k);
            }
        }
    }
}
