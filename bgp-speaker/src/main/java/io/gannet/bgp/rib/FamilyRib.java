package io.gannet.bgp.rib;

import io.gannet.bgp.wire.AddressFamily;

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
    IntPages head;
    IntPages best;
    BytePages multipath;
    BytePages reason;

    FamilyRib(AddressFamily family, int capacity) {
        this.family = family;
        this.prefixes = new PrefixTable(!family.isIpv4(), capacity);
        head = new IntPages(prefixes.capacity(), -1);
        best = new IntPages(prefixes.capacity(), -1);
        multipath = new BytePages(prefixes.capacity(), (byte) 0);
        reason = new BytePages(prefixes.capacity(), (byte) 0);
    }

    /** The slot of a prefix, created empty when absent. */
    int slot(long hi, long lo, int length) {
        int s = prefixes.findOrInsert(hi, lo, length);
        if (s >= head.capacity()) {
            int cap = prefixes.capacity();
            head.grow(cap);
            best.grow(cap);
            multipath.grow(cap);
            reason.grow(cap);
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
        IntPages nhead = new IntPages(cap, -1);
        IntPages nbest = new IntPages(cap, -1);
        BytePages nmultipath = new BytePages(cap, (byte) 0);
        BytePages nreason = new BytePages(cap, (byte) 0);
        for (int s = 0; s < map.length; s++) {
            int t = map[s];
            if (t >= 0) {
                nhead.set(t, head.get(s));
                nbest.set(t, best.get(s));
                nmultipath.set(t, multipath.get(s));
                nreason.set(t, reason.get(s));
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
        head.set(slot, -1);
        best.set(slot, -1);
        multipath.set(slot, (byte) 0);
        reason.set(slot, (byte) 0);
        prefixes.remove(slot);
    }
}
