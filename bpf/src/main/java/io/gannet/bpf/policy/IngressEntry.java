package io.gannet.bpf.policy;

/**
 * One ingress entry of an endpoint as the policy compiler states it: packets from
 * {@code identity} (0 = any source), of {@code protocol} (0 = any), to a destination port whose
 * top {@code portPrefixBits} bits equal {@code port}'s (0 bits = every port) are allowed or
 * denied; {@code ruleId} names the rule for counters and drop reports (0 = none).
 */
public record IngressEntry(int identity, int protocol, int port, int portPrefixBits, boolean deny, int ruleId) {
    public IngressEntry {
        if (portPrefixBits < 0 || portPrefixBits > 16) {
            throw new IllegalArgumentException("port prefix " + portPrefixBits);
        }
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port);
        }
    }
}
