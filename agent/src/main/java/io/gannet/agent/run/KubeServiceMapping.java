package io.gannet.agent.run;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.SourceRange;
import io.gannet.cluster.k8s.EndpointSlice;
import io.gannet.cluster.k8s.IpLiteral;
import io.gannet.cluster.k8s.KubeService;
import io.gannet.cluster.k8s.ServiceCatalog;
import io.gannet.cluster.k8s.ServiceDirectory;
import io.gannet.cluster.k8s.ServiceFrontend;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps the Kubernetes model (cluster-state) to the eBPF datapath's service model (bpf), and
 * says per Service what the datapath does not do yet, so no field is ignored in silence:
 * <ul>
 *   <li>programmed: IPv4 clusterIPs, externalIPs and load-balancer ingress IPs, TCP and UDP,
 *       Local traffic policies and the terminating fallback (decided by the catalog), Maglev,
 *       sessionAffinity ClientIP with its timeout; ICMP errors about a clusterIP's flows both ways
 *       (about requests back to the client pod, a client pod's own about answers on to the backend,
 *       bpf lib/lb.h and lib/icmp6.h, IPv6 too);</li>
 *   <li>IPv4 externalIPs and load-balancer ingress IPs reached from outside the node (bpf
 *       lib/nodeport.h): externalTrafficPolicy Local keeps the client's address and this node's
 *       endpoints; Cluster SNATs to the host devices' first IPv4 address, as kube-proxy and Cilium
 *       masquerade it, so a backend on another node answers through this node whatever the
 *       fabric's routing (the backend does not see the client). When the host devices have no
 *       IPv4 address (or none is given) the frontend is programmed without SNAT, noted: a remote
 *       backend then answers the client directly, which only symmetric routing through this node
 *       delivers. ICMP errors about its replies (PMTUD's fragmentation needed, sent to the external
 *       address) go on to the backend, and with Cluster those about requests SNATed to the node on
 *       to the client (bpf lib/lb.h). Noted per frontend as not done with Cluster: the XDP fast path
 *       (SNATed flows are translated at TC; Local ones are, with {@code gannet run --xdp});</li>
 *   <li>IPv6 clusterIPs (single-stack IPv6, or the second family of a dual-stack Service) are
 *       programmed for pods' traffic with the endpoints of the Service's IPv6 EndpointSlices only
 *       (bpf lib/lb6.h), Maglev, sessionAffinity and hairpin (a pod reaching itself through the
 *       Service, SNATed to the clusterIP as IPv4) included, and for the node's own processes at
 *       connect() with {@code --socket-lb-cgroup} (bpf_sock.c, as IPv4); nothing is noted;</li>
 *   <li>IPv6 externalIPs and load-balancer ingress IPs (bpf lib/lb6.h, lib/nodeport6.h): translated
 *       on host devices and for pods with the IPv6 endpoints; externalTrafficPolicy Local keeps the
 *       client's address and this node's endpoints, Cluster SNATs to the host devices' first global
 *       IPv6 address (not programmed, with a note, when they have none); their IPv6
 *       loadBalancerSourceRanges are enforced (a frontend whose ranges are all IPv4 is not
 *       programmed: fail closed); ICMPv6 errors about their replies go on to the backend, about
 *       SNATed requests on to the client (bpf lib/icmp6.h); the XDP fast path as for IPv4 (Local,
 *       lib/xdp_lb6.h), noted as not done with Cluster;</li>
 *   <li>node ports (type NodePort, and LoadBalancer's): one frontend per node address of each
 *       family the Service has a clusterIP of (the host devices' IPv4 addresses with the IPv4
 *       endpoints, their global IPv6 addresses with the IPv6 endpoints; a family the devices have
 *       no address of is noted); externalTrafficPolicy Cluster SNATs flows from outside the node
 *       to the node address (the client address is hidden, any backend serves), Local keeps the
 *       client address and this node's endpoints only (bpf lib/nodeport.h, lib/nodeport6.h); ICMP
 *       errors as for externalIPs; the XDP fast path as for externalIPs (either family): Local node
 *       ports take it with {@code gannet run --xdp}, Cluster ones are SNATed at TC, noted;</li>
 *   <li>healthCheckNodePort (externalTrafficPolicy Local): the node's local endpoint count, served by
 *       {@link HealthCheckNodePorts};</li>
 *   <li>loadBalancerSourceRanges on externalIPs and load-balancer ingress IPs (as the catalog gives
 *       them): other sources are dropped and counted (DROP_SOURCE_RANGE); node ports are not
 *       restricted (as kube-proxy: the ranges are the load balancer's); a frontend whose ranges
 *       are all IPv6 is not programmed (fail closed);</li>
 *   <li>refused with a note: SCTP ports;</li>
 *   <li>every reader note (unknown fields, DNS-name ingress, topology hints) is passed on.</li>
 * </ul>
 * Pure apart from its result; the caller logs new notes once.
 */
final class KubeServiceMapping {
    /**
     * What an external frontend (externalIP, load-balancer IP, node port) of either family with
     * externalTrafficPolicy Cluster still lacks (bpf lib/xdp_lb.h, lib/xdp_lb6.h).
     */
    private static final String SNAT_NOT_DONE = "the XDP fast path (SNATed flows are translated at TC)";

    private KubeServiceMapping() {}

    /** The frontends to program, how each was made, and the notes per Service (namespace/name). */
    record Mapped(List<ServiceSpec> specs, Map<Frontend, ServiceFrontend.Kind> kinds, Map<String, List<String>> notes,
            Map<Integer, HealthCheckNodePorts.Check> healthChecks) {}

    static Mapped map(ServiceDirectory.Result r, String nodeName) {
        return map(r, nodeName, List.of());
    }

    /**
     * @param nodeAddresses the node's IPv4 addresses node ports are served on; IPv4 flows of external
     *                      frontends with externalTrafficPolicy Cluster are SNATed to the first
     */
    static Mapped map(ServiceDirectory.Result r, String nodeName, List<Integer> nodeAddresses) {
        return map(r, nodeName, nodeAddresses, List.of());
    }

    /**
     * @param nodeAddresses  the node's IPv4 addresses node ports are served on: IPv4 flows of
     *                       external frontends with externalTrafficPolicy Cluster are SNATed to the first
     * @param nodeAddresses6 the node's global IPv6 addresses: IPv6 flows of external frontends with
     *                       externalTrafficPolicy Cluster are SNATed to the first
     */
    static Mapped map(ServiceDirectory.Result r, String nodeName, List<Integer> nodeAddresses, List<Ipv6> nodeAddresses6) {
        Map<String, Set<String>> notes = new LinkedHashMap<>();
        for (KubeService s : r.services()) {
            Set<String> n = notes.computeIfAbsent(s.key(), k -> new LinkedHashSet<>());
            n.addAll(s.notes());
            if (s.healthCheckNodePort() != 0 && !s.externalTrafficLocal()) {
                n.add("healthCheckNodePort " + s.healthCheckNodePort()
                        + ": not served: kube-proxy serves it only with externalTrafficPolicy: Local");
            }
            if ("ExternalName".equals(s.type())) {
                n.add("type ExternalName: DNS only, nothing to program (as kube-proxy)");
            }
        }
        for (EndpointSlice sl : r.slices()) {
            for (String note : sl.notes()) {
                notes.computeIfAbsent(sl.serviceKey(), k -> new LinkedHashSet<>()).add("EndpointSlice " + sl.name() + " " + note);
            }
        }
        List<ServiceSpec> specs = new ArrayList<>();
        Map<Frontend, ServiceFrontend.Kind> kinds = new LinkedHashMap<>();
        List<ServiceFrontend> frontends = ServiceCatalog.join(r.services(), r.slices(), nodeName);
        Map<Integer, HealthCheckNodePorts.Check> checks = new LinkedHashMap<>();
        for (KubeService s : r.services()) {
            if (s.healthCheckNodePort() == 0 || !s.externalTrafficLocal()) {
                continue;
            }
            // kube-proxy: the node's ready endpoints for the Service (external frontends are Local-filtered)
            Set<java.net.InetAddress> local = new LinkedHashSet<>();
            for (ServiceFrontend f : frontends) {
                if (f.service().equals(s.key()) && f.kind().external() && !f.terminatingFallback()) {
                    f.backends().forEach(b -> local.add(b.address()));
                }
            }
            checks.put(s.healthCheckNodePort(), new HealthCheckNodePorts.Check(s.namespace(), s.name(), local.size()));
        }
        Map<String, KubeService> byKey = new LinkedHashMap<>();
        r.services().forEach(s -> byKey.put(s.key(), s));
        for (ServiceFrontend f : frontends) {
            Set<String> n = notes.computeIfAbsent(f.service(), k -> new LinkedHashSet<>());
            String where = f.displayName() + " " + (f.address() == null ? "node port " : IpLiteral.format(f.address()) + ":")
                    + f.port() + "/" + f.protocol();
            if ("SCTP".equals(f.protocol())) {
                n.add(where + ": SCTP refused, the datapath translates TCP and UDP only");
                continue;
            }
            if (f.kind() == ServiceFrontend.Kind.NODE_PORT) {
                KubeService svc = byKey.get(f.service());
                boolean v4 = svc.clusterIps().isEmpty() || svc.clusterIps().stream().anyMatch(a -> a instanceof Inet4Address);
                boolean v6 = svc.clusterIps().stream().anyMatch(a -> a instanceof Inet6Address);
                if (nodeAddresses.isEmpty() && (!v6 || nodeAddresses6.isEmpty())) {
                    n.add(where + ": not programmed: no node address to serve it on (give the node's devices with --host-device)");
                    continue;
                }
                boolean local = svc.externalTrafficLocal();
                if (v4 && nodeAddresses.isEmpty()) {
                    n.add(where + ": not served on IPv4: the host devices have no IPv4 address");
                }
                if (v4 && !nodeAddresses.isEmpty() && !local) {
                    n.add(where + " on IPv4 node addresses, not done from outside the node: " + SNAT_NOT_DONE);
                }
                if (v4) {
                    List<Backend> backends = backends(f).stream().filter(b -> !b.ipv6()).toList();
                    for (int addr : nodeAddresses) {
                        Frontend fe = new Frontend(addr, f.port(), Protocol.parse(f.protocol()));
                        specs.add(new ServiceSpec(f.displayName(), fe, true,
                                f.maglev() ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM, backends,
                                f.affinityTimeoutSeconds(), Map.of(), new ServiceSpec.Access(true, !local, List.of())));
                        kinds.put(fe, f.kind());
                    }
                }
                if (v6) {
                    nodePort6(f, local, where, n, nodeAddresses6, specs, kinds);
                }
                continue;
            }
            if (f.address() instanceof Inet6Address && f.kind() != ServiceFrontend.Kind.CLUSTER_IP) {
                external6(f, byKey.get(f.service()), where, n, nodeAddresses6, specs, kinds);
                continue;
            }
            if (f.address() instanceof Inet6Address) {
                Frontend fe = Frontend.of(Ipv6.of(f.address().getAddress()), f.port(), Protocol.parse(f.protocol()));
                specs.add(new ServiceSpec(f.displayName(), fe, false,
                        f.maglev() ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM, backends(f), f.affinityTimeoutSeconds()));
                kinds.put(fe, f.kind());
                continue;
            }
            List<SourceRange> ranges = new ArrayList<>();
            for (String cidr : f.sourceRanges()) {
                if (cidr.contains(":")) {
                    n.add(where + ": loadBalancerSourceRanges " + cidr + " is IPv6: no IPv4 source matches it");
                    continue;
                }
                ranges.add(SourceRange.parse(cidr));
            }
            if (!f.sourceRanges().isEmpty() && ranges.isEmpty()) {
                n.add(where + ": not programmed: no IPv4 source is in loadBalancerSourceRanges " + f.sourceRanges());
                continue;
            }
            List<Backend> backends = backends(f);
            Frontend fe = new Frontend(ipv4(f.address()), f.port(), Protocol.parse(f.protocol()));
            ServiceSpec.Access access = new ServiceSpec.Access(false, false, ranges);
            if (f.kind().external()) {
                boolean cluster = !byKey.get(f.service()).externalTrafficLocal();
                if (cluster && nodeAddresses.isEmpty()) {
                    n.add(where + ": externalTrafficPolicy Cluster not SNATed: the host devices (--host-device) have no IPv4"
                            + " address; a backend on another node answers the client directly (needs symmetric routing"
                            + " through this node)");
                } else if (cluster) {
                    access = ServiceSpec.Access.snatTo4(nodeAddresses.get(0), ranges);
                }
                if (access.snat()) {
                    n.add(where + ": not done from outside the node: " + SNAT_NOT_DONE);
                }
            }
            specs.add(new ServiceSpec(f.displayName(), fe, f.kind().external(),
                    f.maglev() ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM, backends,
                    f.affinityTimeoutSeconds(), Map.of(), access));
            kinds.put(fe, f.kind());
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        notes.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k, List.copyOf(v));
            }
        });
        return new Mapped(List.copyOf(specs), Map.copyOf(kinds), Map.copyOf(out), Map.copyOf(checks));
    }

    /**
     * An IPv6 externalIP or load-balancer ingress IP (lib/lb6.h, lib/nodeport6.h): translated on
     * host devices for clients outside the node and for pods; externalTrafficPolicy Local keeps
     * the client's address (the catalog gave this node's endpoints only), Cluster SNATs to the
     * node's first global IPv6 address; its IPv6 loadBalancerSourceRanges are enforced (IPv4 ones
     * noted; none left: not programmed, closed). Not programmed without a node IPv6 address to SNAT to.
     */
    private static void external6(ServiceFrontend f, KubeService svc, String where, Set<String> n, List<Ipv6> nodeAddresses6,
            List<ServiceSpec> specs, Map<Frontend, ServiceFrontend.Kind> kinds) {
        List<SourceRange> ranges = new ArrayList<>();
        for (String cidr : f.sourceRanges()) {
            if (!cidr.contains(":")) {
                n.add(where + ": loadBalancerSourceRanges " + cidr + " is IPv4: no IPv6 source matches it");
                continue;
            }
            ranges.add(SourceRange.parse(cidr));
        }
        if (!f.sourceRanges().isEmpty() && ranges.isEmpty()) {
            n.add(where + ": not programmed: no IPv6 source is in loadBalancerSourceRanges " + f.sourceRanges());
            return;
        }
        boolean local = svc.externalTrafficLocal();
        if (!local && nodeAddresses6.isEmpty()) {
            n.add(where + ": not programmed: externalTrafficPolicy Cluster SNATs to a node IPv6 address, and the host devices"
                    + " (--host-device) have none");
            return;
        }
        if (!local) {
            n.add(where + ": not done from outside the node: " + SNAT_NOT_DONE);
        }
        Frontend fe = Frontend.of(Ipv6.of(f.address().getAddress()), f.port(), Protocol.parse(f.protocol()));
        specs.add(new ServiceSpec(f.displayName(), fe, true, f.maglev() ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM,
                backends(f), f.affinityTimeoutSeconds(), Map.of(), new ServiceSpec.Access(false, !local, ranges, local ? null : nodeAddresses6.get(0))));
        kinds.put(fe, f.kind());
    }

    /**
     * A node port of a Service with an IPv6 clusterIP, on the node's global IPv6 addresses with the
     * IPv6 endpoints (lib/lb6.h, lib/nodeport6.h): Local keeps the client's address and this
     * node's endpoints, Cluster SNATs to the node address the client reached (the frontend's own).
     */
    private static void nodePort6(ServiceFrontend f, boolean local, String where, Set<String> n, List<Ipv6> nodeAddresses6,
            List<ServiceSpec> specs, Map<Frontend, ServiceFrontend.Kind> kinds) {
        if (nodeAddresses6.isEmpty()) {
            n.add(where + ": not served on IPv6: the host devices (--host-device) have no global IPv6 address");
            return;
        }
        if (!local) {
            n.add(where + " on IPv6 node addresses, not done from outside the node: " + SNAT_NOT_DONE);
        }
        List<Backend> backends = backends(f).stream().filter(Backend::ipv6).toList();
        for (Ipv6 addr : nodeAddresses6) {
            Frontend fe = Frontend.of(addr, f.port(), Protocol.parse(f.protocol()));
            specs.add(new ServiceSpec(f.displayName(), fe, true, f.maglev() ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM,
                    backends, f.affinityTimeoutSeconds(), Map.of(), new ServiceSpec.Access(true, !local, List.of())));
            kinds.put(fe, f.kind());
        }
    }

    /** The frontend's endpoints, each of its own family (the catalog gives an address frontend its family's only). */
    private static List<Backend> backends(ServiceFrontend f) {
        List<Backend> backends = new ArrayList<>();
        for (ServiceFrontend.Backend b : f.backends()) {
            backends.add(b.address() instanceof Inet6Address ? Backend.of(Ipv6.of(b.address().getAddress()), b.port())
                    : new Backend(ipv4(b.address()), b.port()));
        }
        return backends;
    }

    private static int ipv4(java.net.InetAddress a) {
        return ByteBuffer.wrap(a.getAddress()).getInt();
    }
}
