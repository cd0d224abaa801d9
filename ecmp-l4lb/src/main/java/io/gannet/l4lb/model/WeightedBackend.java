package io.gannet.l4lb.model;

import io.gannet.bpf.lb.Backend;

/** A backend of a VIP with its Maglev weight (1 unless the Service says otherwise; 0 = drained). */
public record WeightedBackend(Backend backend, int weight) implements Comparable<WeightedBackend> {
    public WeightedBackend {
        if (weight < 0 || weight > 1000) {
            throw new IllegalArgumentException("weight " + weight + " of " + backend + " is not 0-1000");
        }
    }

    /** Backends sort by address and port: the stable key every host orders the table by. */
    @Override
    public int compareTo(WeightedBackend o) {
        return backend.compareTo(o.backend);
    }
}
