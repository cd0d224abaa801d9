package io.gannet.bgp.rib;

import java.util.Arrays;

/** A small open-addressing long -> int map for per-drain caches; no boxing. Owned by the RIB's loop. */
final class LongIntMap {
    private long[] keys = new long[64];
    private int[] values = new int[64];
    private boolean[] used = new boolean[64];
    private int size;

    private static int slot(long k, int mask) {
        long x = k * 0x9E3779B97F4A7C15L;
        return (int) (x ^ (x >>> 32)) & mask;
    }

    /** The value for {@code k}, or {@code missing}. */
    int get(long k, int missing) {
        int mask = keys.length - 1;
        for (int i = slot(k, mask); used[i]; i = (i + 1) & mask) {
            if (keys[i] == k) {
                return values[i];
            }
        }
        return missing;
    }

    void put(long k, int v) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(k, mask);
        while (used[i]) {
            if (keys[i] == k) {
                values[i] = v;
                return;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = k;
        values[i] = v;
        size++;
    }

    int size() {
        return size;
    }

    void clear() {
        if (size > 0) {
            Arrays.fill(used, false);
            size = 0;
        }
    }

    private void grow() {
        long[] ok = keys;
        int[] ov = values;
        boolean[] ou = used;
        keys = new long[ok.length * 2];
        values = new int[ok.length * 2];
        used = new boolean[ok.length * 2];
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ou[i]) {
                put(ok[i], ov[i]);
            }
        }
    }
}
