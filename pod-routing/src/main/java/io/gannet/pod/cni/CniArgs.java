package io.gannet.pod.cni;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * CNI_ARGS ({@code K=V;K=V}). The keys Gannet understands: K8S_POD_NAMESPACE, K8S_POD_NAME
 * (shown, and the StatefulSet ordinal), K8S_POD_INFRA_CONTAINER_ID, K8S_POD_UID (accepted,
 * not used), GANNET_STATEFULSET (the pod's StatefulSet: its fixed IP), IgnoreUnknown. Any other
 * key is refused with error 2 naming it, unless IgnoreUnknown is true (the libcni convention).
 */
public record CniArgs(Map<String, String> values) {
    private static final Set<String> KNOWN = Set.of("K8S_POD_NAMESPACE", "K8S_POD_NAME", "K8S_POD_INFRA_CONTAINER_ID",
            "K8S_POD_UID", "GANNET_STATEFULSET", "IgnoreUnknown");

    public static CniArgs parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return new CniArgs(m);
        }
        for (String pair : text.split(";")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_ARGS: '" + pair + "' is not KEY=VALUE");
            }
            m.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        boolean ignoreUnknown = "true".equalsIgnoreCase(m.get("IgnoreUnknown")) || "1".equals(m.get("IgnoreUnknown"));
        if (!ignoreUnknown) {
            for (String k : m.keySet()) {
                if (!KNOWN.contains(k)) {
                    throw new CniError(CniError.UNSUPPORTED_FIELD, "CNI_ARGS: unsupported key " + k + "=" + m.get(k),
                            "supported: " + String.join(", ", new java.util.TreeSet<>(KNOWN)) + " (or IgnoreUnknown=1)");
                }
            }
        }
        return new CniArgs(Map.copyOf(m));
    }

    public String get(String key) {
        return values.getOrDefault(key, "");
    }
}
