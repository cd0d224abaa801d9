package io.gannet.bgp.rib;

import io.gannet.bgp.wire.AddressFamily;
import java.util.Arrays;

/**
 * The Loc-RIB of one address family: the prefix table plus, per prefix slot, the head of its
 * path list, the selected best path, the ECMP set size and the reason the best path won.
 * Per-peer Adj-RIB-Out arrays are indexed by the same slots.
 *
 * <p>Threading: owned by the RIB's loop.
 */
final class FamilyRib {
    final AddressFamily family;
    final PrefixTable prefixes;
    int[] head;
    int[] best;
    byte[] multipath;
    byte[] reason;

    FamilyRib(AddressFamily family, int capacity) {
        this.family = family;
        this.prefixes = new PrefixTable(!family.isIpv4(), capacity);
        head = new int[prefixes.capacity()];
        best = new int[prefixes.capacity()];
        multipath = new byte[prefixes.capacity()];
        reason = new byte[prefixes.capacity()];
        Arrays.fill(head, -1);
        Arrays.fill(best, -1);
    }

    /** The slot of a prefix, created empty when absent. */
    int slot(long hi, long lo, int length) {
        int s = prefixes.findOrInsert(hi, lo, length);
        if (s >= head.length) {
            int cap = prefixes.capacity();
            int old = head.length;
            head = Arrays.copyOf(head, cap);
            best = Arrays.copyOf(best, cap);
            multipath = Arrays.copyOf(multipath, cap);
            reason = Arrays.copyOf(reason, cap);
            Arrays.fill(head, old, cap, -1);
            Arrays.fill(best, old, cap, -1);
        }
        return s;
    }

    /**
     * Renumbers the live slots densely into arrays of {@code newCapacity} (see
     * {@link PrefixTable#compact}); the caller remaps every other per-slot array with the result.
     */
    int[] compact(int newCapacity) {
        int[] map = prefixes.compact(newCapacity);
        int cap = prefixes.capacity();
        int[] nhead = new int[cap];
        int[] nbest = new int[cap];
        byte[] nmultipath = new byte[cap];
        byte[] nreason = new byte[cap];
        Arrays.fill(nhead, -1);
        Arrays.fill(nbest, -1);
        for (int s = 0; s < map.length; s++) {
            int t = map[s];
            if (t >= 0) {
                nhead[t] = head[s];
                nbest[t] = best[s];
                nmultipath[t] = multipath[s];
                nreason[t] = reason[s];
            }
        }
        head = nhead;
        best = nbest;
        multipath = nmultipath;
        reason = nreason;
        return map;
    }

    /** Removes a prefix whose path list became empty. */
    void release(int slot) {
        head[slot] = -1;
        best[slot] = -1;
        multipath[slot] = 0;
        reason[slot] = 0;
        prefixes.remove(slot);
    }
}
