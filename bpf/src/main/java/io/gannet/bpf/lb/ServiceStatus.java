package io.gannet.bpf.lb;

import java.util.List;

/** What the maps hold for one frontend, for {@code gannet show services}. */
public record ServiceStatus(String name, Frontend frontend, boolean external, ServiceSpec.Algorithm algorithm,
        int revNatIndex, List<Backend> backends, int affinityTimeoutSeconds) {
    public int backendCount() {
        return backends.size();
    }
}
