package io.gannet.netpolicy.model;

import java.util.List;
import java.util.Map;

/**
 * An endpoint policy applies to or talks about: a pod on some node, or an external endpoint (a
 * VM or bare-metal host registered by address). {@code namedPorts} maps a container port name to
 * its number and protocol, for NetworkPolicy's named ports.
 */
public record Endpoint(String id, Labels labels, List<Cidr> addresses, Map<String, NamedPort> namedPorts, boolean local) {
    public record NamedPort(int port, Protocol protocol) {}

    public Endpoint {
        addresses = List.copyOf(addresses);
        namedPorts = Map.copyOf(namedPorts);
    }
}
