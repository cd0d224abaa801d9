package io.gannet.netpolicy.model;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable, sorted label set: the unit a security identity is made of. Pods carry their
 * own labels plus {@link #NAMESPACE} and one {@link #NAMESPACE_LABEL_PREFIX} entry per label
 * of their namespace (Cilium's convention), so namespace selectors match on the pod's own set.
 */
public record Labels(SortedMap<String, String> map) {
    /** The pod's namespace, as Kubernetes and Cilium name it. */
    public static final String NAMESPACE = "io.kubernetes.pod.namespace";
    /** Prefix of the pod's namespace's labels inside its label set. */
    public static final String NAMESPACE_LABEL_PREFIX = "io.cilium.k8s.namespace.labels.";
    public static final Labels EMPTY = new Labels(new TreeMap<>());

    public Labels {
        map = Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }

    public static Labels of(Map<String, String> labels) {
        return new Labels(new TreeMap<>(labels));
    }

    /** A pod's full label set: its labels, its namespace and its namespace's labels. */
    public static Labels ofPod(String namespace, Map<String, String> podLabels, Map<String, String> namespaceLabels) {
        TreeMap<String, String> all = new TreeMap<>(podLabels);
        all.put(NAMESPACE, namespace);
        namespaceLabels.forEach((k, v) -> all.put(NAMESPACE_LABEL_PREFIX + k, v));
        return new Labels(all);
    }

    public String get(String key) {
        return map.get(key);
    }

    public boolean has(String key) {
        return map.containsKey(key);
    }

    /** The namespace part, or null for an endpoint outside every namespace. */
    public String namespace() {
        return map.get(NAMESPACE);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        map.forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }
}
