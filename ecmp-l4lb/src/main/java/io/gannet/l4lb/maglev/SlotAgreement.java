package io.gannet.l4lb.maglev;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.Txn;
import io.gannet.cluster.store.WatchEvent;
import io.gannet.cluster.store.WatchListener;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Where a VIP's Maglev slots ({@link SlotPlan}) come from.
 *
 * <p>{@link #LOCAL}: every table is plain Maglev over the backends a host sees, a pure function
 * of the backend set (hosts agree without talking; removing a backend moves Maglev's share of
 * other entries). {@link #inStore}: the LB hosts share each VIP's plan in the cluster store
 * (etcd with {@code gannet run --etcd}), so a backend leaving the Service leaves an empty slot
 * and moves only its own entries, and a host that starts later reads the same plan.
 */
public interface SlotAgreement extends AutoCloseable {

    /** The plan for this VIP frontend's configured backends in a table of {@code m} entries (called on the L4LB's own thread; never blocks). */
    SlotPlan plan(String frontend, List<WeightedBackend> configured, int m);

    /** "each host's own (plain Maglev)" or where the plans are agreed, for {@code show vips} and the log. */
    String describe();

    @Override
    default void close() {}

    /** Plain Maglev on every host: no agreement needed, none kept. */
    SlotAgreement LOCAL = new SlotAgreement() {
        @Override
        public SlotPlan plan(String frontend, List<WeightedBackend> configured, int m) {
            return SlotPlan.fresh(configured);
        }

        @Override
        public String describe() {
            return "each host's own: plain Maglev over the backends it sees (no --etcd)";
        }
    };

    /** Key prefix of the plans in the cluster store: one key per VIP frontend. */
    String PREFIX = "/gannet/l4lb/slots/";

    /**
     * Plans agreed in {@code store}: read once now (up to {@code firstRead}, so the first tables
     * are the agreed ones), then watched; a host writes a plan (compare-and-swap on the key's
     * revision, on a thread of its own) when the backends it sees change and the plan they give
     * differs from the stored one. A host whose view lags uses the plan its view gives without
     * writing it, so it does not undo a newer write; the last host to see the final backend set
     * writes the final plan (or finds it written).
     */
    static SlotAgreement inStore(ClusterStore store, java.time.Duration firstRead, EventLog log) {
        return new Stored(store, firstRead, log);
    }

    /** Where the agreement reports what it did (the daemon's operator log). */
    interface EventLog {
        void event(String subject, String message);
    }

    /** The cluster-store implementation. */
    final class Stored implements SlotAgreement, WatchListener {
        /** A stored plan (null: unreadable) and the revision of its last change. */
        private record Held(SlotPlan plan, long revision) {}

        private record Last(Held stored, List<WeightedBackend> configured, int m, SlotPlan plan) {}

        private final ClusterStore store;
        private final EventLog log;
        private final Map<String, Held> agreed = new ConcurrentHashMap<>(); // by key
        private final Map<String, Last> last = new HashMap<>(); // by key, the L4LB thread's own
        private final java.util.Set<String> dirty = ConcurrentHashMap.newKeySet(); // the store failed a write: write again
        private final Map<String, String> unreadable = new ConcurrentHashMap<>();
        private final java.util.Set<String> failing = ConcurrentHashMap.newKeySet(); // writes the store refused (logged once)
        private final ExecutorService writer;
        private final AutoCloseable watch;
        private volatile boolean loaded;
        private final java.util.concurrent.CountDownLatch firstResync = new java.util.concurrent.CountDownLatch(1);

        Stored(ClusterStore store, java.time.Duration firstRead, EventLog log) {
            this.store = store;
            this.log = log;
            this.writer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "gannet-l4lb-slots");
                t.setDaemon(true);
                return t;
            });
            // The watch's first news is the whole state under the prefix (onResync): the first read.
            this.watch = store.watch(PREFIX, this);
            boolean answered;
            try {
                answered = firstResync.await(firstRead.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answered = false;
            }
            if (!answered) {
                log.event("slots", "the cluster store did not answer within " + firstRead.toSeconds()
                        + " s: tables are plain Maglev over the backends seen until it does");
            }
        }

        @Override
        public SlotPlan plan(String frontend, List<WeightedBackend> configured, int m) {
            String key = PREFIX + frontend;
            Held held = agreed.get(key);
            Last l = last.get(key);
            if (l != null && l.stored == held && l.m == m && l.configured.equals(configured) && !dirty.contains(key)) {
                return l.plan;
            }
            SlotPlan stored = held == null ? null : held.plan; // null: none, or unreadable
            SlotPlan p = planFrom(stored, configured, m);
            boolean viewChanged = l == null || l.m != m || !l.configured.equals(configured);
            last.put(key, new Last(held, List.copyOf(configured), m, p));
            boolean differs = stored == null || !p.equals(stored);
            boolean retry = dirty.remove(key);
            if (!loaded && differs) {
                dirty.add(key); // write once the store has answered
            } else if (differs && (viewChanged || retry)) {
                long rev = held == null ? 0 : held.revision;
                String why = describeChange(stored, p);
                List<WeightedBackend> seen = List.copyOf(configured);
                boolean ownChange = l != null; // not this host's first look at the VIP
                writer.execute(() -> write(key, seen, m, p, rev, why, ownChange));
            }
            return p;
        }

        /**
         * Writes {@code p}, computed from the plan stored at {@code revision} (0: none) and the
         * backends this host saw ({@code configured}). When another host wrote first, takes theirs;
         * for a change of this host's own view ({@code ownChange}) it computes again from theirs with
         * the same backends and writes only if that still changes it (a host whose view is the same as
         * the writer's writes nothing). A host's first look at a VIP never writes over another's plan:
         * queued behind a newer write, it would put back what that write changed.
         */
        private void write(String key, List<WeightedBackend> configured, int m, SlotPlan p, long revision, String why,
                boolean ownChange) {
            try {
                for (int attempt = 0; attempt < 5; attempt++) {
                    Txn t = revision == 0 ? Txn.begin().ifAbsent(key) : Txn.begin().ifModRevision(key, revision);
                    boolean written = store.commit(t.put(key, p.encode())).succeeded();
                    failing.remove(key); // the store answered
                    if (written) {
                        log.event(key.substring(PREFIX.length()), "Maglev slots agreed in " + store.describe() + ": " + why
                                + " (" + p + ")");
                        return;
                    }
                    Optional<KeyValue> now = store.get(key);
                    now.ifPresentOrElse(this::take, () -> agreed.remove(key));
                    Held h = agreed.get(key);
                    SlotPlan theirs = h == null ? null : h.plan;
                    SlotPlan again = planFrom(theirs, configured, m);
                    if (!ownChange || again.equals(theirs)) {
                        return;
                    }
                    why = describeChange(theirs, again);
                    p = again;
                    revision = now.map(KeyValue::modRevision).orElse(0L);
                }
            } catch (StoreException e) {
                if (failing.add(key)) { // once per outage, not at every retry
                    log.event(key.substring(PREFIX.length()), "Maglev slots not written to the cluster store (" + e.getMessage()
                            + "): written when it answers");
                }
            }
            dirty.add(key);
        }

        /** The plan this host's view gives from the stored one ({@code stored} null: none or unreadable, plain Maglev). */
        private static SlotPlan planFrom(SlotPlan stored, List<WeightedBackend> configured, int m) {
            return stored == null ? SlotPlan.fresh(configured) : stored.next(configured, m);
        }

        /** What a write changes, for the log ({@code before} null: nothing was stored). */
        private static String describeChange(SlotPlan before, SlotPlan after) {
            if (before == null) {
                return "first plan";
            }
            int empty = after.empty() - before.empty();
            // next() drops slots only when it starts afresh (a backend taking its own slot back is plain too)
            java.util.Set<String> kept = new java.util.HashSet<>();
            after.slots().forEach(x -> kept.add(x.name() + "#" + x.generation()));
            if (before.slots().stream().anyMatch(x -> !kept.contains(x.name() + "#" + x.generation()))) {
                return "so many slots were empty that failing their entries over would be uneven or slow: rebuilt over the"
                        + " backends configured now";
            }
            int added = after.slots().size() - before.slots().size();
            return (empty > 0 ? empty + " slot(s) left empty by backends that left" : empty < 0 ? -empty
                    + " empty slot(s) taken by backends that joined" : "holders changed")
                    + (added > 0 ? ", " + added + " new slot(s)" : "");
        }

        private void take(KeyValue kv) {
            try {
                agreed.put(kv.key(), new Held(SlotPlan.decode(kv.text()), kv.modRevision()));
                unreadable.remove(kv.key());
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().equals(unreadable.put(kv.key(), e.getMessage()))) {
                    log.event(kv.key().substring(PREFIX.length()), "the Maglev slots in the cluster store cannot be read ("
                            + e.getMessage() + "): this host uses plain Maglev for it until a good plan is written");
                }
                agreed.put(kv.key(), new Held(null, kv.modRevision())); // its revision: a good plan replaces it
            }
        }

        @Override
        public void onResync(List<KeyValue> current, long revision) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (KeyValue kv : current) {
                take(kv);
                seen.add(kv.key());
            }
            agreed.keySet().removeIf(k -> !seen.contains(k));
            loaded = true;
            firstResync.countDown();
        }

        @Override
        public void onEvents(List<WatchEvent> events) {
            for (WatchEvent e : events) {
                if (e.type() == WatchEvent.Type.PUT) {
                    take(e.kv());
                } else {
                    agreed.remove(e.kv().key());
                }
            }
        }

        @Override
        public String describe() {
            return "agreed among the LB hosts in " + store.describe();
        }

        @Override
        public void close() {
            try {
                watch.close();
            } catch (Exception e) {
                // closing: nothing to tell
            }
            writer.shutdownNow();
        }
    }
}
