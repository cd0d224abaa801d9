package io.gannet.bpf.lb;

/**
 * A backend endpoint (pod address and target port); the protocol is its service's. IPv4 in
 * {@code addr} with {@code addr6} null, or IPv6 in {@code addr6} with {@code addr} 0, always
 * of its frontend's family. IPv4 backends sort before IPv6 ones.
 */
public record Backend(int addr, int port, Ipv6 addr6) implements Comparable<Backend> {
    public Backend {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (addr6 != null && addr != 0) {
            throw new IllegalArgumentException("an IPv6 backend has no IPv4 address");
        }
    }

    /** An IPv4 backend. */
    public Backend(int addr, int port) {
        this(addr, port, null);
    }

    /** An IPv6 backend. */
    public static Backend of(Ipv6 addr6, int port) {
        return new Backend(0, port, addr6);
    }

    /** An IPv4 ("10.2.0.7") or IPv6 ("fd00:10:244::7") backend. */
    public static Backend of(String addr, int port) {
        return addr.indexOf(':') >= 0 ? of(Ipv6.parse(addr), port) : new Backend(Ipv4.parse(addr), port);
    }

    public boolean ipv6() {
        return addr6 != null;
    }

    /** The address as text ("10.1.0.5", "fd00:1::5"), as {@link Frontend#address()}. */
    public String address() {
        return addr6 != null ? addr6.format() : Ipv4.format(addr);
    }

    @Override
    public int compareTo(Backend o) {
        if (ipv6() != o.ipv6()) {
            return ipv6() ? 1 : -1;
        }
        int c = ipv6() ? addr6.compareTo(o.addr6) : Integer.compareUnsigned(addr, o.addr);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return (addr6 != null ? "[" + address() + "]" : address()) + ":" + port;
    }
}
