package io.gannet.netpolicy.identity;

import io.gannet.netpolicy.model.Labels;

/**
 * Turns a label set into its security identity: the same number on every host for the same
 * labels. The cluster-wide implementation allocates through the cluster state store (one
 * transaction per new label set, so two hosts never give one set two numbers); tests and a
 * single host use {@link LocalIdentityAllocator}.
 */
public interface IdentityAllocator {
    /** The identity of {@code labels}, allocating one if the set is new. */
    int allocate(Labels labels);

    /** Drops this host's reference; the number may be reused once no host holds the set. */
    void release(Labels labels);
}
