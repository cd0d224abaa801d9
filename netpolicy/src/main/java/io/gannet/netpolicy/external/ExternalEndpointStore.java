package io.gannet.netpolicy.external;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.Txn;
import io.gannet.cluster.store.WatchEvent;
import io.gannet.cluster.store.WatchListener;
import io.gannet.netpolicy.model.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * External endpoints held in the cluster store, one key each under {@value #PREFIX}
 * ({@code <namespace>/<name>} -> {@link ExternalEndpoint#toJson}), so that a registration made
 * on one host reaches every host's datapath through each daemon's watch of the prefix.
 *
 * <p>Every write is checked first and refused whole with a message in the operator's terms:
 * an invalid endpoint; an address inside the pod address space ({@code podRanges}: the pod
 * pool, each node's PodCIDR, the fixed-IP pools) — a pod address has the pod's identity, never
 * an external one; an address that overlaps another external endpoint's (one address, one
 * identity); a name another source owns (a file's entry is changed in its file, an API entry
 * through the API). Writes are compare-and-swap on the key's revision, so two hosts changing
 * one endpoint at once never lose one change silently (the loser is told to retry). The overlap
 * check between two different endpoints reads the prefix first; two concurrent registrations of
 * overlapping addresses under different names can both pass (then the longer prefix wins in the
 * datapath's longest-prefix match).
 *
 * <p>Thread safe (stateless over the store).
 */
public final class ExternalEndpointStore {
    public static final String PREFIX = "/gannet/external-endpoints/";

    /** A range external endpoints may not overlap, and what it is ("pod pool 10.244.0.0/16"). */
    public record Reserved(Cidr cidr, String what) {}

    /** A refused change, with why in the operator's terms. */
    public static final class Refused extends RuntimeException {
        public enum Kind { INVALID, CONFLICT, NOT_FOUND }

        private final Kind kind;

        public Refused(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /** What a write did: "created", "updated", "unchanged", "removed". */
    public record Outcome(String key, String outcome) {}

    /** The endpoints in the store; values that do not read are listed in {@code problems}. */
    public record Snapshot(List<ExternalEndpoint> endpoints, List<String> problems, long revision) {}

    private final ClusterStore store;
    private final List<Reserved> podRanges;

    public ExternalEndpointStore(ClusterStore store, List<Reserved> podRanges) {
        this.store = store;
        this.podRanges = List.copyOf(podRanges);
    }

    /** Registers or replaces an endpoint (refused: {@link Refused}). */
    public Outcome put(ExternalEndpoint e) {
        check(e);
        String key = PREFIX + e.key();
        Optional<KeyValue> old = store.get(key);
        ExternalEndpoint before = null;
        if (old.isPresent()) {
            before = ExternalEndpoint.fromJson(old.get().text()).endpoint();
            if (before != null && !owner(before).equals(owner(e))) {
                throw new Refused(Refused.Kind.CONFLICT, "external endpoint " + e.key() + " is registered by " + before.source()
                        + "; change or remove it there");
            }
            if (before != null && before.sameAs(e)) {
                return new Outcome(e.key(), "unchanged");
            }
        }
        Txn t = old.isPresent() ? Txn.begin().ifModRevision(key, old.get().modRevision()) : Txn.begin().ifAbsent(key);
        if (!store.commit(t.put(key, e.toJson())).succeeded()) {
            throw new Refused(Refused.Kind.CONFLICT, "external endpoint " + e.key() + " changed while this change was made; retry");
        }
        return new Outcome(e.key(), old.isPresent() ? "updated" : "created");
    }

    /**
     * Removes an endpoint; {@code source} must own it ("api" removes what the API registered).
     */
    public Outcome remove(String namespace, String name, String source) {
        String key = PREFIX + (namespace == null || namespace.isEmpty() ? "default" : namespace) + "/" + name;
        Optional<KeyValue> old = store.get(key);
        if (old.isEmpty()) {
            throw new Refused(Refused.Kind.NOT_FOUND, "no external endpoint " + key.substring(PREFIX.length()));
        }
        ExternalEndpoint before = ExternalEndpoint.fromJson(old.get().text()).endpoint();
        if (before != null && !owner(before).equals(owner(source))) {
            throw new Refused(Refused.Kind.CONFLICT, "external endpoint " + before.key() + " is registered by " + before.source()
                    + "; remove it there");
        }
        if (!store.commit(Txn.begin().ifModRevision(key, old.get().modRevision()).delete(key)).succeeded()) {
            throw new Refused(Refused.Kind.CONFLICT, "external endpoint " + key.substring(PREFIX.length())
                    + " changed while it was being removed; retry");
        }
        return new Outcome(key.substring(PREFIX.length()), "removed");
    }

    /**
     * Makes the store hold exactly {@code wanted} among the entries whose source is {@code mine}
     * (a node's directory: "file DIR/... on NODE"): puts each wanted one,
     * removes the others of that prefix. Returns the refusals by endpoint key; a refused entry
     * changes nothing (its previous version, if any, stays).
     */
    public Map<String, String> sync(java.util.function.Predicate<String> mine, List<ExternalEndpoint> wanted) {
        Map<String, String> refused = new TreeMap<>();
        java.util.Set<String> keep = new java.util.HashSet<>();
        for (ExternalEndpoint e : wanted) {
            keep.add(e.key());
            try {
                Optional<KeyValue> old = store.get(PREFIX + e.key());
                ExternalEndpoint before = old.map(kv -> ExternalEndpoint.fromJson(kv.text()).endpoint()).orElse(null);
                if (before != null && before.sameAs(e)) {
                    continue; // the same entry from another host's copy of the file, or unchanged
                }
                put(e); // a file of this node owns it, or nobody does yet
            } catch (Refused r) {
                refused.put(e.key(), r.getMessage());
            }
        }
        for (ExternalEndpoint e : list().endpoints()) {
            if (mine.test(e.source()) && !keep.contains(e.key())) {
                try {
                    remove(e.namespace(), e.name(), e.source());
                } catch (Refused r) {
                    refused.put(e.key(), r.getMessage());
                }
            }
        }
        return refused;
    }

    public Snapshot list() {
        List<KeyValue> kvs = store.list(PREFIX);
        return snapshot(kvs, kvs.stream().mapToLong(KeyValue::modRevision).max().orElse(0));
    }

    /**
     * Watches the prefix: {@code onChange} gets the whole set after every change (the sets are
     * small; the consumer diffs). Called on the store's watch thread: never block in it.
     */
    public AutoCloseable watch(Consumer<Snapshot> onChange) {
        Map<String, KeyValue> current = new TreeMap<>();
        return store.watch(PREFIX, new WatchListener() {
            @Override
            public void onResync(List<KeyValue> all, long revision) {
                current.clear();
                all.forEach(kv -> current.put(kv.key(), kv));
                onChange.accept(snapshot(List.copyOf(current.values()), revision));
            }

            @Override
            public void onEvents(List<WatchEvent> events) {
                long rev = 0;
                for (WatchEvent ev : events) {
                    if (ev.type() == WatchEvent.Type.PUT) {
                        current.put(ev.kv().key(), ev.kv());
                    } else {
                        current.remove(ev.kv().key());
                    }
                    rev = Math.max(rev, ev.kv().modRevision());
                }
                onChange.accept(snapshot(List.copyOf(current.values()), rev));
            }
        });
    }

    private Snapshot snapshot(List<KeyValue> kvs, long revision) {
        List<ExternalEndpoint> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (KeyValue kv : kvs) {
            ExternalEndpoint.Checked c = ExternalEndpoint.fromJson(kv.text());
            if (c.endpoint() == null) {
                problems.add("store key " + kv.key() + ": " + String.join("; ", c.errors()) + " (not applied)");
            } else if (!(PREFIX + c.endpoint().key()).equals(kv.key())) {
                problems.add("store key " + kv.key() + " holds endpoint " + c.endpoint().key() + " (not applied)");
            } else {
                out.add(c.endpoint());
            }
        }
        return new Snapshot(List.copyOf(out), List.copyOf(problems), revision);
    }

    private void check(ExternalEndpoint e) {
        for (Cidr c : e.cidrs()) {
            for (Reserved r : podRanges) {
                if (r.cidr().contains(c) || c.contains(r.cidr())) { // same family only (Cidr.contains)
                    throw new Refused(Refused.Kind.INVALID, "external endpoint " + e.key() + ": " + c + " overlaps " + r.what()
                            + ": pod addresses get their pods' identities, never an external endpoint's; nothing was changed");
                }
            }
        }
        for (ExternalEndpoint other : list().endpoints()) {
            if (other.key().equals(e.key())) {
                continue;
            }
            for (Cidr c : e.cidrs()) {
                for (Cidr o : other.cidrs()) {
                    if (o.contains(c) || c.contains(o)) {
                        throw new Refused(Refused.Kind.INVALID, "external endpoint " + e.key() + ": " + c + " overlaps " + o
                                + " of external endpoint " + other.key() + " (" + other.source() + "); nothing was changed");
                    }
                }
            }
        }
    }

    /** Who may change an entry: "api", or the node of a "file ... on NODE" source. */
    private static String owner(ExternalEndpoint e) {
        return owner(e.source());
    }

    private static String owner(String source) {
        if (source == null || source.equals("api") || source.startsWith("api ")) {
            return "api";
        }
        int on = source.lastIndexOf(" on ");
        return on < 0 ? source : "files on" + source.substring(on + 3);
    }
}
