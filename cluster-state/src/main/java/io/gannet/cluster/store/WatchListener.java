package io.gannet.cluster.store;

import java.util.List;

/**
 * Receives a watch's news, list-then-watch style: first (and after any gap the store cannot
 * bridge: a reconnect past etcd's compaction, a change made by another process to the file
 * store) the whole current state under the prefix, then changes in revision order.
 *
 * <p>Calls come one at a time from the store's watch thread; never block in them.
 */
public interface WatchListener {
    /** The complete state under the prefix at {@code revision}; replace whatever you held. */
    void onResync(List<KeyValue> current, long revision);

    /** Changes, in revision order. */
    void onEvents(List<WatchEvent> events);

    /** The store became unreachable (the watch resumes by itself, then resyncs or continues). */
    default void onDisconnected(String why) {}
}
