package io.gannet.pod.ipam;

import java.util.Optional;

/**
 * The identity a fixed IP follows: a StatefulSet pod's namespace, StatefulSet name and
 * ordinal. Written {@code namespace/statefulset/ordinal}.
 */
public record FixedIpKey(String namespace, String statefulSet, int ordinal) {
    public FixedIpKey {
        checkName("namespace", namespace);
        checkName("StatefulSet name", statefulSet);
        if (ordinal < 0) {
            throw new IllegalArgumentException("StatefulSet ordinal " + ordinal + " is negative");
        }
    }

    /** Parses {@code namespace/statefulset/ordinal}. */
    public static FixedIpKey parse(String text) {
        String[] p = text == null ? new String[0] : text.split("/", -1);
        if (p.length != 3 || p[2].isEmpty() || p[2].length() > 9 || !p[2].chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' is not namespace/statefulset/ordinal");
        }
        return new FixedIpKey(p[0], p[1], Integer.parseInt(p[2]));
    }

    /**
     * The key of a StatefulSet pod from its name ({@code web-3} of StatefulSet {@code web}),
     * or empty when the pod name is not {@code <statefulset>-<ordinal>}.
     */
    public static Optional<FixedIpKey> ofPod(String namespace, String statefulSet, String podName) {
        String prefix = statefulSet + "-";
        if (podName == null || !podName.startsWith(prefix)) {
            return Optional.empty();
        }
        String ord = podName.substring(prefix.length());
        if (ord.isEmpty() || ord.length() > 9 || !ord.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(new FixedIpKey(namespace, statefulSet, Integer.parseInt(ord)));
    }

    private static void checkName(String what, String v) {
        // RFC 1123 label as Kubernetes uses for namespaces and object names.
        if (v == null || v.isEmpty() || v.length() > 253 || !v.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
            throw new IllegalArgumentException(what + " '" + v + "' is not a Kubernetes name (lower-case letters, digits, '-', '.')");
        }
    }

    @Override
    public String toString() {
        return namespace + "/" + statefulSet + "/" + ordinal;
    }
}
