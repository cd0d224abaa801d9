package io.gannet.bgp.policy;

import io.gannet.bgp.wire.attr.Prefix;
import java.util.Objects;

/**
 * One prefix-list line: routes inside {@code prefix} whose length lies in {@code ge..le}
 * ("10.0.0.0/8 ge 24 le 32"). Without ge/le only the exact prefix matches.
 */
public record PrefixListEntry(Prefix prefix, int ge, int le) {
    public PrefixListEntry {
        Objects.requireNonNull(prefix, "prefix");
        int max = prefix.ipv6() ? 128 : 32;
        if (ge < prefix.length() || le > max || ge > le) {
            throw new IllegalArgumentException("need " + prefix.length() + " <= ge <= le <= " + max + ", got ge "
                    + ge + " le " + le + " for " + prefix);
        }
    }

    /** Exactly this prefix. */
    public static PrefixListEntry exact(Prefix p) {
        return new PrefixListEntry(p, p.length(), p.length());
    }

    /** This prefix and everything more specific up to {@code le}. */
    public static PrefixListEntry orLonger(Prefix p, int le) {
        return new PrefixListEntry(p, p.length(), le);
    }

    public static PrefixListEntry parse(String prefix, Integer ge, Integer le) {
        Prefix p = Prefix.parse(prefix);
        int g = ge != null ? ge : p.length();
        int l = le != null ? le : (ge != null ? (p.ipv6() ? 128 : 32) : p.length());
        return new PrefixListEntry(p, g, l);
    }

    boolean matches(boolean ipv6, long hi, long lo, int length) {
        if (ipv6 != prefix.ipv6() || length < ge || length > le) {
            return false;
        }
        int bits = prefix.length();
        if (!ipv6) {
            long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
            return (hi & mask) == prefix.hi();
        }
        long mhi = bits <= 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
        long mlo = bits <= 64 ? 0 : bits >= 128 ? -1L : -1L << (128 - bits);
        return (hi & mhi) == prefix.hi() && (lo & mlo) == prefix.lo();
    }
}
