package io.gannet.topology.net;

import java.util.Locale;
import java.util.Optional;

/**
 * A BGP community to tag announcements with: a standard community (RFC 1997) written
 * {@code asn:value} or one of its well-known names, or a large community (RFC 8092)
 * written {@code global:local1:local2}.
 *
 * @param large  true for a large community
 * @param global standard: the high 16 bits; large: the 32-bit global administrator
 * @param local1 standard: the low 16 bits; large: local data part 1
 * @param local2 large only: local data part 2 (0 for standard)
 */
public record Community(boolean large, long global, long local1, long local2) {

    public static Community standard(int high, int low) {
        return new Community(false, high, low, 0);
    }

    /** Parses the textual forms; empty on anything else. */
    public static Optional<Community> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        switch (text.toLowerCase(Locale.ROOT)) {
            case "no-export": return Optional.of(standard(0xFFFF, 0xFF01));           // RFC 1997
            case "no-advertise": return Optional.of(standard(0xFFFF, 0xFF02));        // RFC 1997
            case "no-export-subconfed": return Optional.of(standard(0xFFFF, 0xFF03)); // RFC 1997
            default: break;
        }
        String[] parts = text.split(":", -1);
        if (parts.length != 2 && parts.length != 3) {
            return Optional.empty();
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 10 || !p.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            v[i] = Long.parseLong(p);
        }
        if (parts.length == 2) {
            if (v[0] > 0xFFFF || v[1] > 0xFFFF) {
                return Optional.empty();
            }
            return Optional.of(new Community(false, v[0], v[1], 0));
        }
        for (long x : v) {
            if (x > 0xFFFF_FFFFL) {
                return Optional.empty();
            }
        }
        return Optional.of(new Community(true, v[0], v[1], v[2]));
    }

    @Override
    public String toString() {
        return large ? global + ":" + local1 + ":" + local2 : global + ":" + local1;
    }
}
