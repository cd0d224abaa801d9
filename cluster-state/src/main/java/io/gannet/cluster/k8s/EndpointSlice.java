package io.gannet.cluster.k8s;

import java.net.InetAddress;
import java.util.List;

/**
 * A discovery.k8s.io/v1 EndpointSlice of one address family ({@code addressType} IPv4,
 * IPv6 or FQDN), tied to its Service by the {@code kubernetes.io/service-name} label.
 */
public record EndpointSlice(String namespace, String name, String serviceName, String addressType,
        List<Endpoint> endpoints, List<Port> ports, List<String> notes) {

    /**
     * One endpoint with its conditions as discovery/v1 defines them: a missing {@code ready}
     * means ready, a missing {@code serving} means the value of ready, a missing
     * {@code terminating} means false. {@code nodeName} is null when not given.
     */
    public record Endpoint(List<InetAddress> addresses, boolean ready, boolean serving, boolean terminating,
            String nodeName) {
        public Endpoint {
            addresses = List.copyOf(addresses);
        }
    }

    /** A slice port: the target port for the Service port of the same name and protocol. */
    public record Port(String name, String protocol, int port) {}

    public EndpointSlice {
        endpoints = List.copyOf(endpoints);
        ports = List.copyOf(ports);
        notes = List.copyOf(notes);
    }

    public String serviceKey() {
        return namespace + "/" + serviceName;
    }
}
