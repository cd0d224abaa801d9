package io.gannet.bpf.nat;

import io.gannet.bpf.lb.Ipv6;

/** An IPv6 prefix (host bits cleared), the IPv6 twin of {@link Ipv4Prefix}. */
public record Ipv6Prefix(Ipv6 addr, int length) {
    public Ipv6Prefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("prefix length out of range: " + length);
        }
        addr = new Ipv6(addr.hi() & maskHi(length), addr.lo() & maskLo(length));
    }

    /** "fd00::/56"; a bare address is a /128. */
    public static Ipv6Prefix parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return new Ipv6Prefix(Ipv6.parse(cidr), 128);
        }
        return new Ipv6Prefix(Ipv6.parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    }

    /** The high 64 bits of the mask of a prefix length. */
    public static long maskHi(int length) {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    /** The low 64 bits of the mask of a prefix length. */
    public static long maskLo(int length) {
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    public boolean contains(Ipv6 a) {
        return (a.hi() & maskHi(length)) == addr.hi() && (a.lo() & maskLo(length)) == addr.lo();
    }

    @Override
    public String toString() {
        return addr.format() + "/" + length;
    }
}
