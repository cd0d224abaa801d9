package io.gannet.bpf.lb;

import java.util.List;

/**
 * Desired state of one frontend: its name (namespace/name:port-name, for display), the
 * frontend, whether it is external (also translated on host devices), how new flows pick a
 * backend, the ready backends, and the sessionAffinity ClientIP timeout in seconds (0: none).
 */
public record ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends,
        int affinityTimeoutSeconds) {
    /** How a new flow picks its backend. */
    public enum Algorithm {
        /** bpf_get_prandom_u32() over the backend slots (default). */
        RANDOM,
        /** The service's precomputed Maglev table: every host picks the same backend for a flow. */
        MAGLEV,
    }

    /** Without session affinity. */
    public ServiceSpec(String name, Frontend frontend, boolean external, Algorithm algorithm, List<Backend> backends) {
        this(name, frontend, external, algorithm, backends, 0);
    }

    public ServiceSpec {
        if (affinityTimeoutSeconds < 0) {
            throw new IllegalArgumentException(name + ": negative affinity timeout");
        }
        backends = List.copyOf(backends);
        if (backends.size() > 65535) {
            throw new IllegalArgumentException(name + ": more than 65535 backends");
        }
    }
}
