package io.gannet.bgp.rib;

/**
 * Page arithmetic shared by {@link IntPages}, {@link LongPages} and {@link BytePages}: entries
 * {@code i} live at page {@code i >>> SHIFT}, offset {@code i & MASK}.
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
}
