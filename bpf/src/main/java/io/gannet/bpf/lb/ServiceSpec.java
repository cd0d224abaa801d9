package io.gannet.bpf.lb;

import java.util.List;
import java.util.Map;

/**
 * Desired state of one frontend: its name (namespace/name:port-name, for display), the
 * frontend, whether it is external (also translated on host devices), how new flows pick a
 * backend, the ready backends, the sessionAffinity ClientIP timeout in seconds (0: none),
 * who may reach it how ({@link Access}), and for a Maglev frontend optionally the table its
 * caller computed ({@link MaglevTable}; null: {@link Maglev#table} over the backends and weights).
 *
 * <p>An external IPv4 frontend (externalIP, load-balancer IP) with externalTrafficPolicy Cluster
 * is SNATed on host devices to the node IPv4 address its {@link Access#snatSource4()} names
 * (lib/nodeport.h); a node port to its own address.
 *
 * <p>An IPv6 frontend takes IPv6 backends (lib/lb6.h): translated for pods, and when external
 * (externalIPs, load-balancer IPs, node ports on node IPv6 addresses) on host devices, SNATed
 * to a node IPv6 address with externalTrafficPolicy Cluster (lib/nodeport6.h). Backends and
 * source ranges are always of the frontend's family.
 */
public record ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
        int affinityTimeoutSeconds, Map<Backend, Integer> weights, Access access, MaglevTable maglevTable) {
    /**
     * @param nodePort     the frontend is a node port on one of this node's addresses (lib/nodeport.h)
     * @param snat         externalTrafficPolicy Cluster on a node port or an external frontend
     *                     (externalIP, load-balancer IP): flows from host devices are SNATed to a
     *                     node address (false: Local, the client's address is kept)
     * @param sourceRanges loadBalancerSourceRanges: only these sources reach the frontend (empty: all)
     * @param snatSource6  IPv6 frontends with {@code snat}: the node IPv6 address their flows leave
     *                     with (lib/nodeport6.h); a node port's defaults to its own address
     * @param snatSource4  IPv4 external frontends with {@code snat} that are not node ports: the node
     *                     IPv4 address their flows leave with (lib/nodeport.h, dp_snat4_src); 0 for
     *                     none. An IPv4 node port leaves from its own address and takes none.
     */
    public record Access(boolean nodePort, boolean snat, List<SourceRange> sourceRanges, Ipv6 snatSource6, int snatSource4) {
        public static final Access OPEN = new Access(false, false, List.of());

        public Access {
            sourceRanges = List.copyOf(sourceRanges);
            if (snat && !nodePort && snatSource6 == null && snatSource4 == 0) {
                throw new IllegalArgumentException("SNAT is for node ports, and external frontends with a node address");
            }
            if ((snatSource6 != null || snatSource4 != 0) && !snat) {
                throw new IllegalArgumentException("a SNAT source without SNAT");
            }
            if (snatSource6 != null && snatSource4 != 0) {
                throw new IllegalArgumentException("a SNAT source of each family: a frontend has one family");
            }
            if (snatSource4 != 0 && nodePort) {
                throw new IllegalArgumentException("an IPv4 node port SNATs to its own address and takes no SNAT source");
            }
        }

        public Access(boolean nodePort, boolean snat, List<SourceRange> sourceRanges) {
            this(nodePort, snat, sourceRanges, null, 0);
        }

        public Access(boolean nodePort, boolean snat, List<SourceRange> sourceRanges, Ipv6 snatSource6) {
            this(nodePort, snat, sourceRanges, snatSource6, 0);
        }

        /** An IPv6 external frontend's access with externalTrafficPolicy Cluster: SNAT to {@code node}. */
        public static Access snatTo(boolean nodePort, Ipv6 node) {
            return new Access(nodePort, true, List.of(), node);
        }

        /**
         * An IPv4 externalIP's or load-balancer IP's access with externalTrafficPolicy Cluster and
         * these source ranges: SNAT to the node address {@code node} ({@link Ipv4} form, not 0).
         */
        public static Access snatTo4(int node, List<SourceRange> sourceRanges) {
            if (node == 0) {
                throw new IllegalArgumentException("0.0.0.0 is no node address to SNAT to");
            }
            return new Access(false, true, sourceRanges, null, node);
        }
    }

    /** Without a precomputed Maglev table. */
    public ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
            int affinityTimeoutSeconds, Map<Backend, Integer> weights, Access access) {
        this(name, frontend, external, algorithm, backends, affinityTimeoutSeconds, weights, access, null);
    }

    public ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
            int affinityTimeoutSeconds, Map<Backend, Integer> weights) {
        this(name, frontend, external, algorithm, backends, affinityTimeoutSeconds, weights, Access.OPEN);
    }

    /** How a new flow picks its backend. */
    public enum Algorithm {
        /** bpf_get_prandom_u32() over the backend slots (default). */
        RANDOM,
        /** The service's precomputed Maglev table: every host picks the same backend for a flow. */
        MAGLEV,
    }

    /** Without session affinity; every backend with weight 1. */
    public ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends) {
        this(name, frontend, external, algorithm, backends, 0, Map.of());
    }

    /** With a sessionAffinity ClientIP timeout (0: none); every backend with weight 1. */
    public ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
            int affinityTimeoutSeconds) {
        this(name, frontend, external, algorithm, backends, affinityTimeoutSeconds, Map.of());
    }

    /**
     * Without session affinity. {@code weights}: Maglev weight per backend (missing = 1; 0 = in
     * the slots but not in the Maglev table, e.g. draining). Only Maglev services use weights.
     */
    public ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
            Map<Backend, Integer> weights) {
        this(name, frontend, external, algorithm, backends, 0, weights);
    }

    public ServiceSpec {
        if (affinityTimeoutSeconds < 0) {
            throw new IllegalArgumentException(name + ": negative affinity timeout");
        }
        backends = List.copyOf(backends);
        weights = Map.copyOf(weights);
        if (access == null) {
            access = Access.OPEN;
        }
        if (backends.size() > 65535) {
            throw new IllegalArgumentException(name + ": more than 65535 backends");
        }
        for (Backend b : backends) {
            if (b.ipv6() != frontend.ipv6()) {
                throw new IllegalArgumentException(name + ": backend " + b + " is not of frontend " + frontend + "'s family");
            }
        }
        if (maglevTable != null && algorithm != Algorithm.MAGLEV) {
            throw new IllegalArgumentException(name + ": a precomputed Maglev table needs the MAGLEV algorithm");
        }
        for (SourceRange r : access.sourceRanges()) {
            if (r.ipv6() != frontend.ipv6()) {
                throw new IllegalArgumentException(name + ": source range " + r + " is not of frontend " + frontend + "'s family");
            }
        }
        if (frontend.ipv6() && (access.nodePort() || access.snat()) && !external) {
            throw new IllegalArgumentException(name + ": IPv6 node ports and SNATed frontends are external");
        }
        if (!frontend.ipv6() && access.snatSource6() != null) {
            throw new IllegalArgumentException(name + ": an IPv4 frontend takes an IPv4 SNAT source");
        }
        if (frontend.ipv6() && access.snatSource4() != 0) {
            throw new IllegalArgumentException(name + ": an IPv6 frontend takes an IPv6 SNAT source");
        }
        if (access.snatSource4() != 0 && !external) {
            throw new IllegalArgumentException(name + ": SNATed frontends are external");
        }
        if (frontend.ipv6() && access.snat() && access.snatSource6() == null) {
            access = Access.snatTo(true, frontend.addr6()); // a node port: its own node address
        }
    }

    /**
     * This spec with the Maglev table its caller computed (the reconciler programs it as it is:
     * every backend an entry names must be one of {@link #backends()}).
     */
    public ServiceSpec withMaglevTable(MaglevTable table) {
        return new ServiceSpec(name, frontend, external, algorithm, backends, affinityTimeoutSeconds, weights, access, table);
    }
}
