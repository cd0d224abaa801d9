package io.gannet.netpolicy.selector;

import io.gannet.netpolicy.model.Labels;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector (meta/v1 LabelSelector): every {@code matchLabels} pair and every
 * {@code matchExpressions} requirement must hold. The empty selector matches everything; a
 * {@code null} selector is "no selector" and is never built.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    public static final LabelSelector ALL = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    /** In, NotIn, Exists, DoesNotExist, as the Kubernetes API defines them. */
    public enum Operator { IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    /** One {@code matchExpressions} entry. */
    public record Requirement(String key, Operator operator, Set<String> values) {
        public Requirement {
            values = Set.copyOf(values);
        }

        boolean matches(Labels labels) {
            String v = labels.get(key);
            return switch (operator) {
                case IN -> v != null && values.contains(v);
                case NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
            };
        }
    }

    public boolean matches(Labels labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    /** The same selector with every key given a prefix (a namespace selector applied to pod label sets). */
    public LabelSelector prefixed(String prefix) {
        Map<String, String> labels = new java.util.TreeMap<>();
        matchLabels.forEach((k, v) -> labels.put(prefix + k, v));
        return new LabelSelector(labels, matchExpressions.stream()
                .map(r -> new Requirement(prefix + r.key(), r.operator(), r.values())).toList());
    }

    /** The same selector with one more required label. */
    public LabelSelector and(String key, String value) {
        Map<String, String> labels = new java.util.TreeMap<>(matchLabels);
        labels.put(key, value);
        return new LabelSelector(labels, matchExpressions);
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "{}";
        }
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(matchLabels).forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
        for (Requirement r : matchExpressions) {
            b.append(b.isEmpty() ? "" : ",").append(r.key()).append(' ').append(r.operator().name().toLowerCase().replace('_', ' '))
                    .append(r.values().isEmpty() ? "" : " " + new java.util.TreeSet<>(r.values()));
        }
        return b.toString();
    }
}
