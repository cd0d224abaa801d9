package io.gannet.bpf.lb;

/** A service address clients connect to: IPv4 address, port, protocol. */
public record Frontend(int addr, int port, Protocol protocol) {
    public Frontend {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static Frontend of(String addr, int port, Protocol protocol) {
        return new Frontend(Ipv4.parse(addr), port, protocol);
    }

    @Override
    public String toString() {
        return Ipv4.format(addr) + ":" + port + "/" + protocol;
    }
}
