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
        if (min <= capacity) {
            return;
        }
        if (min <= Pages.SIZE) {
            int cap = Pages.smallCapacity(capacity, min);
            long[] page = pages.length == 0 ? new long[cap] : Arrays.copyOf(pages[0], cap);
            Arrays.fill(page, capacity, cap, fill);
            pages = new long[][] {page};
            capacity = cap;
            return;
        }
        grow(Pages.SIZE);
        int n = Pages.pagesFor(min);
        int had = pages.length;
        pages = Arrays.copyOf(pages, n);
        for (int k = had; k < n; k++) {
            pages[k] = new long[Pages.SIZE];
            if (fill != 0) {
                Arrays.fill(pages[k], fill);
            }
        }
        capacity = n * Pages.SIZE;
    }
}
