package io.gannet.netpolicy.model;

import io.gannet.netpolicy.selector.LabelSelector;
import java.util.List;

/**
 * A policy in Gannet's terms, read from a NetworkPolicy or a CiliumNetworkPolicy.
 *
 * @param kind         "NetworkPolicy" or "CiliumNetworkPolicy"
 * @param namespace    the object's namespace (null for cluster-wide objects)
 * @param subject      the endpoints it applies to (already scoped to the namespace)
 * @param ingress      true if it selects its subjects for ingress (their ingress becomes default-deny)
 * @param egress       true if it selects its subjects for egress (their egress becomes default-deny)
 * @param rules        the ingress and egress rules, allow and deny
 * @param unsupported  what the object says that Gannet does not enforce, each in the user's terms
 * @param origin       where it came from (file:line or "api")
 */
public record Policy(String kind, String namespace, String name, LabelSelector subject, boolean ingress, boolean egress,
        List<Rule> rules, List<String> unsupported, String origin) {
    public Policy {
        rules = List.copyOf(rules);
        unsupported = List.copyOf(unsupported);
    }

    /** An ingress-only policy. */
    public Policy(String kind, String namespace, String name, LabelSelector subject, boolean ingress, List<Rule> rules,
            List<String> unsupported, String origin) {
        this(kind, namespace, name, subject, ingress, false, rules, unsupported, origin);
    }

    /** "namespace/name" (or "name"), the key a policy is stored and reported under. */
    public String key() {
        return kind + ":" + (namespace == null ? "" : namespace + "/") + name;
    }

    /** Whether the policy selects its subjects in {@code direction}. */
    public boolean selects(Rule.Direction direction) {
        return direction == Rule.Direction.INGRESS ? ingress : egress;
    }
}
