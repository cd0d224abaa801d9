package io.gannet.bgp.rib;

/**
 * Gives the {@link Rib}'s memory back: per-slot and per-path arrays grow (by pages) and would
 * otherwise stay at their peak after the peers that filled them leave. The RIB decides when
 * (a while after a peer left, or {@link Rib#trim}); this class decides whether and does it.
 * Runs on the speaker loop.
 */
final class RibCompactor {
    /** Tables at most this large are never compacted (their initial size). */
    private static final int COMPACT_MIN = 1024;
    /** Compact when fewer than 1/COMPACT_BELOW of a table's entries are in use. */
    private static final int COMPACT_BELOW = 4;

    private final FamilyRib[] ribs;
    private final PathStore paths;
    private final SlotQueue[] emptied;

    RibCompactor(FamilyRib[] ribs, PathStore paths, SlotQueue[] emptied) {
        this.ribs = ribs;
        this.paths = paths;
        this.emptied = emptied;
    }

    /** Whether some table uses under a quarter of its capacity. */
    boolean mostlyEmpty() {
        for (FamilyRib r : ribs) {
            int cap = r.prefixes.capacity();
            if (cap > COMPACT_MIN && r.prefixes.size() < cap / COMPACT_BELOW) {
                return true;
            }
        }
        int cap = paths.capacity();
        return cap > COMPACT_MIN && paths.size() < cap / COMPACT_BELOW;
    }

    /**
     * Compacts every table that is mostly empty (its peers gone, stale routes flushed). The RIB
     * calls it only once no peer has anything queued, every emptied slot is freed and no export
     * is in progress, so slot numbers are held nowhere but in the arrays remapped here. Below a
     * quarter of capacity the arrays are cut to twice the live count, so a table that refills
     * grows back by pages.
     */
    void compactIfMostlyEmpty(PeerState[] peers, int peerCount) {
        for (int i = 0; i < peerCount; i++) {
            if (!peers[i].pending[0].isEmpty() || !peers[i].pending[1].isEmpty()) {
                return; // queued slot numbers would go stale
            }
        }
        for (int f = 0; f < PeerState.FAMILIES; f++) {
            FamilyRib r = ribs[f];
            int cap = r.prefixes.capacity();
            if (cap > COMPACT_MIN && r.prefixes.size() < cap / COMPACT_BELOW) {
                int[] map = r.compact(Math.max(COMPACT_MIN, r.prefixes.size() * 2));
                int newCap = r.prefixes.capacity();
                for (int i = 0; i < peerCount; i++) {
                    PeerState p = peers[i];
                    p.adjOut[f].remap(map);
                    p.adjInRaw[f] = remapSlots(p.adjInRaw[f], map, newCap);
                    p.receivedPrefixes[f].remap(map);
                    p.pending[f].shrink();
                }
                emptied[f].shrink();
            }
        }
        int cap = paths.capacity();
        if (cap > COMPACT_MIN && paths.size() < cap / COMPACT_BELOW) {
            int[] map = paths.compact(Math.max(COMPACT_MIN, paths.size() * 2));
            for (FamilyRib r : ribs) {
                for (int s = 0; s < r.prefixes.highWater(); s++) {
                    if (r.head.get(s) >= 0) {
                        r.head.set(s, map[r.head.get(s)]);
                    }
                    if (r.best.get(s) >= 0) {
                        r.best.set(s, map[r.best.get(s)]);
                    }
                }
            }
        }
    }

    /** A per-slot attribute-id array moved to the compacted slot numbers (ids of dead slots are 0). */
    private static IntPages remapSlots(IntPages a, int[] map, int capacity) {
        if (a == null) {
            return null;
        }
        IntPages out = new IntPages(capacity, 0);
        for (int s = 0, n = Math.min(a.capacity(), map.length); s < n; s++) {
            if (a.get(s) != 0 && map[s] >= 0) {
                out.set(map[s], a.get(s));
            }
        }
        return out;
    }
}
