package io.gannet.netpolicy.compile;

import java.util.List;
import java.util.Map;

/**
 * One endpoint's compiled ingress policy: whether ingress is enforced (some policy selects it:
 * default deny) and its entries. {@link #decide} is the reference lookup the datapath mirrors:
 * a deny entry at any specificity beats every allow (Kubernetes/Cilium: deny wins), then any
 * allow entry, then default deny when enforced. Immutable.
 */
public record EndpointPolicy(boolean enforced, Map<PolicyKey, Entry> entries, List<String> selectedBy) {
    public static final EndpointPolicy OPEN = new EndpointPolicy(false, Map.of(), List.of());

    public EndpointPolicy {
        entries = Map.copyOf(entries);
        selectedBy = List.copyOf(selectedBy);
    }

    public Decision decide(int sourceIdentity, int protocol, int port) {
        if (!enforced) {
            return new Decision(true, Decision.Reason.NO_POLICY, null);
        }
        Entry allow = null;
        for (int id : new int[] {sourceIdentity, 0}) {
            for (int proto : new int[] {protocol, 0}) {
                for (int bits = 16; bits >= 0; bits--) {
                    Entry e = entries.get(new PolicyKey(id, proto, port, bits));
                    if (e == null) {
                        continue;
                    }
                    if (e.deny()) {
                        return new Decision(false, Decision.Reason.DENIED_BY_RULE, e.rule());
                    }
                    if (allow == null) {
                        allow = e;
                    }
                }
            }
        }
        return allow != null ? new Decision(true, Decision.Reason.ALLOWED_BY_RULE, allow.rule())
                : new Decision(false, Decision.Reason.DEFAULT_DENY, null);
    }
}
