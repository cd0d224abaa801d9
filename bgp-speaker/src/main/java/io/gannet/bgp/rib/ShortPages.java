package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * A growable {@code short} array in fixed pages: {@link IntPages} for 16-bit values (no copy, and no
 * garbage, when it grows past its first page).
 *
 * <p>Threading: owned by the RIB's loop; no locking.
 */
final class ShortPages {
    private final short fill;
    private short[][] pages;
    private int capacity;

    /** An array of at least {@code capacity} entries, each {@code fill}. */
    ShortPages(int capacity, short fill) {
        this.fill = fill;
        this.pages = new short[0][];
        grow(Math.max(1, capacity));
    }

    int capacity() {
        return capacity;
    }

    int get(int i) {
        return pages[i >>> Pages.SHIFT][i & Pages.MASK];
    }

    void set(int i, int v) {
        pages[i >>> Pages.SHIFT][i & Pages.MASK] = (short) v;
    }

    /** Grows to at least {@code min} entries; new entries hold the fill value. */
    void grow(int min) {
        if (min > capacity) {
            pages = Pages.grow(pages, capacity, min, short[]::new, (page, from, to) -> Arrays.fill(page, from, to, fill));
            capacity = Pages.capacity(pages);
        }
    }
}
