package io.gannet.netpolicy.model;

/**
 * One port a rule allows or denies: a protocol and either a number range
 * ({@code port}..{@code endPort}, both inclusive; 0..0 is every port), a named port
 * ({@code name}), which each selected endpoint resolves against its own container ports, or
 * an ICMP type ({@code icmpType}: {@code port} is the type, 0 included; CiliumNetworkPolicy's
 * {@code icmps}).
 */
public record PortRule(Protocol protocol, int port, int endPort, String name, boolean icmpType) {
    public static final PortRule ANY = new PortRule(Protocol.ANY, 0, 0, null, false);

    public static PortRule range(Protocol protocol, int port, int endPort) {
        return new PortRule(protocol, port, endPort, null, false);
    }

    public static PortRule named(Protocol protocol, String name) {
        return new PortRule(protocol, 0, 0, name, false);
    }

    /** ICMP (IPv4) messages of one type, e.g. 8 for echo requests. */
    public static PortRule icmp(int type) {
        return new PortRule(Protocol.ICMP, type, type, null, true);
    }

    /** ICMPv6 messages of one type, e.g. 128 for echo requests. */
    public static PortRule icmp6(int type) {
        return new PortRule(Protocol.ICMPV6, type, type, null, true);
    }

    public boolean isNamed() {
        return name != null;
    }

    /** Every port (or every ICMP type) of the protocol. */
    public boolean allPorts() {
        return !icmpType && name == null && port == 0;
    }

    @Override
    public String toString() {
        String p = protocol == Protocol.ANY ? "any" : protocol.name();
        if (icmpType) {
            return "type " + port + "/" + p;
        }
        if (isNamed()) {
            return name + "/" + p;
        }
        if (port == 0) {
            return "*/" + p;
        }
        return (endPort > port ? port + "-" + endPort : Integer.toString(port)) + "/" + p;
    }
}
