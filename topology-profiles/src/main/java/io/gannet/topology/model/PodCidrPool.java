package io.gannet.topology.model;

import io.gannet.topology.net.Cidr;
import io.gannet.topology.yaml.Location;

/**
 * {@code spec.podCIDRPool}: where PodCIDRs come from and how long each one is (24 or 25), and
 * who hands out blocks to hosts without an explicit {@code podCIDR}: the profile (in inventory
 * order) or the cluster store (a transaction per node at {@code gannet run}).
 */
public record PodCidrPool(Cidr cidr, Integer prefixLength, Allocation allocation, int leaseSeconds, Location at, Location cidrAt, Location lengthAt) {
    /** Default {@code podCIDRPool.leaseSeconds}: a node gone for longer loses a store-allocated block. */
    public static final int DEFAULT_LEASE_SECONDS = 600;

    /** {@code podCIDRPool.allocation}. */
    public enum Allocation { PROFILE, STORE }

    public boolean fromStore() {
        return allocation == Allocation.STORE;
    }
}
