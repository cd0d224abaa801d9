package io.gannet.bpf.lb;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An IPv6 address as its high and low 64 bits (network order: {@code fd00::1} is
 * {@code hi = 0xfd00000000000000, lo = 1}), the form the IPv6 map layouts
 * ({@code io.gannet.bpf.maps.SvcKey6} and friends) take. A value: equal addresses are equal.
 */
public record Ipv6(long hi, long lo) implements Comparable<Ipv6> {

    /** Parses an IPv6 literal ("fd00::1"); never resolves a name. IPv4-mapped literals are refused. */
    public static Ipv6 parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.indexOf(':') < 0 || t.indexOf('%') >= 0 || t.indexOf('[') >= 0
                || !t.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
        try {
            // a string with ':' is only ever parsed as a literal by getByName (no lookup)
            InetAddress a = InetAddress.getByName(t);
            if (!(a instanceof Inet6Address)) {
                throw new IllegalArgumentException("not an IPv6 address (IPv4-mapped): '" + text + "'");
            }
            return of(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
        }
    }

    /** The address of 16 bytes in network order. */
    public static Ipv6 of(byte[] sixteen) {
        if (sixteen.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + sixteen.length);
        }
        ByteBuffer b = ByteBuffer.wrap(sixteen);
        return new Ipv6(b.getLong(), b.getLong());
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
    }

    /** The canonical text (RFC 5952: lower case, the longest run of zero groups as "::"). */
    public String format() {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    @Override
    public int compareTo(Ipv6 o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        return format();
    }
}
