package io.gannet.bgp.session;

import io.gannet.bgp.wire.MessageType;

/** Mutable per-type counters owned by one session (event loop only, so no atomics). */
final class MessageCounters {
    private final long[] byType = new long[MessageType.MAX_KNOWN + 1];

    void count(int type) {
        if (type >= 0 && type < byType.length) {
            byType[type]++;
        }
    }

    /** Adds another session's counts: a peer's counters span its sessions. */
    void addAll(MessageCounters other) {
        for (int i = 0; i < byType.length; i++) {
            byType[i] += other.byType[i];
        }
    }

    MessageCounts snapshot() {
        return new MessageCounts(byType[MessageType.OPEN], byType[MessageType.UPDATE], byType[MessageType.NOTIFICATION],
                byType[MessageType.KEEPALIVE], byType[MessageType.ROUTE_REFRESH]);
    }
}
