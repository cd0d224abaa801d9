package io.gannet.cluster.k8s;

import java.net.InetAddress;
import java.util.List;

/**
 * One address:port/protocol a Service answers on, with the endpoints that serve it — the
 * unit a datapath programs. Built by {@link ServiceCatalog}.
 *
 * @param service           namespace/name
 * @param portName          the Service port's name ("" when unnamed)
 * @param kind              which Service field made this frontend
 * @param address           the frontend address; null for {@link Kind#NODE_PORT} (every node address)
 * @param maglev            consistent (Maglev) backend choice requested
 * @param affinityTimeoutSeconds ClientIP affinity timeout, 0 for none
 * @param sourceRanges      loadBalancerSourceRanges (external kinds only; empty = everyone)
 * @param backends          endpoints chosen as kube-proxy chooses them (ready, else serving+terminating)
 * @param terminatingFallback true when {@code backends} are terminating endpoints used for lack of ready ones
 */
public record ServiceFrontend(String service, String portName, Kind kind, InetAddress address, int port, String protocol,
        boolean maglev, int affinityTimeoutSeconds, List<String> sourceRanges, List<Backend> backends,
        boolean terminatingFallback) {

    /** The Service field a frontend comes from. */
    public enum Kind {
        CLUSTER_IP,
        EXTERNAL_IP,
        LOAD_BALANCER_INGRESS,
        NODE_PORT;

        /** Reached from outside the cluster (externalTrafficPolicy and source ranges apply). */
        public boolean external() {
            return this != CLUSTER_IP;
        }
    }

    /** An endpoint address and target port. */
    public record Backend(InetAddress address, int port) {
        @Override
        public String toString() {
            return (address.getAddress().length == 16 ? "[" + IpLiteral.format(address) + "]" : IpLiteral.format(address))
                    + ":" + port;
        }
    }

    public ServiceFrontend {
        sourceRanges = List.copyOf(sourceRanges);
        backends = List.copyOf(backends);
    }

    /** namespace/name:port-name, or namespace/name for an unnamed port. */
    public String displayName() {
        return service + (portName.isEmpty() ? "" : ":" + portName);
    }

    /** "IPv4" or "IPv6"; null for a NodePort frontend (both). */
    public String family() {
        return address == null ? null : IpLiteral.family(address);
    }
}
