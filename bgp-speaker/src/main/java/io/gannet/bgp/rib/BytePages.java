package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * A growable {@code byte} array in fixed pages: {@link IntPages} for bytes (no copy, and no
 * garbage, when it grows past its first page).
 *
 * <p>Threading: owned by the RIB's loop; no locking.
 */
final class BytePages {
    private final byte fill;
    private byte[][] pages;
    private int capacity;

    /** An array of at least {@code capacity} entries, each {@code fill}. */
    BytePages(int capacity, byte fill) {
        this.fill = fill;
        this.pages = new byte[0][];
        grow(Math.max(1, capacity));
    }

    int capacity() {
        return capacity;
    }

    byte get(int i) {
        return pages[i >>> Pages.SHIFT][i & Pages.MASK];
    }

    void set(int i, byte v) {
        pages[i >>> Pages.SHIFT][i & Pages.MASK] = v;
    }

    /** Grows to at least {@code min} entries; new entries hold the fill value. */
    void grow(int min) {
        if (min > capacity) {
            pages = Pages.grow(pages, capacity, min, byte[]::new, (page, from, to) -> Arrays.fill(page, from, to, fill));
            capacity = Pages.capacity(pages);
        }
    }
}
