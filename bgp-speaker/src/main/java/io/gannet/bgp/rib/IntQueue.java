package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * A FIFO of distinct small ints (prefix slots waiting to be sent to one peer): an array plus a
 * bit set that drops duplicates, so a prefix that changes ten times before the peer's socket
 * drains is sent once, with its latest state. Owned by the RIB's loop.
 */
final class IntQueue {
    private int[] items = new int[64];
    private int head;
    private int tail;
    private long[] queued = new long[2];

    boolean isEmpty() {
        return head == tail;
    }

    int size() {
        return tail - head;
    }

    void add(int v) {
        int w = v >>> 6;
        if (w >= queued.length) {
            queued = Arrays.copyOf(queued, Math.max(w + 1, queued.length * 2));
        }
        long bit = 1L << v;
        if ((queued[w] & bit) != 0) {
            return;
        }
        queued[w] |= bit;
        if (tail == items.length) {
            if (head > items.length / 2) {
                System.arraycopy(items, head, items, 0, tail - head);
                tail -= head;
                head = 0;
            } else {
                items = Arrays.copyOf(items, items.length * 2);
            }
        }
        items[tail++] = v;
    }

    int poll() {
        int v = items[head++];
        queued[v >>> 6] &= ~(1L << v);
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return v;
    }

    /** Drops the arrays grown for a large burst (only when empty; the queue stays usable). */
    void shrink() {
        if (isEmpty() && items.length > 64) {
            items = new int[64];
            queued = new long[2];
            head = 0;
            tail = 0;
        }
    }

    void clear() {
        head = 0;
        tail = 0;
        Arrays.fill(queued, 0);
    }
}
