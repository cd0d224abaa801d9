package io.gannet.bpf.lb;

/** A backend endpoint (pod address and target port); the protocol is its service's. */
public record Backend(int addr, int port) implements Comparable<Backend> {
    public Backend {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static Backend of(String addr, int port) {
        return new Backend(Ipv4.parse(addr), port);
    }

    @Override
    public int compareTo(Backend o) {
        int c = Integer.compareUnsigned(addr, o.addr);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return Ipv4.format(addr) + ":" + port;
    }
}
