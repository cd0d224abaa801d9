package io.gannet.bpf.lb;

import java.util.List;
import java.util.Map;

/**
 * Desired state of one frontend: its name (namespace/name:port-name, for display), the
 * frontend, whether it is an externalIP (also translated on host devices), how new flows
 * pick a backend, and the ready backends.
 */
public record ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
        Map<Backend, Integer> weights) {
    /** How a new flow picks its backend. */
    public enum Algorithm {
        /** bpf_get_prandom_u32() over the backend slots (default). */
        RANDOM,
        /** The service's precomputed Maglev table: every host picks the same backend for a flow. */
        MAGLEV,
    }

    /** Every backend with weight 1. */
    public ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends) {
        this(name, frontend, external, algorithm, backends, Map.of());
    }

    /**
     * {@code weights}: Maglev weight per backend (missing = 1; 0 = in the slots but not in the
     * Maglev table, e.g. draining). Only Maglev services use weights.
     */
    public ServiceSpec {
        backends = List.copyOf(backends);
        weights = Map.copyOf(weights);
        if (backends.size() > 65535) {
            throw new IllegalArgumentException(name + ": more than 65535 backends");
        }
    }
}
