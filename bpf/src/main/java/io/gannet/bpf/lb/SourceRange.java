package io.gannet.bpf.lb;

/**
 * A CIDR a Service's external frontends accept sources from (loadBalancerSourceRanges): IPv4 in
 * {@code addr} ({@code addr6} null), or IPv6 in {@code addr6} ({@code addr} 0), for a frontend of
 * the same family. Host bits are cleared.
 */
public record SourceRange(int addr, int prefixLength, Ipv6 addr6) {
    public SourceRange {
        int max = addr6 == null ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
        }
        if (addr6 == null) {
            addr = prefixLength == 0 ? 0 : addr & (int) (0xffffffffL << (32 - prefixLength));
        } else {
            addr = 0;
            addr6 = masked(addr6, prefixLength);
        }
    }

    /** An IPv4 range. */
    public SourceRange(int addr, int prefixLength) {
        this(addr, prefixLength, null);
    }

    /** An IPv6 range. */
    public static SourceRange of(Ipv6 addr6, int prefixLength) {
        return new SourceRange(0, prefixLength, addr6);
    }

    /** "a.b.c.d/len" or "2001:db8::/len"; a bare address is a /32 or /128. */
    public static SourceRange parse(String cidr) {
        int slash = cidr.indexOf('/');
        String a = slash < 0 ? cidr : cidr.substring(0, slash);
        boolean v6 = a.indexOf(':') >= 0;
        int len = slash < 0 ? (v6 ? 128 : 32) : Integer.parseInt(cidr.substring(slash + 1));
        return v6 ? of(Ipv6.parse(a), len) : new SourceRange(Ipv4.parse(a), len);
    }

    public boolean ipv6() {
        return addr6 != null;
    }

    private static Ipv6 masked(Ipv6 a, int len) {
        long hiMask = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
        long loMask = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        return new Ipv6(a.hi() & hiMask, a.lo() & loMask);
    }

    @Override
    public String toString() {
        return (addr6 != null ? addr6.format() : Ipv4.format(addr)) + "/" + prefixLength;
    }
}
