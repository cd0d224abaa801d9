package io.gannet.netpolicy.model;

/**
 * One port a rule allows or denies: a protocol and either a number range
 * ({@code port}..{@code endPort}, both inclusive; 0..0 is every port) or a named port
 * ({@code name}), which each selected endpoint resolves against its own container ports.
 */
public record PortRule(Protocol protocol, int port, int endPort, String name) {
    public static final PortRule ANY = new PortRule(Protocol.ANY, 0, 0, null);

    public static PortRule range(Protocol protocol, int port, int endPort) {
        return new PortRule(protocol, port, endPort, null);
    }

    public static PortRule named(Protocol protocol, String name) {
        return new PortRule(protocol, 0, 0, name);
    }

    public boolean isNamed() {
        return name != null;
    }

    @Override
    public String toString() {
        String p = protocol == Protocol.ANY ? "any" : protocol.name();
        if (isNamed()) {
            return name + "/" + p;
        }
        if (port == 0) {
            return "*/" + p;
        }
        return (endPort > port ? port + "-" + endPort : Integer.toString(port)) + "/" + p;
    }
}
