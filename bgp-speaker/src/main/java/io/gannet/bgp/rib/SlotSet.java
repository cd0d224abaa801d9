package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * A set of Loc-RIB prefix slots ({@link FamilyRib}) of one peer and family, one bit a slot. Two
 * uses:
 * <ul>
 *   <li>the prefixes the peer announces now, before import policy: what "prefixes received"
 *       counts (the pre-policy Adj-RIB-In's size, as FRR's PfxRcd and BIRD's imported +
 *       filtered). A prefix that import policy refuses still gets a slot; the RIB keeps a slot
 *       alive while any peer's bit is set ({@code Rib.releaseEmptied});</li>
 *   <li>the prefixes advertised to the peer (its Adj-RIB-Out): what the exporter must withdraw
 *       when the prefix stops being exportable. The attributes sent are not kept; they are what
 *       export gives the Loc-RIB's best path, which the exporter computes again when asked.</li>
 * </ul>
 * The importer and exporter already hold the slot of every prefix, so marking it costs one bit
 * operation and no hash lookup, and a million prefixes cost 128 KiB per peer (a hash set of the
 * prefixes took 18 MiB; an attribute id per slot, 4 MiB). {@link RibCompactor} carries the bits
 * over when it renumbers. Loop thread only.
 */
final class SlotSet {
    private static final long[] NONE = new long[0];

    private long[] bits = NONE;
    private int size;

    int size() {
        return size;
    }

    boolean contains(int slot) {
        int w = slot >>> 6;
        return w < bits.length && (bits[w] & 1L << slot) != 0;
    }

    /** Marks the slot; true if it was not marked. */
    boolean add(int slot) {
        int w = slot >>> 6;
        if (w >= bits.length) {
            bits = Arrays.copyOf(bits, Math.max(w + 1, bits.length * 2));
        }
        long b = bits[w];
        long m = 1L << slot;
        if ((b & m) != 0) {
            return false;
        }
        bits[w] = b | m;
        size++;
        return true;
    }

    /** Unmarks the slot; true if it was marked. */
    boolean remove(int slot) {
        int w = slot >>> 6;
        if (w >= bits.length) {
            return false;
        }
        long b = bits[w];
        long m = 1L << slot;
        if ((b & m) == 0) {
            return false;
        }
        bits[w] = b & ~m;
        size--;
        return true;
    }

    /** The first marked slot at or after {@code from}, or -1. */
    int next(int from) {
        int w = from >>> 6;
        if (w >= bits.length) {
            return -1;
        }
        long b = bits[w] & -1L << from;
        while (true) {
            if (b != 0) {
                return w * 64 + Long.numberOfTrailingZeros(b);
            }
            if (++w == bits.length) {
                return -1;
            }
            b = bits[w];
        }
    }

    /** The bytes its bit array holds. */
    long footprintBytes() {
        return 8L * bits.length;
    }

    /** Forgets everything and gives the memory back (the session ended). */
    void clear() {
        size = 0;
        bits = NONE;
    }

    /** Moves the marks to the slot numbers of a compaction ({@code map}: old slot -> new, -1 if gone). */
    void remap(int[] map) {
        if (size == 0) {
            return;
        }
        long[] out = NONE;
        int n = 0;
        for (int s = next(0); s >= 0 && s < map.length; s = next(s + 1)) {
            int t = map[s];
            if (t >= 0) {
                int w = t >>> 6;
                if (w >= out.length) {
                    out = Arrays.copyOf(out, Math.max(w + 1, out.length * 2));
                }
                out[w] |= 1L << t;
                n++;
            }
        }
        bits = out;
        size = n;
    }
}
