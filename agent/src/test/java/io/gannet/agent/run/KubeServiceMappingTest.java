package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.cluster.k8s.ServiceDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dual-stack Services from a directory of YAML as {@code kubectl get -o yaml} writes it: one
 * frontend per clusterIP, each with its own family's EndpointSlice endpoints, so one family's
 * slice changing or going away never changes the other family's frontend; what IPv6 does not
 * do is noted on the Service.
 */
class KubeServiceMappingTest {
    @TempDir
    Path dir;

    static final String SERVICE = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: web, namespace: default}
              spec:
                type: %s
                clusterIP: 10.96.0.10
                clusterIPs: [10.96.0.10, "fd00:96::a"]
                ipFamilies: [IPv4, IPv6]
                ipFamilyPolicy: RequireDualStack
                ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080%s}]
                sessionAffinity: %s
                externalIPs: ["fd00:1::5"]
            metadata: {resourceVersion: ""}
            """;
    static final String SLICE4 = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abcde, namespace: default, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            endpoints:
            - addresses: [10.244.2.7]
              conditions: {ready: true}
            ports: [{name: http, port: 8080, protocol: TCP}]
            """;
    static final String SLICE6 = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-fghij, namespace: default, labels: {kubernetes.io/service-name: web}}
            addressType: IPv6
            endpoints:
            - addresses: ["fd00:10:244:2::7"]
              conditions: {ready: true}
            - addresses: ["fd00:10:244:3::7"]
              conditions: {ready: true}
            ports: [{name: http, port: 8080, protocol: TCP}]
            """;

    private KubeServiceMapping.Mapped map(String type, String nodePort, String affinity) throws Exception {
        Files.writeString(dir.resolve("web.yaml"), SERVICE.formatted(type, nodePort, affinity));
        ServiceDirectory.Result r = new ServiceDirectory(dir).reload();
        assertThat(r.errors()).isEmpty();
        return KubeServiceMapping.map(r, "node1", List.of(Ipv4.parse("10.205.0.1")));
    }

    private static Map<String, ServiceSpec> byFrontend(KubeServiceMapping.Mapped m) {
        return m.specs().stream().collect(Collectors.toMap(s -> s.frontend().toString(), Function.identity()));
    }

    @Test
    void eachFamilyGetsItsOwnSlicesEndpointsAndLosingOneSliceLeavesTheOtherAlone() throws Exception {
        Files.writeString(dir.resolve("slice4.yaml"), SLICE4);
        Files.writeString(dir.resolve("slice6.yaml"), SLICE6);
        Map<String, ServiceSpec> both = byFrontend(map("ClusterIP", "", "None"));
        assertThat(both.keySet()).containsExactlyInAnyOrder("10.96.0.10:80/TCP", "[fd00:96::a]:80/TCP");
        assertThat(both.get("10.96.0.10:80/TCP").backends()).containsExactly(Backend.of("10.244.2.7", 8080));
        assertThat(both.get("[fd00:96::a]:80/TCP").backends())
                .containsExactly(Backend.of("fd00:10:244:2::7", 8080), Backend.of("fd00:10:244:3::7", 8080));

        Files.delete(dir.resolve("slice6.yaml"));
        Map<String, ServiceSpec> noV6 = byFrontend(map("ClusterIP", "", "None"));
        assertThat(noV6.get("10.96.0.10:80/TCP")).isEqualTo(both.get("10.96.0.10:80/TCP"));
        assertThat(noV6.get("[fd00:96::a]:80/TCP").backends()).isEmpty();

        Files.writeString(dir.resolve("slice6.yaml"), SLICE6);
        Files.delete(dir.resolve("slice4.yaml"));
        Map<String, ServiceSpec> noV4 = byFrontend(map("ClusterIP", "", "None"));
        assertThat(noV4.get("[fd00:96::a]:80/TCP")).isEqualTo(both.get("[fd00:96::a]:80/TCP"));
        assertThat(noV4.get("10.96.0.10:80/TCP").backends()).isEmpty();
    }

    @Test
    void whatIpv6DoesNotDoIsNotedOnTheService() throws Exception {
        Files.writeString(dir.resolve("slice4.yaml"), SLICE4);
        Files.writeString(dir.resolve("slice6.yaml"), SLICE6);
        KubeServiceMapping.Mapped m = map("NodePort", ", nodePort: 30080", "ClientIP");
        List<String> notes = m.notes().get("default/web");
        // the IPv6 clusterIP is served whole (connect-time, rejects, ICMPv6 errors, hairpin): nothing to note
        assertThat(notes).noneMatch(n -> n.startsWith("IPv6 clusterIP")).noneMatch(n -> n.contains("hairpin"));
        assertThat(notes).noneMatch(n -> n.contains("sessionAffinity"));
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("fd00:1:0:0:0:0:0:5:80/TCP: not programmed:"
                + " externalTrafficPolicy Cluster SNATs to a node IPv6 address, and the host devices (--host-device) have none"));
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("node port 30080/TCP: not served on IPv6: the host devices"
                + " (--host-device) have no global IPv6 address"));
        assertThat(notes).anySatisfy(n -> assertThat(n).isEqualTo("default/web:http node port 30080/TCP on IPv4 node addresses, not done"
                + " from outside the node: the XDP fast path (SNATed flows are translated at TC)"));
        assertThat(notes).as("ICMP errors about node ports' flows are translated (bpf lib/lb.h, lib/icmp6.h)")
                .noneMatch(n -> n.contains("ICMP"));
        Map<String, ServiceSpec> specs = byFrontend(m);
        assertThat(specs.get("10.205.0.1:30080/TCP").backends()).as("never an IPv6 endpoint").containsExactly(Backend.of("10.244.2.7", 8080));
        assertThat(specs.get("10.96.0.10:80/TCP").affinityTimeoutSeconds()).isEqualTo(10800);
        assertThat(specs.get("[fd00:96::a]:80/TCP").affinityTimeoutSeconds()).as("sessionAffinity on IPv6 too").isEqualTo(10800);
        assertThat(specs).doesNotContainKey("[fd00:1::5]:80/TCP");
    }

    @Test
    void anIpv6OnlyServicesNodePortIsNotProgrammedOnIpv4NodeAddresses() throws Exception {
        Files.writeString(dir.resolve("slice6.yaml"), SLICE6);
        Files.writeString(dir.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  type: NodePort
                  clusterIPs: ["fd00:96::a"]
                  ipFamilies: [IPv6]
                  ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080, nodePort: 30080}]
                """);
        KubeServiceMapping.Mapped m = KubeServiceMapping.map(new ServiceDirectory(dir).reload(), "node1",
                List.of(Ipv4.parse("10.205.0.1")));
        assertThat(m.specs()).extracting(s -> s.frontend().toString()).containsExactly("[fd00:96::a]:80/TCP");
        assertThat(m.notes().get("default/web")).anySatisfy(n -> assertThat(n).contains("node port 30080/TCP: not served on IPv6"));

        // with a node IPv6 address: served there, with the IPv6 endpoints, SNATed to it (Cluster)
        m = KubeServiceMapping.map(new ServiceDirectory(dir).reload(), "node1", List.of(Ipv4.parse("10.205.0.1")),
                List.of(Ipv6.parse("fd00:205::1")));
        Map<String, ServiceSpec> specs = byFrontend(m);
        assertThat(specs.keySet()).containsExactlyInAnyOrder("[fd00:96::a]:80/TCP", "[fd00:205::1]:30080/TCP");
        ServiceSpec np = specs.get("[fd00:205::1]:30080/TCP");
        assertThat(np.external()).isTrue();
        assertThat(np.backends()).containsExactly(Backend.of("fd00:10:244:2::7", 8080), Backend.of("fd00:10:244:3::7", 8080));
        assertThat(np.access().nodePort()).isTrue();
        assertThat(np.access().snatSource6()).isEqualTo(Ipv6.parse("fd00:205::1"));
        assertThat(m.notes().get("default/web")).noneMatch(n -> n.contains("node port 30080/TCP: not"))
                .anySatisfy(n -> assertThat(n).endsWith("node port 30080/TCP on IPv6 node addresses, not done from outside the node:"
                        + " the XDP fast path (SNATed flows are translated at TC)"));
    }

    @Test
    void aDualStackServicesNodePortIsServedOnBothFamiliesNodeAddressesWithEachFamilysEndpoints() throws Exception {
        Files.writeString(dir.resolve("slice4.yaml"), SLICE4);
        Files.writeString(dir.resolve("slice6.yaml"), SLICE6);
        Files.writeString(dir.resolve("web.yaml"), SERVICE.formatted("NodePort", ", nodePort: 30080", "ClientIP"));
        KubeServiceMapping.Mapped m = KubeServiceMapping.map(new ServiceDirectory(dir).reload(), "node1",
                List.of(Ipv4.parse("10.205.0.1")), List.of(Ipv6.parse("fd00:205::1"), Ipv6.parse("2001:db8:205::1")));
        Map<String, ServiceSpec> specs = byFrontend(m);
        assertThat(specs.get("10.205.0.1:30080/TCP").backends()).containsExactly(Backend.of("10.244.2.7", 8080));
        for (String fe : List.of("[fd00:205::1]:30080/TCP", "[2001:db8:205::1]:30080/TCP")) {
            assertThat(specs.get(fe).backends()).as(fe).containsExactly(Backend.of("fd00:10:244:2::7", 8080),
                    Backend.of("fd00:10:244:3::7", 8080));
            assertThat(specs.get(fe).access().snatSource6()).as(fe + ": SNAT to the address the client reached")
                    .isEqualTo(Ipv6.parse(fe.substring(1, fe.indexOf(']'))));
            assertThat(specs.get(fe).affinityTimeoutSeconds()).isEqualTo(10800);
        }
        assertThat(specs.get("10.205.0.1:30080/TCP").affinityTimeoutSeconds()).isEqualTo(10800);
        assertThat(m.notes().get("default/web")).noneMatch(n -> n.contains("sessionAffinity"));
    }

    /** An IPv6 externalIP and load-balancer IP, each traffic policy, as {@code kubectl get -o yaml} writes them. */
    private KubeServiceMapping.Mapped external6(String policy, String extra) throws Exception {
        Files.writeString(dir.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  type: LoadBalancer
                  clusterIPs: ["fd00:96::a"]
                  ipFamilies: [IPv6]
                  externalIPs: ["2001:db8:80::5"]
                  externalTrafficPolicy: %s
                  ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080, nodePort: 30080}]
                %s
                status: {loadBalancer: {ingress: [{ip: "2001:db8:80::6"}]}}
                """.formatted(policy, extra));
        Files.writeString(dir.resolve("slice6.yaml"), """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-fghij, namespace: default, labels: {kubernetes.io/service-name: web}}
                addressType: IPv6
                endpoints:
                - addresses: ["fd00:10:244:2::7"]
                  nodeName: node1
                  conditions: {ready: true}
                - addresses: ["fd00:10:244:3::7"]
                  nodeName: node2
                  conditions: {ready: true}
                ports: [{name: http, port: 8080, protocol: TCP}]
                """);
        return KubeServiceMapping.map(new ServiceDirectory(dir).reload(), "node1", List.of(), List.of(Ipv6.parse("fd00:205::1")));
    }

    @Test
    void ipv6ExternalFrontendsFollowTheirTrafficPolicy() throws Exception {
        Map<String, ServiceSpec> cluster = byFrontend(external6("Cluster", ""));
        for (String fe : List.of("[2001:db8:80::5]:80/TCP", "[2001:db8:80::6]:80/TCP")) {
            ServiceSpec s = cluster.get(fe);
            assertThat(s.external()).as(fe).isTrue();
            assertThat(s.backends()).as(fe + ": every endpoint").hasSize(2);
            assertThat(s.access().snat()).as(fe + ": SNAT").isTrue();
            assertThat(s.access().snatSource6()).as(fe + ": to the node's IPv6 address").isEqualTo(Ipv6.parse("fd00:205::1"));
        }
        Map<String, ServiceSpec> local = byFrontend(external6("Local", ""));
        for (String fe : List.of("[2001:db8:80::5]:80/TCP", "[2001:db8:80::6]:80/TCP")) {
            ServiceSpec s = local.get(fe);
            assertThat(s.backends()).as(fe + ": this node's endpoint only").containsExactly(Backend.of("fd00:10:244:2::7", 8080));
            assertThat(s.access().snat()).as(fe + ": the client's address kept").isFalse();
        }
        // Local: served by the XDP fast path too (lib/xdp_lb6.h), nothing noted; Cluster: SNATed at TC, noted as for IPv4
        assertThat(external6("Local", "").notes().getOrDefault("default/web", List.of())).noneMatch(n -> n.contains("2001:db8:80"));
        assertThat(external6("Cluster", "").notes().get("default/web"))
                .anySatisfy(n -> assertThat(n).isEqualTo("default/web:http 2001:db8:80:0:0:0:0:5:80/TCP: not done from outside the node:"
                        + " the XDP fast path (SNATed flows are translated at TC)"));

        // IPv6 loadBalancerSourceRanges are enforced; an IPv4 one matches no IPv6 source (noted)
        KubeServiceMapping.Mapped ranged = external6("Local", "  loadBalancerSourceRanges: [2001:db8:1::/48, 10.0.0.0/8]");
        assertThat(byFrontend(ranged).get("[2001:db8:80::6]:80/TCP").access().sourceRanges()).extracting(Object::toString)
                .containsExactly("2001:db8:1::/48");
        assertThat(ranged.notes().get("default/web")).anySatisfy(n -> assertThat(n)
                .contains("2001:db8:80:0:0:0:0:6:80/TCP: loadBalancerSourceRanges 10.0.0.0/8 is IPv4: no IPv6 source matches it"));
        // only IPv4 ranges: not programmed (closed, not open), and said so
        KubeServiceMapping.Mapped closed = external6("Cluster", "  loadBalancerSourceRanges: [10.0.0.0/8]");
        assertThat(byFrontend(closed)).doesNotContainKey("[2001:db8:80::6]:80/TCP");
        assertThat(closed.notes().get("default/web")).anySatisfy(n -> assertThat(n)
                .contains("2001:db8:80:0:0:0:0:6:80/TCP: not programmed: no IPv6 source is in loadBalancerSourceRanges"));
    }

    /** An IPv4 externalIP and load-balancer IP, each traffic policy, as {@code kubectl get -o yaml} writes them. */
    private KubeServiceMapping.Mapped external4(String policy, String extra, List<Integer> nodeAddresses) throws Exception {
        Files.writeString(dir.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.0.10
                  externalIPs: [192.0.2.5]
                  externalTrafficPolicy: %s
                  ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080, nodePort: 30080}]
                %s
                status: {loadBalancer: {ingress: [{ip: 192.0.2.6}]}}
                """.formatted(policy, extra));
        Files.writeString(dir.resolve("slice4.yaml"), """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-abcde, namespace: default, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                endpoints:
                - addresses: [10.244.2.7]
                  nodeName: node1
                  conditions: {ready: true}
                - addresses: [10.244.3.7]
                  nodeName: node2
                  conditions: {ready: true}
                ports: [{name: http, port: 8080, protocol: TCP}]
                """);
        return KubeServiceMapping.map(new ServiceDirectory(dir).reload(), "node1", nodeAddresses);
    }

    @Test
    void ipv4ExternalFrontendsWithClusterPolicyAreSnatedToTheFirstNodeAddressAndLocalKeepsTheClient() throws Exception {
        List<Integer> node = List.of(Ipv4.parse("10.205.0.1"), Ipv4.parse("10.205.1.1"));
        KubeServiceMapping.Mapped cluster = external4("Cluster", "  loadBalancerSourceRanges: [10.0.0.0/8]", node);
        Map<String, ServiceSpec> specs = byFrontend(cluster);
        for (String fe : List.of("192.0.2.5:80/TCP", "192.0.2.6:80/TCP")) {
            ServiceSpec s = specs.get(fe);
            assertThat(s.external()).as(fe).isTrue();
            assertThat(s.backends()).as(fe + ": every endpoint").hasSize(2);
            assertThat(s.access().snat()).as(fe + ": SNAT").isTrue();
            assertThat(s.access().nodePort()).as(fe).isFalse();
            assertThat(Ipv4.format(s.access().snatSource4())).as(fe + ": to the host devices' first IPv4 address")
                    .isEqualTo("10.205.0.1");
            assertThat(s.access().sourceRanges()).as(fe + ": the ranges kept").extracting(Object::toString)
                    .containsExactly("10.0.0.0/8");
        }
        assertThat(specs.get("10.96.0.10:80/TCP").access().snat()).as("the clusterIP: pods only, never SNATed").isFalse();
        for (String np : List.of("10.205.0.1:30080/TCP", "10.205.1.1:30080/TCP")) {
            assertThat(specs.get(np).access().snat()).as(np + ": SNAT").isTrue();
            assertThat(specs.get(np).access().snatSource4()).as(np + ": to its own address, no source").isZero();
        }
        assertThat(cluster.notes().get("default/web")).noneMatch(n -> n.contains("not SNATed"))
                .anySatisfy(n -> assertThat(n).isEqualTo("default/web:http 192.0.2.5:80/TCP: not done from outside the node: the XDP"
                        + " fast path (SNATed flows are translated at TC)"))
                .noneMatch(n -> n.contains("ICMP"));

        KubeServiceMapping.Mapped localMapped = external4("Local", "", node);
        assertThat(localMapped.notes().getOrDefault("default/web", List.of())).as("Local: nothing left undone from outside the node")
                .noneMatch(n -> n.contains("192.0.2.6:80/TCP: not done"));
        Map<String, ServiceSpec> local = byFrontend(localMapped);
        for (String fe : List.of("192.0.2.5:80/TCP", "192.0.2.6:80/TCP")) {
            ServiceSpec s = local.get(fe);
            assertThat(s.backends()).as(fe + ": this node's endpoint only").containsExactly(Backend.of("10.244.2.7", 8080));
            assertThat(s.access().snat()).as(fe + ": the client's address kept").isFalse();
            assertThat(s.access().snatSource4()).isZero();
        }

        // no IPv4 address on the host devices: programmed without SNAT (pods still reach it), and said so
        KubeServiceMapping.Mapped none = external4("Cluster", "", List.of());
        assertThat(byFrontend(none).get("192.0.2.5:80/TCP").access().snat()).isFalse();
        assertThat(none.notes().get("default/web")).anySatisfy(n -> assertThat(n).contains("192.0.2.5:80/TCP: externalTrafficPolicy"
                + " Cluster not SNATed: the host devices (--host-device) have no IPv4 address"));
    }
}
