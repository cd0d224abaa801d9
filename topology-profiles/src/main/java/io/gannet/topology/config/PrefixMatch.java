package io.gannet.topology.config;

import io.gannet.topology.net.Cidr;

/**
 * One prefix-list entry: matches a route whose prefix lies inside {@code prefix} and whose
 * length is between {@code ge} and {@code le} inclusive (FRR's {@code ge}/{@code le}, BIRD's
 * {@code prefix{ge,le}}). An exact match has {@code ge == le == prefix.length()}.
 */
public record PrefixMatch(Cidr prefix, int ge, int le) {

    public PrefixMatch {
        if (ge < prefix.length() || le < ge || le > prefix.bits()) {
            throw new IllegalArgumentException("need " + prefix.length() + " <= ge <= le <= " + prefix.bits() + ": " + prefix + " ge " + ge + " le " + le);
        }
    }

    public static PrefixMatch exact(Cidr prefix) {
        return new PrefixMatch(prefix, prefix.length(), prefix.length());
    }

    public boolean matches(Cidr route) {
        return prefix.contains(route) && route.length() >= ge && route.length() <= le;
    }

    @Override
    public String toString() {
        return ge == prefix.length() && le == prefix.length() ? prefix.toString() : prefix + " ge " + ge + " le " + le;
    }
}
