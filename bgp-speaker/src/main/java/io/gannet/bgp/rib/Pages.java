package io.gannet.bgp.rib;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Page arithmetic and growth shared by {@link IntPages}, {@link LongPages} and {@link BytePages}:
 * entry {@code i} lives at page {@code i >>> SHIFT}, offset {@code i & MASK}. Below one page the
 * only page doubles; past it whole pages are added and nothing is copied but the page table.
 */
final class Pages {
    /** 16,384 entries a page: 64 KiB of ints, so a million slots are 64 pages. */
    static final int SHIFT = 14;
    static final int SIZE = 1 << SHIFT;
    static final int MASK = SIZE - 1;

    /** Fills {@code page[from..to)} with the array's fill value. */
    interface Fill<P> {
        void fill(P page, int from, int to);
    }

    private Pages() {}

    /**
     * The page table grown to at least {@code min} entries from {@code capacity}; new entries
     * hold the fill value. {@code pages} of a primitive type: {@code int[][]}, {@code long[][]}...
     */
    static <P> P[] grown(P[] pages, int capacity, int min, IntFunction<P> newPage, Fill<P> fill) {
        if (min <= capacity) {
            return pages;
        }
        if (capacity < SIZE) {
            int cap = Math.min(SIZE, Math.max(min, Math.max(16, capacity * 2)));
            P page = newPage.apply(cap);
            if (pages.length > 0) {
                System.arraycopy(pages[0], 0, page, 0, capacity);
            }
            fill.fill(page, capacity, cap);
            pages = Arrays.copyOf(pages, 1);
            pages[0] = page;
            capacity = cap;
            if (min <= capacity) {
                return pages;
            }
        }
        int had = pages.length;
        P[] out = Arrays.copyOf(pages, (int) (((long) min + MASK) >>> SHIFT));
        for (int k = had; k < out.length; k++) {
            out[k] = newPage.apply(SIZE);
            fill.fill(out[k], 0, SIZE);
        }
        return out;
    }

    /** The entries a page table holds: its only page's length, or whole pages. */
    static int capacity(Object[] pages) {
        return pages.length == 1 ? Array.getLength(pages[0]) : pages.length * SIZE;
    }
}
