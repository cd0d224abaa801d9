package io.gannet.bpf.lb;

import java.util.List;
import java.util.Map;

/**
 * Desired state of one frontend: its name (namespace/name:port-name, for display), the
 * frontend, whether it is external (also translated on host devices), how new flows pick a
 * backend, the ready backends, the sessionAffinity ClientIP timeout in seconds (0: none), and
 * who may reach it how ({@link Access}).
 */
public record ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
        int affinityTimeoutSeconds, Map<Backend, Integer> weights, Access access) {
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
    }
}
