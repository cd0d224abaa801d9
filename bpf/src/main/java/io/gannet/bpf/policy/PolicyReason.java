package io.gannet.bpf.policy;

import java.util.Locale;

/**
 * Ingress policy outcomes counted in dp_policy_metrics, in the order of enum dp_policy_reason in
 * lib/policy.h (the index is the ordinal); drop events carry the ordinal as their reason.
 */
public enum PolicyReason {
    PASS_NOT_ENFORCED,
    PASS_TRACKED,
    ALLOWED,
    DROP_DENIED,
    DROP_DEFAULT_DENY,
    EVENT_LOST;

    public boolean drop() {
        return this == DROP_DENIED || this == DROP_DEFAULT_DENY;
    }

    /** "drop_denied": the metric label and the name `monitor --drops` prints. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PolicyReason of(int ordinal) {
        PolicyReason[] all = values();
        return ordinal >= 0 && ordinal < all.length ? all[ordinal] : null;
    }
}
