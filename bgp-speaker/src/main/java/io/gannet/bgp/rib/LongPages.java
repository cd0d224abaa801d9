package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * A growable {@code long} array in fixed pages: {@link IntPages} for longs (no copy, and no
 * garbage, when it grows past its first page).
 *
 * <p>Threading: owned by the RIB's loop; no locking.
 */
final class LongPages {
    private final long fill;
    private long[][] pages;
    private int capacity;

    /** An array of at least {@code capacity} entries, each {@code fill}. */
    LongPages(int capacity, long fill) {
        this.fill = fill;
        this.pages = new long[0][];
        grow(Math.max(1, capacity));
    }

    int capacity() {
        return capacity;
    }

    long get(int i) {
        return pages[i >>> Pages.SHIFT][i & Pages.MASK];
    }

    void set(int i, long v) {
        pages[i >>> Pages.SHIFT][i & Pages.MASK] = v;
    }

    /** Grows to at least {@code min} entries; new entries hold the fill value. */
    void grow(int min) {
        if (min > capacity) {
            pages = Pages.grow(pages, capacity, min, long[]::new, (page, from, to) -> Arrays.fill(page, from, to, fill));
            capacity = Pages.capacity(pages);
        }
    }
}
