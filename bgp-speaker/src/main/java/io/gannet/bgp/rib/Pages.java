package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * Page arithmetic and growth shared by {@link IntPages}, {@link LongPages}, {@link ShortPages} and
 * {@link BytePages}: entries {@code i} live at page {@code i >>> SHIFT}, offset {@code i & MASK}.
 * Each keeps its own typed {@code get}/{@code set} (the hot path); growth, which is rare, is here.
 */
final class Pages {
    /** 16,384 entries a page: 64 KiB of ints, so a million slots are 64 pages. */
    static final int SHIFT = 14;
    static final int SIZE = 1 << SHIFT;
    static final int MASK = SIZE - 1;

    private Pages() {}

    /** The single first page's next size: doubling from {@code capacity}, at least {@code min}, at most a page. */
    static int smallCapacity(int capacity, int min) {
        return Math.min(SIZE, Math.max(min, Math.max(16, capacity * 2)));
    }

    /** Pages needed for {@code min} entries. */
    static int pagesFor(int min) {
        return (int) (((long) min + MASK) >>> SHIFT);
    }

    /** Sets entries {@code from} to {@code to} (exclusive) of a new page of type {@code A} to the fill value. */
    interface Filler<A> {
        void fill(A page, int from, int to);
    }

    /**
     * {@code pages} (holding {@code capacity} entries) grown to at least {@code min}: below one page
     * by doubling its only page, past it by adding whole pages, so a table of a million entries
     * never holds an old and a new copy of itself and leaves no discarded array for the collector
     * (growth by doubling left about as much garbage as the table itself in the old generation).
     */
    static <A> A[] grow(A[] pages, int capacity, int min, java.util.function.IntFunction<A> create, Filler<A> filler) {
        if (min <= capacity) {
            return pages;
        }
        if (min <= SIZE) {
            int cap = smallCapacity(capacity, min);
            A page = create.apply(cap);
            if (capacity > 0) {
                System.arraycopy(pages[0], 0, page, 0, capacity);
            }
            filler.fill(page, capacity, cap);
            A[] out = Arrays.copyOf(pages, 1);
            out[0] = page;
            return out;
        }
        A[] out = grow(pages, capacity, SIZE, create, filler);
        int n = pagesFor(min);
        int had = out.length;
        out = Arrays.copyOf(out, n);
        for (int k = had; k < n; k++) {
            out[k] = create.apply(SIZE);
            filler.fill(out[k], 0, SIZE);
        }
        return out;
    }

    /** The entries {@code pages} holds: its only page's length, else whole pages. */
    static int capacity(Object[] pages) {
        return pages.length == 1 ? java.lang.reflect.Array.getLength(pages[0]) : pages.length * SIZE;
    }
}
