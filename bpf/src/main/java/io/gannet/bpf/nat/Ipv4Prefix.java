package io.gannet.bpf.nat;

import io.gannet.bpf.lb.Ipv4;

/** An IPv4 prefix (host bits cleared). */
public record Ipv4Prefix(int addr, int length) {
    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length out of range: " + length);
        }
        addr &= mask(length);
    }

    /** "a.b.c.d/len"; a bare address is a /32. */
    public static Ipv4Prefix parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return new Ipv4Prefix(Ipv4.parse(cidr), 32);
        }
        return new Ipv4Prefix(Ipv4.parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    }

    public static int mask(int length) {
        return length == 0 ? 0 : (int) (0xffffffffL << (32 - length));
    }

    public boolean contains(int a) {
        return (a & mask(length)) == addr;
    }

    @Override
    public String toString() {
        return Ipv4.format(addr) + "/" + length;
    }
}
