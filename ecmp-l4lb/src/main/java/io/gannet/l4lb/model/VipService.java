package io.gannet.l4lb.model;

import io.gannet.bpf.lb.Frontend;
import java.util.List;

/**
 * One load-balanced frontend: a VIP address, port and protocol with its backends (sorted by
 * address and port) and how their health is checked.
 *
 * @param name     namespace/service:port-name, for display and logs
 * @param frontend VIP, port, protocol
 * @param backends ready endpoints of the Service's EndpointSlices with their weights
 * @param check    the Service's health check (annotations, TCP connect by default)
 */
public record VipService(String name, Frontend frontend, List<WeightedBackend> backends, HealthCheckSpec check) {
    public VipService {
        backends = backends.stream().distinct().sorted().toList();
    }
}
