package io.gannet.cluster.k8s;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Joins Services with their EndpointSlices into {@link ServiceFrontend}s the way kube-proxy
 * does:
 * <ul>
 *   <li>every Service port becomes a frontend on each clusterIP (one per family), each
 *       externalIP, each {@code status.loadBalancer.ingress} IP and, for NodePort and
 *       LoadBalancer Services, on the node port;</li>
 *   <li>its endpoints are those of the Service's slices <em>of the frontend's family</em>
 *       (so an IPv6 slice never changes the IPv4 frontends), at the slice port with the same
 *       name and protocol;</li>
 *   <li>{@code internalTrafficPolicy: Local} keeps only this node's endpoints for the
 *       clusterIP, {@code externalTrafficPolicy: Local} for the external frontends;</li>
 *   <li>ready endpoints are used; when none is ready, serving endpoints that are terminating
 *       are used instead (kube-proxy's terminating-endpoint fallback, KEP-1669).</li>
 * </ul>
 * Pure function: no I/O, no state.
 */
public final class ServiceCatalog {
    private ServiceCatalog() {}

    /**
     * @param nodeName this node's name as endpoints' {@code nodeName} spells it (for the Local
     *                 traffic policies); null matches no endpoint
     */
    public static List<ServiceFrontend> join(List<KubeService> services, List<EndpointSlice> slices, String nodeName) {
        List<ServiceFrontend> out = new ArrayList<>();
        for (KubeService s : services) {
            if ("ExternalName".equals(s.type())) {
                continue; // DNS only: kube-proxy programs nothing for it either
            }
            List<EndpointSlice> mine = slices.stream().filter(sl -> sl.serviceKey().equals(s.key())).toList();
            for (KubeService.Port p : s.ports()) {
                for (InetAddress a : s.clusterIps()) {
                    out.add(frontend(s, p, ServiceFrontend.Kind.CLUSTER_IP, a, p.port(), mine, nodeName));
                }
                for (InetAddress a : s.externalIps()) {
                    out.add(frontend(s, p, ServiceFrontend.Kind.EXTERNAL_IP, a, p.port(), mine, nodeName));
                }
                for (InetAddress a : s.loadBalancerIngress()) {
                    out.add(frontend(s, p, ServiceFrontend.Kind.LOAD_BALANCER_INGRESS, a, p.port(), mine, nodeName));
                }
                if (p.nodePort() != 0 && ("NodePort".equals(s.type()) || "LoadBalancer".equals(s.type()))) {
                    out.add(frontend(s, p, ServiceFrontend.Kind.NODE_PORT, null, p.nodePort(), mine, nodeName));
                }
            }
        }
        return out;
    }

    private static ServiceFrontend frontend(KubeService s, KubeService.Port p, ServiceFrontend.Kind kind, InetAddress addr,
            int port, List<EndpointSlice> slices, String nodeName) {
        boolean local = kind.external() ? s.externalTrafficLocal() : s.internalTrafficLocal();
        String family = addr == null ? null : IpLiteral.family(addr);
        Set<ServiceFrontend.Backend> ready = new LinkedHashSet<>();
        Set<ServiceFrontend.Backend> terminating = new LinkedHashSet<>();
        for (EndpointSlice sl : slices) {
            if ("FQDN".equals(sl.addressType()) || (family != null && !family.equals(sl.addressType()))) {
                continue;
            }
            for (EndpointSlice.Port sp : sl.ports()) {
                if (!sp.name().equals(p.name()) || !sp.protocol().equals(p.protocol())) {
                    continue;
                }
                for (EndpointSlice.Endpoint e : sl.endpoints()) {
                    if (local && (nodeName == null || !nodeName.equals(e.nodeName()))) {
                        continue;
                    }
                    for (InetAddress a : e.addresses()) {
                        ServiceFrontend.Backend b = new ServiceFrontend.Backend(a, sp.port());
                        if (e.ready()) {
                            ready.add(b);
                        } else if (e.serving() && e.terminating()) {
                            terminating.add(b);
                        }
                    }
                }
            }
        }
        boolean fallback = ready.isEmpty() && !terminating.isEmpty();
        List<ServiceFrontend.Backend> backends = List.copyOf(fallback ? terminating : ready);
        return new ServiceFrontend(s.key(), p.name(), kind, addr, port, p.protocol(), s.maglev(),
                s.affinityTimeoutSeconds(), kind.external() ? s.loadBalancerSourceRanges() : List.of(), backends, fallback);
    }
}
