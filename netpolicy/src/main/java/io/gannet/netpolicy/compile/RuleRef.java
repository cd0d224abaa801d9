package io.gannet.netpolicy.compile;

/** A rule by policy and position ("CiliumNetworkPolicy:default/db spec.ingress[0]"). */
public record RuleRef(String policy, String rule) {
    @Override
    public String toString() {
        return policy + " " + rule;
    }
}
