package io.gannet.bpf.lb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016, section 3.4): a pure function from
 * a backend set to a lookup table of size M (prime). Each backend walks its own permutation
 * of the table (offset + j * skip) and claims the next free entry in turn, so every backend
 * gets M/N entries within one, and removing one backend moves few other flows.
 *
 * <p>The table depends only on the backends' names (address:port), not their input order,
 * so every host computes the same table: what the ECMP L4LB needs.
 */
public final class Maglev {
    private Maglev() {}

    /**
     * Builds the table. {@code ids[i]} is the value stored for {@code backends.get(i)}; an
     * empty backend list gives a table of zeros (no backend).
     */
    public static int[] table(List<Backend> backends, int[] ids, int m) {
        int[] weights = new int[backends.size()];
        Arrays.fill(weights, 1);
        return table(backends, ids, weights, m);
    }

    /**
     * Builds a weighted table: in every round each backend claims {@code weights[i]} entries
     * (Cilium's and Katran's approach), so its share of the table is proportional to its
     * weight. Weight 0 takes no entries (a draining backend); all weights 0 gives zeros.
     * {@code m} must be prime (the permutations then cover every entry).
     */
    public static int[] table(List<Backend> backends, int[] ids, int[] weights, int m) {
        if (ids.length != backends.size() || weights.length != backends.size()) {
            throw new IllegalArgumentException("one id and one weight per backend");
        }
        int[] table = new int[m];
        int n = backends.size();
        Integer[] order = new Integer[n];
        int active = 0;
        for (int i = 0; i < n; i++) {
            if (weights[i] < 0) {
                throw new IllegalArgumentException("negative weight for " + backends.get(i));
            }
            if (weights[i] > 0) {
                order[active++] = i;
            }
        }
        if (active == 0) {
            return table;
        }
        order = Arrays.copyOf(order, active);
        Arrays.sort(order, Comparator.comparing(i -> backends.get(i)));
        byte[][] names = new byte[active][];
        int[] orderedIds = new int[active];
        int[] orderedWeights = new int[active];
        for (int k = 0; k < active; k++) {
            names[k] = backends.get(order[k]).toString().getBytes(StandardCharsets.US_ASCII);
            orderedIds[k] = ids[order[k]];
            orderedWeights[k] = weights[order[k]];
        }
        return fill(names, orderedIds, orderedWeights, m);
    }

    /**
     * Builds a weighted table over permutations named by {@code names} (each an entry's
     * permutation seed, hashed as given), filled in the order given: what {@link #table} does
     * after sorting the backends by address and port and naming each by its address:port. The
     * ECMP L4LB names its agreed slots this way (a slot keeps the name of the backend it was made
     * for after that backend leaves). Every weight must be positive.
     */
    public static int[] fill(byte[][] names, int[] ids, int[] weights, int m) {
        int active = names.length;
        if (ids.length != active || weights.length != active) {
            throw new IllegalArgumentException("one id and one weight per name");
        }
        int[] table = new int[m];
        if (active == 0) {
            return table;
        }
        long[] pos = new long[active];
        long[] skip = new long[active];
        for (int k = 0; k < active; k++) {
            if (weights[k] <= 0) {
                throw new IllegalArgumentException("weight " + weights[k] + " of permutation " + k + " is not positive");
            }
            pos[k] = Long.remainderUnsigned(hash(names[k], 0x9e3779b97f4a7c15L), m);
            skip[k] = Long.remainderUnsigned(hash(names[k], 0xc2b2ae3d27d4eb4fL), m - 1) + 1;
        }
        boolean[] filled = new boolean[m];
        int done = 0;
        while (true) {
            for (int k = 0; k < active; k++) {
                int id = ids[k];
                for (int turn = weights[k]; turn > 0; turn--) {
                    // walk backend k's permutation (offset + j * skip) mod m to its next free entry
                    long c = pos[k];
                    while (filled[(int) c]) {
                        c += skip[k];
                        if (c >= m) {
                            c -= m;
                        }
                    }
                    filled[(int) c] = true;
                    table[(int) c] = id;
                    c += skip[k];
                    pos[k] = c >= m ? c - m : c;
                    if (++done == m) {
                        return table;
                    }
                }
            }
        }
    }

    /** FNV-1a 64 with a seed, then a murmur3 finalizer: stable across JVMs and hosts. */
    public static long hash(byte[] data, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The murmur3 64-bit finalizer: every input bit flips about half the output bits. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** How many entries each id holds, for tests and diagnostics. */
    public static List<int[]> counts(int[] table, int[] ids) {
        List<int[]> out = new ArrayList<>();
        for (int id : ids) {
            int c = 0;
            for (int v : table) {
                if (v == id) {
                    c++;
                }
            }
            out.add(new int[] {id, c});
        }
        return out;
    }
}
