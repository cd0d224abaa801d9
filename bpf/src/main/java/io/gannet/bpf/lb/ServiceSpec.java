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
 * <p>An IPv6 frontend takes IPv6 backends and is translated for pods only (lib/lb6.h): it
 * cannot be external, a node port, restricted by source ranges or have session affinity.
 * Backends are always of the frontend's family.
 */
public record ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
        int affinityTimeoutSeconds, Map<Backend, Integer> weights, Access access, MaglevTable maglevTable) {
    /**
     * @param nodePort     the frontend is a node port on one of this node's addresses (lib/nodeport.h)
     * @param snat         externalTrafficPolicy Cluster on a node port: flows from host devices are
     *                     SNATed to the node address (false: Local, the client's address is kept)
     * @param sourceRanges loadBalancerSourceRanges: only these sources reach the frontend (empty: all)
     */
    public record Access(boolean nodePort, boolean snat, List<SourceRange> sourceRanges) {
        public static final Access OPEN = new Access(false, false, List.of());

        public Access {
            sourceRanges = List.copyOf(sourceRanges);
            if (snat && !nodePort) {
                throw new IllegalArgumentException("SNAT is for node ports");
            }
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
        if (frontend.ipv6() && (external || affinityTimeoutSeconds > 0 || access.nodePort() || !access.sourceRanges().isEmpty())) {
            throw new IllegalArgumentException(name + ": IPv6 frontend " + frontend + " is translated for pods only (lib/lb6.h):"
                    + " no external frontends, node ports, source ranges or session affinity");
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
