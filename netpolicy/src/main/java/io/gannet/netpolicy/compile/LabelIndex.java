package io.gannet.netpolicy.compile;

import io.gannet.netpolicy.model.Labels;
import io.gannet.netpolicy.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Identities by label: for each key=value, the identities that carry it. A selector with
 * {@code matchLabels} is answered from its smallest posting list (then checked in full), so
 * resolving a peer costs the size of its answer, not the number of identities in the cluster;
 * a selector of expressions only is a full scan. Not thread-safe (the engine's thread).
 */
final class LabelIndex {
    private final Map<Integer, Labels> byId = new HashMap<>();
    private final Map<String, Map<String, Set<Integer>>> postings = new HashMap<>();

    void add(int id, Labels labels) {
        if (byId.put(id, labels) != null) {
            return;
        }
        labels.map().forEach((k, v) -> postings.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(v, x -> new HashSet<>()).add(id));
    }

    void remove(int id) {
        Labels labels = byId.remove(id);
        if (labels == null) {
            return;
        }
        labels.map().forEach((k, v) -> {
            Map<String, Set<Integer>> values = postings.get(k);
            Set<Integer> ids = values.get(v);
            ids.remove(id);
            if (ids.isEmpty()) {
                values.remove(v);
                if (values.isEmpty()) {
                    postings.remove(k);
                }
            }
        });
    }

    Map<Integer, Labels> all() {
        return byId;
    }

    Collection<Integer> matching(LabelSelector selector) {
        Collection<Integer> candidates = byId.keySet();
        for (Map.Entry<String, String> e : selector.matchLabels().entrySet()) {
            Set<Integer> ids = postings.getOrDefault(e.getKey(), Map.of()).getOrDefault(e.getValue(), Set.of());
            if (ids.size() < candidates.size()) {
                candidates = ids;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int id : candidates) {
            if (selector.matches(byId.get(id))) {
                out.add(id);
            }
        }
        return out;
    }
}
