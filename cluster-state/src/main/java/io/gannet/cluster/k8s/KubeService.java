package io.gannet.cluster.k8s;

import java.net.InetAddress;
import java.util.List;

/**
 * A Kubernetes Service (core/v1) with every field that decides how its traffic is served.
 *
 * @param type                    ClusterIP, NodePort, LoadBalancer or ExternalName
 * @param clusterIps              {@code spec.clusterIPs} (or {@code spec.clusterIP}); empty when headless
 * @param externalIps             {@code spec.externalIPs}
 * @param loadBalancerIngress     {@code status.loadBalancer.ingress[].ip}
 * @param externalTrafficLocal    {@code externalTrafficPolicy: Local}
 * @param internalTrafficLocal    {@code internalTrafficPolicy: Local}
 * @param affinityTimeoutSeconds  {@code sessionAffinity: ClientIP} timeout (10800 by default), 0 for None
 * @param loadBalancerSourceRanges CIDRs allowed to reach the external frontends; empty = all
 * @param healthCheckNodePort     0 when none
 * @param maglev                  annotation {@code gannet.io/lb-algorithm: maglev}
 * @param notes                   fields read but not modelled (unknown fields, host names), per object
 */
public record KubeService(String namespace, String name, String type, List<InetAddress> clusterIps,
        List<InetAddress> externalIps, List<InetAddress> loadBalancerIngress, List<Port> ports,
        boolean externalTrafficLocal, boolean internalTrafficLocal, int affinityTimeoutSeconds,
        List<String> loadBalancerSourceRanges, int healthCheckNodePort, boolean maglev, List<String> notes) {

    /** A Service port; nodePort 0 when none was allocated. */
    public record Port(String name, String protocol, int port, int nodePort) {}

    public KubeService {
        clusterIps = List.copyOf(clusterIps);
        externalIps = List.copyOf(externalIps);
        loadBalancerIngress = List.copyOf(loadBalancerIngress);
        ports = List.copyOf(ports);
        loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges);
        notes = List.copyOf(notes);
    }

    /** namespace/name */
    public String key() {
        return namespace + "/" + name;
    }
}
