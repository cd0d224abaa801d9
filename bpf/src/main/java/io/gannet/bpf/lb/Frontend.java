package io.gannet.bpf.lb;

/**
 * A service address clients connect to: address, port, protocol. An IPv4 frontend has its
 * address in {@code addr} and {@code addr6} null; an IPv6 frontend has {@code addr6} and
 * {@code addr} 0 (programmed into the IPv6 maps, lib/lb6.h).
 */
public record Frontend(int addr, int port, Protocol protocol, Ipv6 addr6) {
    public Frontend {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (addr6 != null && addr != 0) {
            throw new IllegalArgumentException("an IPv6 frontend has no IPv4 address");
        }
    }

    /** An IPv4 frontend. */
    public Frontend(int addr, int port, Protocol protocol) {
        this(addr, port, protocol, null);
    }

    /** An IPv6 frontend. */
    public static Frontend of(Ipv6 addr6, int port, Protocol protocol) {
        return new Frontend(0, port, protocol, addr6);
    }

    /** An IPv4 ("10.96.0.10") or IPv6 ("fd00:96::a") frontend. */
    public static Frontend of(String addr, int port, Protocol protocol) {
        return addr.indexOf(':') >= 0 ? of(Ipv6.parse(addr), port, protocol) : new Frontend(Ipv4.parse(addr), port, protocol);
    }

    public boolean ipv6() {
        return addr6 != null;
    }

    /** The address as text ("10.96.0.10", "fd00:96::a"). */
    public String address() {
        return addr6 != null ? addr6.format() : Ipv4.format(addr);
    }

    @Override
    public String toString() {
        return (addr6 != null ? "[" + addr6.format() + "]" : Ipv4.format(addr)) + ":" + port + "/" + protocol;
    }
}
