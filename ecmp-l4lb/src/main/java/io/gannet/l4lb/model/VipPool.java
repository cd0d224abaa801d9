package io.gannet.l4lb.model;

import io.gannet.bpf.lb.Ipv4;
import java.util.ArrayList;
import java.util.List;

/** The profile's VIP pool (IPv4 prefixes): the only addresses this host may announce as VIPs. */
public final class VipPool {
    private record Prefix(int addr, int length) {
        boolean contains(int a) {
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return (a & mask) == (addr & mask);
        }

        @Override
        public String toString() {
            return Ipv4.format(addr) + "/" + length;
        }
    }

    private final List<Prefix> prefixes;

    private VipPool(List<Prefix> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /** Parses "203.0.113.0/24" style prefixes; IPv6 prefixes are skipped (IPv4 datapath). */
    public static VipPool of(List<String> cidrs) {
        List<Prefix> out = new ArrayList<>();
        for (String c : cidrs) {
            if (c.contains(":")) {
                continue;
            }
            int slash = c.indexOf('/');
            int len = slash < 0 ? 32 : Integer.parseInt(c.substring(slash + 1));
            out.add(new Prefix(Ipv4.parse(slash < 0 ? c : c.substring(0, slash)), len));
        }
        return new VipPool(out);
    }

    public boolean contains(int addr) {
        return prefixes.stream().anyMatch(p -> p.contains(addr));
    }

    /** True when every address of {@code addr/length} is inside one prefix of the pool. */
    public boolean containsPrefix(int addr, int length) {
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
