package io.gannet.bpf.lb;

/** An IPv4 CIDR a Service's external frontends accept sources from (loadBalancerSourceRanges). */
public record SourceRange(int addr, int prefixLength) {
    public SourceRange {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
        }
        addr = prefixLength == 0 ? 0 : addr & (int) (0xffffffffL << (32 - prefixLength));
    }

    /** "a.b.c.d/len"; a bare address is a /32. */
    public static SourceRange parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return new SourceRange(Ipv4.parse(cidr), 32);
        }
        return new SourceRange(Ipv4.parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    }

    @Override
    public String toString() {
        return Ipv4.format(addr) + "/" + prefixLength;
    }
}
