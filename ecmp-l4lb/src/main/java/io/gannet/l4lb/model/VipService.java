package io.gannet.l4lb.model;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One load-balanced frontend: a VIP address, port and protocol with its backends (sorted by
 * address and port), their readiness, and how their health is checked.
 *
 * <p>{@code backends} is every endpoint of the Service's EndpointSlices, ready or not: the set
 * Maglev is built over, the same on every LB host. Readiness only decides which of them take
 * new flows ({@link #serving()}), so an endpoint failing its readiness probe moves only its own
 * table entries, as a failed health check does, and not the 1/N of the others' that removing it
 * from the Maglev set would.
 *
 * @param name      namespace/service:port-name, for display and logs
 * @param frontend  VIP, port, protocol
 * @param backends  every endpoint of the Service's EndpointSlices (of the VIP's family) with its weight
 * @param check     the Service's health check (annotations, TCP connect by default)
 * @param readiness each backend's readiness; a backend not in the map is ready
 */
public record VipService(String name, Frontend frontend, List<WeightedBackend> backends, HealthCheckSpec check,
        Map<Backend, Readiness> readiness) {
    public VipService {
        backends = backends.stream().distinct().sorted().toList();
        readiness = Map.copyOf(readiness);
    }

    /** A frontend whose backends are all ready. */
    public VipService(String name, Frontend frontend, List<WeightedBackend> backends, HealthCheckSpec check) {
        this(name, frontend, backends, check, Map.of());
    }

    /** The readiness of one of {@link #backends()}. */
    public Readiness readinessOf(Backend b) {
        return readiness.getOrDefault(b, Readiness.READY);
    }

    /**
     * The backends that may take new flows as far as readiness goes (health checks decide on top):
     * the ready ones; when none is ready, the terminating ones still serving (kube-proxy's
     * fallback, KEP-1669); otherwise none.
     */
    public Set<Backend> serving() {
        return serving(b -> true);
    }

    /**
     * The backends that take new flows: the ready ones that are {@code up} (pass their health
     * check); when none is, the terminating ones still serving that are up. A Service whose ready
     * endpoints all fail the L4LB's checks is served by its terminating ones rather than withdrawn,
     * as kube-proxy falls back when none is ready.
     */
    public Set<Backend> serving(Predicate<Backend> up) {
        Set<Backend> out = pick(Readiness.READY, up);
        return out.isEmpty() ? pick(Readiness.TERMINATING_SERVING, up) : out;
    }

    private Set<Backend> pick(Readiness r, Predicate<Backend> up) {
        Set<Backend> out = new LinkedHashSet<>();
        for (WeightedBackend b : backends) {
            if (readinessOf(b.backend()) == r && up.test(b.backend())) {
                out.add(b.backend());
            }
        }
        return out;
    }

    /** True when the terminating endpoints serve because none is ready. */
    public boolean terminatingFallback() {
        return backends.stream().noneMatch(b -> readinessOf(b.backend()) == Readiness.READY) && !serving().isEmpty();
    }
}
