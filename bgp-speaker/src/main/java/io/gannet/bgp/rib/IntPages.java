package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * A growable {@code int} array kept in fixed pages of {@link Pages#SIZE} entries. Past its first
 * page it grows by adding pages and copies nothing, so a table of a million slots never holds an
 * old and a new copy of itself at once, and leaves no discarded array behind for the collector
 * (growth by doubling left about as much garbage as the table itself in the old generation, all
 * of it counted in the process's peak RSS). Below one page it grows by doubling its only page, so
 * a small RIB stays small.
 *
 * <p>Threading: owned by the RIB's loop; no locking.
 */
final class IntPages {
    private final int fill;
    private int[][] pages;
    private int capacity;

    /** An array of at least {@code capacity} entries, each {@code fill}. */
    IntPages(int capacity, int fill) {
        this.fill = fill;
        this.pages = new int[0][];
        grow(Math.max(1, capacity));
    }

    int capacity() {
        return capacity;
    }

    int get(int i) {
        return pages[i >>> Pages.SHIFT][i & Pages.MASK];
    }

    void set(int i, int v) {
        pages[i >>> Pages.SHIFT][i & Pages.MASK] = v;
    }

    /** Entry {@code i} of {@code pages}, or 0 when there is no such array or entry (a per-peer array not yet grown). */
    static int at(IntPages pages, int i) {
        return pages == null || i >= pages.capacity ? 0 : pages.get(i);
    }

    /** Grows to at least {@code min} entries; new entries hold the fill value. */
    void grow(int min) {
        if (min > capacity) {
            pages = Pages.grow(pages, capacity, min, int[]::new, (page, from, to) -> Arrays.fill(page, from, to, fill));
            capacity = Pages.capacity(pages);
        }
    }
}
