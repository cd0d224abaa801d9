package io.gannet.bgp.rib;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The prefix slots waiting to be sent to one peer (or to be released): a set of distinct small
 * ints, served in slot order from a cursor that moves on and wraps. A prefix that changes ten
 * times before the peer's socket drains is sent once, with its latest state, and a slot added
 * behind the cursor waits at most one pass.
 *
 * <p>One bit per slot and one summary bit per 64 slots, nothing else: a million queued prefixes
 * cost 128 KiB per peer, where a FIFO of ints cost 4 MiB and as much again in the copies it left
 * behind while growing (issue 10: ten peers' queues were 5.5 MiB of a 10 x 100k run's heap).
 * Slots are given out in the order prefixes arrive, so slot order is arrival order for a table
 * that is being sent, and the exporter groups equal attribute sets within each chunk anyway.
 * A poll skips empty stretches 4,096 slots at a time.
 *
 * <p>Owned by the RIB's loop.
 */
final class SlotQueue {
    private static final long[] NONE = new long[0];

    /** Bit {@code s}: slot s is queued. */
    private long[] bits = NONE;
    /** Bit {@code w}: {@code bits[w]} is not zero. */
    private long[] words = NONE;
    private int size;
    /** The slot the next poll starts from. */
    private int cursor;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    boolean contains(int v) {
        int w = v >>> 6;
        return w < bits.length && (bits[w] & 1L << v) != 0;
    }

    void add(int v) {
        int w = v >>> 6;
        if (w >= bits.length) {
            grow(w);
        }
        long bit = 1L << v;
        long b = bits[w];
        if ((b & bit) != 0) {
            return;
        }
        bits[w] = b | bit;
        words[w >>> 6] |= 1L << w;
        size++;
    }

    /** The first queued slot at or after the cursor, else the first from 0; removed. */
    int poll() {
        if (size == 0) {
            throw new NoSuchElementException("no slot queued");
        }
        int v = nextFrom(cursor);
        if (v < 0) {
            v = nextFrom(0);
        }
        int w = v >>> 6;
        long b = bits[w] & ~(1L << v);
        bits[w] = b;
        if (b == 0) {
            words[w >>> 6] &= ~(1L << w);
        }
        size--;
        cursor = size == 0 ? 0 : v + 1;
        return v;
    }

    /** The first queued slot at or after {@code from}, or -1. */
    private int nextFrom(int from) {
        int w = from >>> 6;
        if (w >= bits.length) {
            return -1;
        }
        long b = bits[w] & (-1L << from); // the shift counts from & 63: bits at or after from
        if (b != 0) {
            return (w << 6) + Long.numberOfTrailingZeros(b);
        }
        int next = w + 1;
        int s = next >>> 6;
        if (s >= words.length) {
            return -1;
        }
        long m = words[s] & (-1L << next);
        while (m == 0) {
            if (++s >= words.length) {
                return -1;
            }
            m = words[s];
        }
        int word = (s << 6) + Long.numberOfTrailingZeros(m);
        return (word << 6) + Long.numberOfTrailingZeros(bits[word]);
    }

    private void grow(int w) {
        bits = Arrays.copyOf(bits, Math.max(w + 1, bits.length * 2));
        words = Arrays.copyOf(words, (bits.length + 63) >>> 6);
    }

    /** Drops the bit sets grown for a large table (only when empty; the queue stays usable). */
    void shrink() {
        if (size == 0 && bits.length > 2) {
            bits = NONE;
            words = NONE;
            cursor = 0;
        }
    }

    void clear() {
        Arrays.fill(bits, 0);
        Arrays.fill(words, 0);
        size = 0;
        cursor = 0;
    }

    /** Bytes held by the bit sets (tests: what a queue costs). */
    long footprintBytes() {
        return 8L * (bits.length + words.length);
    }
}
