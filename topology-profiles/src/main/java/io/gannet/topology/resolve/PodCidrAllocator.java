package io.gannet.topology.resolve;

import io.gannet.topology.config.Role;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.PodCidrPool;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.validate.Problems;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hands out PodCIDRs to nodes that have no explicit {@code podCIDR}.
 *
 * <p>Rule (deterministic, documented in the schema): explicit PodCIDRs are reserved first;
 * then nodes without one, in inventory order, each take the lowest free block of the pool.
 * Appending nodes at the end of the host list never moves an existing node's block. Removing
 * or reordering nodes can; {@code gannet profile diff} reports such moves, and copying the
 * rendered value into {@code podCIDR} pins a node for good.
 */
final class PodCidrAllocator {
    private final TopologyProfile p;
    private final Problems problems;

    PodCidrAllocator(TopologyProfile p, Problems problems) {
        this.p = p;
        this.problems = problems;
    }

    Map<String, Cidr> allocate() {
        Map<String, Cidr> out = new LinkedHashMap<>();
        PodCidrPool pool = p.podPool();
        boolean poolUsable = pool != null && pool.cidr() != null && pool.prefixLength() != null;
        BitSet taken = new BitSet();
        Map<Cidr, String> explicit = new HashMap<>();
        for (HostSpec h : p.hosts()) {
            if (h.role() != Role.NODE || h.podCidr() == null || h.name() == null) {
                continue;
            }
            Cidr c = h.podCidr().value();
            for (Map.Entry<Cidr, String> e : explicit.entrySet()) {
                if (e.getKey().overlaps(c)) {
                    problems.error(h.podCidr().at(), "PodCIDR " + c + " of host " + h.name() + " overlaps PodCIDR " + e.getKey() + " of host " + e.getValue());
                }
            }
            explicit.put(c, h.name());
            out.put(h.name(), c);
            if (poolUsable && pool.cidr().contains(c) && c.length() == pool.prefixLength()) {
                taken.set((int) pool.cidr().indexOf(c));
            }
        }
        if (!poolUsable || pool.fromStore()) {
            return out; // store mode: each node claims its block at run time (pod-routing's PodCidrClaim)
        }
        long blocks = pool.cidr().subnetCount(pool.prefixLength());
        int next = 0;
        for (HostSpec h : p.hosts()) {
            if (h.role() != Role.NODE || h.podCidr() != null || h.name() == null) {
                continue;
            }
            next = taken.nextClearBit(next);
            if (next >= blocks) {
                problems.error(h.source().location(), "PodCIDR pool " + pool.cidr() + " has no free /" + pool.prefixLength()
                        + " left for host " + h.name() + " (" + blocks + " blocks)");
                continue;
            }
            taken.set(next);
            out.put(h.name(), pool.cidr().subnet(next, pool.prefixLength()));
        }
        return out;
    }
}
