package io.gannet.netpolicy.compile;

/**
 * What the policy of one endpoint says about one packet: allowed or not, and why, in the
 * user's terms ("allowed by ...", "denied by ...", "default deny: selected by N policies").
 */
public record Decision(boolean allowed, Reason reason, RuleRef rule) {
    public enum Reason { NO_POLICY, ALLOWED_BY_RULE, DENIED_BY_RULE, DEFAULT_DENY }

    @Override
    public String toString() {
        return switch (reason) {
            case NO_POLICY -> "allowed: no policy selects this endpoint for ingress";
            case ALLOWED_BY_RULE -> "allowed by " + rule;
            case DENIED_BY_RULE -> "denied by " + rule;
            case DEFAULT_DENY -> "dropped: default deny (no rule allows it)";
        };
    }
}
