package io.gannet.bpf.lb;

import java.util.Arrays;
import java.util.List;

/**
 * A Maglev lookup table its caller computed (the ECMP L4LB's health-aware table), to be
 * programmed as it is instead of {@link Maglev#table} over the service's backends and weights.
 * {@code entries[i]} is a 1-based index into {@code backends} (0: no backend); the reconciler
 * turns the indexes into the datapath's backend IDs. Every backend an entry names must be one
 * of the service's backends (it needs a backend ID); {@code backends} may name more (they are
 * ignored), and {@code entries} must hold exactly the datapath's table size.
 *
 * <p>Immutable: the entries are copied in and out; equality compares contents.
 */
public record MaglevTable(List<Backend> backends, int[] entries) {
    public MaglevTable {
        backends = List.copyOf(backends);
        entries = entries.clone();
        for (int e : entries) {
            if (e < 0 || e > backends.size()) {
                throw new IllegalArgumentException("Maglev table entry " + e + " names none of " + backends.size() + " backends");
            }
        }
    }

    /** A copy of the entries. */
    @Override
    public int[] entries() {
        return entries.clone();
    }

    /** Entries of the table. */
    public int size() {
        return entries.length;
    }

    /** Throws unless every backend an entry names is one of {@code members} (the service's backends). */
    void requireNamedIn(java.util.Set<Backend> members, String service) {
        boolean[] named = new boolean[backends.size()];
        for (int e : entries) {
            if (e != 0) {
                named[e - 1] = true;
            }
        }
        for (int i = 0; i < named.length; i++) {
            if (named[i] && !members.contains(backends.get(i))) {
                throw new IllegalArgumentException(service + ": its Maglev table names " + backends.get(i)
                        + ", which is not one of its backends");
            }
        }
    }

    /** The table with each entry's backend replaced by its ID ({@code idOf}; checked by {@link #requireNamedIn}). */
    int[] toIds(java.util.function.Function<Backend, Integer> idOf) {
        int[] ids = new int[backends.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = idOf.apply(backends.get(i));
            ids[i] = id == null ? 0 : id;
        }
        int[] out = new int[entries.length];
        for (int i = 0; i < entries.length; i++) {
            int e = entries[i];
            out[i] = e == 0 ? 0 : ids[e - 1];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof MaglevTable t && backends.equals(t.backends) && Arrays.equals(entries, t.entries);
    }

    @Override
    public int hashCode() {
        return 31 * backends.hashCode() + Arrays.hashCode(entries);
    }

    @Override
    public String toString() {
        return "MaglevTable[" + entries.length + " entries over " + backends.size() + " backends]";
    }
}
