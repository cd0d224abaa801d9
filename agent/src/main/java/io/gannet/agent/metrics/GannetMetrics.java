package io.gannet.agent.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.InstantSource;
import java.util.Objects;

/**
 * The daemon's Prometheus metrics: a micrometer {@link PrometheusMeterRegistry} with the JVM,
 * GC and process binders, plus the routing series read from the last published {@link
 * MetricsSnapshot}.
 *
 * <p>Use from the daemon: create one at start, hand {@link #updateLatency()} to the speaker's
 * UPDATE path, {@link #publish} a new snapshot whenever convenient (any thread, one volatile
 * write), give the instance to the control server, which serves {@link #scrape()} at
 * {@code /metrics}; {@link #close()} at shutdown.
 */
public final class GannetMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final LatencyHistogram updateLatency = new LatencyHistogram();
    private volatile MetricsSnapshot current = MetricsSnapshot.EMPTY;

    private GannetMetrics(InstantSource clock, boolean birdCompatible) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        GcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        registry.getPrometheusRegistry().register(new SnapshotCollector(() -> current, updateLatency, clock, birdCompatible));
    }

    /** With the bird_exporter-compatible series (the default: existing BIRD alerts keep working). */
    public static GannetMetrics create(InstantSource clock) {
        return new GannetMetrics(Objects.requireNonNull(clock, "clock"), true);
    }

    /** @param birdCompatible also expose czerwonk/bird_exporter's series names */
    public static GannetMetrics create(InstantSource clock, boolean birdCompatible) {
        return new GannetMetrics(Objects.requireNonNull(clock, "clock"), birdCompatible);
    }

    /** Replaces the routing snapshot; the next scrape reports it. Any thread, never blocks. */
    public void publish(MetricsSnapshot snapshot) {
        current = Objects.requireNonNull(snapshot, "snapshot");
    }

    public MetricsSnapshot current() {
        return current;
    }

    /** UPDATE processing latency, recorded by the speaker (lock-free, no allocation). */
    public LatencyHistogram updateLatency() {
        return updateLatency;
    }

    /** The registry, for the daemon's own micrometer meters (they appear in the same scrape). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition format 0.0.4, as served at {@code /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    /** The same, as UTF-8 bytes written straight from the exposition writer (no String copy of a large scrape). */
    public byte[] scrapeBytes() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64 * 1024);
        try {
            registry.scrape(out, "text/plain; version=0.0.4; charset=utf-8");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        registry.close();
    }
}
