package io.gannet.topology.resolve;

import io.gannet.topology.config.Role;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.Located;
import io.gannet.topology.model.PodCidrPool;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.validate.Problems;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands out PodCIDRs to nodes that have no explicit {@code podCIDR}.
 *
 * <p>Rule (deterministic, documented in the schema): explicit PodCIDRs are reserved first;
 * then nodes without one, in inventory order, each take the lowest free block of the pool, for
 * each pool (a dual-stack profile has an IPv4 and an IPv6 pool).
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

    /** Each node's PodCIDRs, one per pool (family), IPv4 first; store-mode pools are left to run time. */
    Map<String, List<Cidr>> allocate() {
        Map<String, List<Cidr>> out = new LinkedHashMap<>();
        allocate(true, out);
        allocate(false, out);
        return out;
    }

    private void allocate(boolean ipv4, Map<String, List<Cidr>> out) {
        PodCidrPool pool = p.podPool(ipv4);
        boolean poolUsable = pool != null && pool.cidr() != null && pool.prefixLength() != null;
        BitSet taken = new BitSet();
        Map<Cidr, String> explicit = new HashMap<>();
        for (HostSpec h : p.hosts()) {
            if (h.role() != Role.NODE || h.podCidr(ipv4) == null || h.name() == null) {
                continue;
            }
            Located<Cidr> pinned = h.podCidr(ipv4);
            Cidr c = pinned.value();
            for (Map.Entry<Cidr, String> e : explicit.entrySet()) {
                if (e.getKey().overlaps(c)) {
                    problems.error(pinned.at(), "PodCIDR " + c + " of host " + h.name() + " overlaps PodCIDR " + e.getKey() + " of host " + e.getValue());
                }
            }
            explicit.put(c, h.name());
            out.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(c);
            if (poolUsable && pool.cidr().contains(c) && c.length() == pool.prefixLength()) {
                taken.set((int) pool.cidr().indexOf(c));
            }
        }
        if (!poolUsable || pool.fromStore()) {
            return; // store mode: each node claims its block at run time (pod-routing's PodCidrClaim)
        }
        long blocks = pool.cidr().subnetCount(pool.prefixLength());
        int next = 0;
        for (HostSpec h : p.hosts()) {
            if (h.role() != Role.NODE || h.podCidr(ipv4) != null || h.name() == null) {
                continue;
            }
            next = taken.nextClearBit(next);
            if (next >= blocks) {
                problems.error(h.source().location(), "PodCIDR pool " + pool.cidr() + " has no free /" + pool.prefixLength()
                        + " left for host " + h.name() + " (" + blocks + " blocks)");
                continue;
            }
            taken.set(next);
            out.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(pool.cidr().subnet(next, pool.prefixLength()));
        }
    }
}
