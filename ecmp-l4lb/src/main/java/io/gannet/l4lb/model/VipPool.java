package io.gannet.l4lb.model;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import java.util.ArrayList;
import java.util.List;

/**
 * The profile's VIP pool (IPv4 and IPv6 prefixes): the only addresses this host may announce as
 * VIPs. An address is only ever matched against the prefixes of its own family.
 */
public final class VipPool {
    private record Prefix(int addr, Ipv6 addr6, int length) {
        boolean contains(int a) {
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return addr6 == null && (a & mask) == (addr & mask);
        }

        boolean contains(Ipv6 a) {
            if (addr6 == null) {
                return false;
            }
            long hiMask = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
            long loMask = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
            return (a.hi() & hiMask) == (addr6.hi() & hiMask) && (a.lo() & loMask) == (addr6.lo() & loMask);
        }

        @Override
        public String toString() {
            return (addr6 != null ? addr6.format() : Ipv4.format(addr)) + "/" + length;
        }
    }

    private final List<Prefix> prefixes;

    private VipPool(List<Prefix> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /** Parses "203.0.113.0/24" and "2001:db8:113::/64" style prefixes (no length: a single address). */
    public static VipPool of(List<String> cidrs) {
        List<Prefix> out = new ArrayList<>();
        for (String c : cidrs) {
            int slash = c.indexOf('/');
            String a = slash < 0 ? c : c.substring(0, slash);
            boolean v6 = a.contains(":");
            int max = v6 ? 128 : 32;
            int len = slash < 0 ? max : Integer.parseInt(c.substring(slash + 1));
            if (len < 0 || len > max) {
                throw new IllegalArgumentException("VIP pool prefix " + c + ": length is not 0-" + max);
            }
            out.add(v6 ? new Prefix(0, Ipv6.parse(a), len) : new Prefix(Ipv4.parse(a), null, len));
        }
        return new VipPool(out);
    }

    /** True when the IPv4 address lies in one of the pool's IPv4 prefixes. */
    public boolean contains(int addr) {
        return prefixes.stream().anyMatch(p -> p.contains(addr));
    }

    /** True when the IPv6 address lies in one of the pool's IPv6 prefixes. */
    public boolean contains(Ipv6 addr) {
        return prefixes.stream().anyMatch(p -> p.contains(addr));
    }

    /** True when every address of the IPv4 {@code addr/length} is inside one prefix of the pool. */
    public boolean containsPrefix(int addr, int length) {
        return prefixes.stream().anyMatch(p -> p.length <= length && p.contains(addr));
    }

    /** True when every address of the IPv6 {@code addr/length} is inside one prefix of the pool. */
    public boolean containsPrefix(Ipv6 addr, int length) {
        return prefixes.stream().anyMatch(p -> p.length <= length && p.contains(addr));
    }

    public boolean isEmpty() {
        return prefixes.isEmpty();
    }

    @Override
    public String toString() {
        return prefixes.isEmpty() ? "(none)" : String.join(", ", prefixes.stream().map(Prefix::toString).toList());
    }
}
