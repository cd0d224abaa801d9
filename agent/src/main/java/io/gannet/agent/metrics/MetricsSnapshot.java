package io.gannet.agent.metrics;

import java.util.List;

/**
 * Everything the routing metrics report, frozen at one instant. The daemon builds one on its
 * owner thread (for example once a second, or after a batch of events) and hands it to
 * {@link GannetMetrics#publish}; it is never modified afterwards.
 */
public record MetricsSnapshot(List<PeerMetrics> peers, List<RibSize> ribs, List<BfdMetrics> bfd) {
    public static final MetricsSnapshot EMPTY = new MetricsSnapshot(List.of(), List.of(), List.of());

    public MetricsSnapshot {
        peers = List.copyOf(peers);
        ribs = List.copyOf(ribs);
        bfd = List.copyOf(bfd);
    }
}
