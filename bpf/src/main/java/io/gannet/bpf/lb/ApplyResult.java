package io.gannet.bpf.lb;

/** Counts of what one reconciliation changed; all zero when the maps already matched. */
public record ApplyResult(int servicesAdded, int servicesUpdated, int servicesRemoved, int backendsAdded,
        int backendsRemoved) {
    public boolean changed() {
        return servicesAdded + servicesUpdated + servicesRemoved + backendsAdded + backendsRemoved > 0;
    }
}
