package io.gannet.netpolicy.pods;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.WatchEvent;
import io.gannet.cluster.store.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Watches every node's published pods ({@value PublishedPod#PREFIX}), as changes. */
public final class PublishedPods {
    /**
     * A change to the published pods of other nodes: with {@code resync}, {@code upserts} is the
     * whole set (replace what you have); otherwise pods added or changed, and the store keys of
     * pods removed. {@code problems}: store values that do not read (never applied).
     */
    public record Change(boolean resync, List<PublishedPod> upserts, List<String> removed, List<String> problems) {}

    private PublishedPods() {}

    /**
     * Watches the prefix; {@code onChange} gets each change to the pods of every node but
     * {@code self}, first a resync (called on the store's watch thread: never block in it).
     */
    public static AutoCloseable watch(ClusterStore store, String self, Consumer<Change> onChange) {
        return store.watch(PublishedPod.PREFIX, new WatchListener() {
            @Override
            public void onResync(List<KeyValue> all, long revision) {
                List<PublishedPod> pods = new ArrayList<>();
                List<String> problems = new ArrayList<>();
                for (KeyValue kv : all) {
                    read(kv, self, problems).ifPresent(pods::add);
                }
                onChange.accept(new Change(true, List.copyOf(pods), List.of(), List.copyOf(problems)));
            }

            @Override
            public void onEvents(List<WatchEvent> events) {
                List<PublishedPod> upserts = new ArrayList<>();
                List<String> removed = new ArrayList<>();
                List<String> problems = new ArrayList<>();
                for (WatchEvent ev : events) {
                    if (ev.type() == WatchEvent.Type.PUT) {
                        Optional<PublishedPod> p = read(ev.kv(), self, problems);
                        if (p.isPresent()) {
                            upserts.add(p.get());
                        } else if (!ev.kv().key().startsWith(PublishedPod.PREFIX + self + "/")) {
                            removed.add(ev.kv().key()); // a value that no longer reads replaces one that did
                        }
                    } else if (!ev.kv().key().startsWith(PublishedPod.PREFIX + self + "/")) {
                        removed.add(ev.kv().key());
                    }
                }
                if (!upserts.isEmpty() || !removed.isEmpty() || !problems.isEmpty()) {
                    onChange.accept(new Change(false, List.copyOf(upserts), List.copyOf(removed), List.copyOf(problems)));
                }
            }
        });
    }

    private static Optional<PublishedPod> read(KeyValue kv, String self, List<String> problems) {
        StringBuilder problem = new StringBuilder();
        Optional<PublishedPod> p = PublishedPod.fromStore(kv.key(), kv.text(), problem);
        if (p.isEmpty()) {
            problems.add(problem + " (not applied)");
            return Optional.empty();
        }
        return p.get().node().equals(self) ? Optional.empty() : p;
    }
}
