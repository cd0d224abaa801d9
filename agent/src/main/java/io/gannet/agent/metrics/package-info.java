/**
 * Prometheus metrics: {@link io.gannet.agent.metrics.GannetMetrics} owns a micrometer
 * {@code PrometheusMeterRegistry} (JVM, GC, process binders) and adds the routing metrics from
 * an immutable {@link io.gannet.agent.metrics.MetricsSnapshot} that the daemon publishes.
 *
 * <p>Threads: {@link io.gannet.agent.metrics.GannetMetrics#publish} is one volatile write and
 * may be called from any thread, the BGP event loop included; {@link
 * io.gannet.agent.metrics.LatencyHistogram#recordNanos} is a few lock-free atomic adds, meant
 * for the BGP event loop. Everything else, scraping included, runs on the control server's
 * worker threads and never calls into the BGP or BFD loops: a scrape reads the one snapshot
 * reference once, so every series of one scrape comes from the same instant.
 *
 * <p>Why a collector rather than one micrometer gauge per peer and series: peers come and go
 * (dynamic neighbors), and a gauge per (peer, series) would mean registering and removing
 * meters on every change, tens of thousands of meter objects for 1,000 peers, and each gauge
 * reading the snapshot reference at a different moment. The {@link
 * io.gannet.agent.metrics.SnapshotCollector} instead turns one snapshot into Prometheus
 * samples per scrape, through the same registry and the same exposition writer.
 *
 * <p>Names: {@code gannet_*} series, plus the series of czerwonk/bird_exporter (new format)
 * under their own names so that existing BIRD alerts port over; docs/metrics.md maps them.
 */
package io.gannet.agent.metrics;
