package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.lab.Fabric;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dual-stack Service through {@code gannet run --services-dir DIR --cni-socket ...}, as a user
 * runs it: the fabric of {@link DaemonDualStackTest} (two dual-stack nodes, an FRR leaf), pods
 * made by the CNI plugin binary, a Service with an IPv4 and an IPv6 clusterIP and an
 * EndpointSlice of each family written into the directory as {@code kubectl get -o yaml} writes
 * them. A pod on node 1 connects to either clusterIP and reaches the backend pod on node 2; its
 * socket sees the clusterIP as its peer (the reply was reverse-NATed). Deleting the IPv6 slice
 * empties the IPv6 frontend only: the IPv4 one keeps its backend and keeps answering. A 4000-byte
 * UDP datagram to an IPv6-only UDP Service leaves pod A in fragments (its veth's MTU is 1500) and
 * reaches the backend whole; the backend's echo comes back in fragments, every one of them from
 * the clusterIP (a connected socket receives it, byte for byte).
 */
class DaemonDualStackServicesTest {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: dual-svc}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool:
                - {cidr: 10.244.0.0/16, prefixLength: 24}
                - {cidr: "fd00:10:244::/56", prefixLength: 64}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.206.0.254, "fd00:206::fe"], asn: 4200100001}
                hosts:
                  - {name: node1, address: [10.206.0.1, "fd00:206::1"], podCIDR: [10.244.61.0/24, "fd00:10:244:61::/64"]}
                  - {name: node2, address: [10.206.0.2, "fd00:206::2"], podCIDR: [10.244.62.0/24, "fd00:10:244:62::/64"]}
            """;

    /** A dual-stack server: answers with its name and the client address it saw. */
    private static final String SERVER = """
            import socket, sys
            s = socket.socket(socket.AF_INET6)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(("::", int(sys.argv[2])))
            s.listen(64)
            while True:
                c, a = s.accept()
                try:
                    c.recv(4096)
                    c.sendall(("%s %s\\n" % (sys.argv[1], a[0])).encode())
                finally:
                    c.close()
            """;

    /** Connects to argv[1]:argv[2]; prints the peer address its socket sees, then the answer. */
    private static final String CLIENT = """
            import socket, sys
            try:
                c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
                peer = c.getpeername()
                c.sendall(b"hello\\n")
                print("peer %s %d answer %s" % (peer[0], peer[1], c.recv(4096).decode().strip()))
            except Exception as e:
                print("failed %s" % e)
            """;

    /** Echoes every UDP datagram back to its sender. */
    private static final String UDP_ECHO = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind(("::", int(sys.argv[1])))
            while True:
                d, a = s.recvfrom(65535)
                s.sendto(d, a)
            """;

    /** Sends argv[3] bytes to argv[1]:argv[2] from a connected UDP socket; prints who answered, and whether with the same bytes. */
    private static final String UDP_CLIENT = """
            import socket, sys
            c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            c.settimeout(2)
            try:
                c.connect((sys.argv[1], int(sys.argv[2])))
                data = bytes(i % 251 for i in range(int(sys.argv[3])))
                c.send(data)
                got, peer = c.recvfrom(65535)
                print("peer %s %d %s %d" % (peer[0], peer[1], "same" if got == data else "different", len(got)))
            except Exception as e:
                print("failed %s" % e)
            """;

    private static final String V6_DNS = "fd00:96::61:35";
    private static final String V4 = "10.96.61.10";
    private static final String V6 = "fd00:96::61:a";

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private final List<GannetProcess> daemons = new ArrayList<>();
    private FrrRouter frr;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void aPodReachesARemoteBackendThroughBothClusterIpsOneFamilysSliceNeverTouchesTheOtherAndFragmentsCrossTheIpv6One()
            throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("python3");
        Requirements.requireCommand(Fabric.BGPD);
        Requirements.requireCommand("/usr/lib/frr/zebra");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        DualStackRack rack = DualStackRack.wire(bed, "10.206.0", "fd00:206", "dvl", "dv1", "dv2");
        NetworkNamespace leaf = rack.leaf();
        NetworkNamespace[] nodes = rack.nodes();
        Path profile = Files.writeString(dir.resolve("profile.yaml"), PROFILE);
        frr = bed.own(FrrRouter.start(leaf, dir.resolve("frr"), GannetProcess.render(profile, "leaf1")));

        Path pinRoot = bed.pinRoot("dualsvc-test");
        Path services = Files.createDirectories(dir.resolve("services"));
        Path[] sockets = new Path[2];
        for (int i = 0; i < 2; i++) {
            Path d = Files.createDirectories(dir.resolve("node" + (i + 1)));
            sockets[i] = d.resolve("cni.sock");
            daemons.add(bed.daemon(i == 0
                    ? GannetProcess.startKeepingMounts(nodes[i], d, profile, "node1", "--cni-socket", sockets[i].toString(),
                            "--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString())
                    : GannetProcess.start(nodes[i], d, profile, "node2", "--cni-socket", sockets[i].toString())));
        }
        for (int i = 0; i < 2; i++) {
            GannetProcess g = daemons.get(i);
            g.awaitTrue("node" + (i + 1) + ": both sessions with leaf1", () -> g.established("leaf1") && g.established("leaf1-ipv6"),
                    () -> frr.vtysh("show bgp summary") + frr.log());
        }
        daemons.get(0).awaitTrue("the leaf installed the four PodCIDRs", () -> {
            String v4 = leaf.exec("ip", "-4", "route", "show");
            String v6 = leaf.exec("ip", "-6", "route", "show");
            return v4.contains("10.244.61.0/24") && v4.contains("10.244.62.0/24")
                    && v6.contains("fd00:10:244:61::/64") && v6.contains("fd00:10:244:62::/64");
        }, () -> frr.vtysh("show bgp ipv4 unicast") + frr.vtysh("show bgp ipv6 unicast"));

        NetworkNamespace podA = bed.ns("dva");
        NetworkNamespace podB = bed.ns("dvb");
        JsonNode a = CniCall.add(plugin, nodes[0], sockets[0], "ctr-a", podA, null);
        JsonNode b = CniCall.add(plugin, nodes[1], sockets[1], "ctr-b", podB, null);
        String a4 = DualStackRack.ip(a, "10.244.61."), a6 = DualStackRack.ip(a, "fd00:10:244:61:");
        String b4 = DualStackRack.ip(b, "10.244.62."), b6 = DualStackRack.ip(b, "fd00:10:244:62:");
        Path server = dir.resolve("server.py");
        Files.writeString(server, SERVER);
        Path client = dir.resolve("client.py");
        Files.writeString(client, CLIENT);
        bed.start(podB, "python3", server.toString(), "pod-b", "8080");

        // As kubectl get -o yaml writes them: the Service in a List, one EndpointSlice file per family.
        Files.writeString(services.resolve("web.yaml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: web, namespace: shop, resourceVersion: "812"}
                  spec:
                    type: ClusterIP
                    clusterIP: %s
                    clusterIPs: [%s, "%s"]
                    ipFamilies: [IPv4, IPv6]
                    ipFamilyPolicy: RequireDualStack
                    internalTrafficPolicy: Cluster
                    ports:
                    - {name: http, port: 80, protocol: TCP, targetPort: 8080}
                    selector: {app: web}
                    sessionAffinity: None
                  status: {loadBalancer: {}}
                metadata: {resourceVersion: ""}
                """.formatted(V4, V4, V6));
        Files.writeString(services.resolve("web-ipv4.yaml"), slice("web-x7k2p", "IPv4", b4));
        Files.writeString(services.resolve("web-ipv6.yaml"), slice("web-q9m4t", "IPv6", b6));

        GannetProcess node1 = daemons.get(0);
        JsonNode rows = DaemonServicesTest.awaitServices(node1, r -> r.size() == 2
                && r.get(0).path("backends").asInt() == 1 && r.get(1).path("backends").asInt() == 1);
        assertThat(rows.get(0).path("frontend").asText()).isEqualTo(V4 + ":80/TCP");
        assertThat(rows.get(1).path("frontend").asText()).isEqualTo("[" + V6 + "]:80/TCP");
        assertThat(rows.get(1).path("backendAddresses").toString()).contains("[" + b6 + "]:8080");
        assertThat(rows.get(1).path("notDone").toString()).as("the IPv6 clusterIP is served whole").doesNotContain("IPv6 clusterIP");

        node1.awaitTrue("pod A reaches the backend on node 2 through the IPv6 clusterIP",
                () -> ask(podA, client, V6).equals("peer " + V6 + " 80 answer pod-b " + a6),
                () -> ask(podA, client, V6) + "\n" + node1.cli("show", "services"));
        node1.awaitTrue("... and through the IPv4 clusterIP",
                () -> ask(podA, client, V4).equals("peer " + V4 + " 80 answer pod-b ::ffff:" + a4),
                () -> ask(podA, client, V4) + "\n" + node1.cli("show", "services"));

        // The IPv6 slice goes: the IPv6 frontend has no backend, the IPv4 one keeps its own and answers on.
        Files.delete(services.resolve("web-ipv6.yaml"));
        rows = DaemonServicesTest.awaitServices(node1, r -> r.size() == 2 && r.get(1).path("backends").asInt() == 0);
        assertThat(rows.get(0).path("backendAddresses").toString()).contains(b4 + ":8080");
        assertThat(ask(podA, client, V4)).isEqualTo("peer " + V4 + " 80 answer pod-b ::ffff:" + a4);
        assertThat(ask(podA, client, V6)).startsWith("failed");

        // The IPv6 slice is back and the IPv4 one goes: now the other way round.
        Files.writeString(services.resolve("web-ipv6.yaml"), slice("web-q9m4t", "IPv6", b6));
        Files.delete(services.resolve("web-ipv4.yaml"));
        rows = DaemonServicesTest.awaitServices(node1, r -> r.size() == 2
                && r.get(0).path("backends").asInt() == 0 && r.get(1).path("backends").asInt() == 1);
        node1.awaitTrue("the IPv6 clusterIP answers again", () -> ask(podA, client, V6).equals("peer " + V6 + " 80 answer pod-b " + a6),
                () -> ask(podA, client, V6));

        // A UDP datagram larger than the pod's MTU: fragments both ways (RFC 8200 4.5).
        Path udpEcho = dir.resolve("udp-echo.py");
        Files.writeString(udpEcho, UDP_ECHO);
        Path udpClient = dir.resolve("udp-client.py");
        Files.writeString(udpClient, UDP_CLIENT);
        bed.start(podB, "python3", udpEcho.toString(), "5353");
        Files.writeString(services.resolve("dns.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: dns, namespace: shop}
                spec:
                  type: ClusterIP
                  clusterIP: "%s"
                  clusterIPs: ["%s"]
                  ipFamilies: [IPv6]
                  ipFamilyPolicy: SingleStack
                  ports:
                  - {name: dns, port: 53, protocol: UDP, targetPort: 5353}
                  selector: {app: dns}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: dns-h2k8w
                  namespace: shop
                  labels: {kubernetes.io/service-name: dns}
                addressType: IPv6
                endpoints:
                - addresses: ["%s"]
                  conditions: {ready: true}
                ports:
                - {name: dns, port: 5353, protocol: UDP}
                """.formatted(V6_DNS, V6_DNS, b6));
        DaemonServicesTest.awaitServices(node1, r -> r.toString().contains("[" + V6_DNS + "]:53/UDP")
                && r.toString().contains("[" + b6 + "]:5353"));
        String podLink = podA.exec("ip", "-o", "link", "show", "up").lines().filter(l -> !l.contains(" lo:")).findFirst().orElseThrow();
        java.util.regex.Matcher mtu = java.util.regex.Pattern.compile(" mtu (\\d+) ").matcher(podLink);
        assertThat(mtu.find() && Integer.parseInt(mtu.group(1)) < 4000).as("the pod's MTU cuts a 4000-byte datagram: " + podLink).isTrue();
        node1.awaitTrue("a 4000-byte datagram to the IPv6 clusterIP comes back whole from it",
                () -> askUdp(podA, udpClient, V6_DNS, 4000).equals("peer " + V6_DNS + " 53 same 4000"),
                () -> askUdp(podA, udpClient, V6_DNS, 4000) + "\n" + node1.cli("show", "services"));
    }

    private static String askUdp(NetworkNamespace from, Path client, String ip, int size) {
        return NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.name(), "python3", client.toString(), ip, "53",
                Integer.toString(size)).trim();
    }

    private static String slice(String name, String family, String address) {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s
                  namespace: shop
                  labels: {endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io, kubernetes.io/service-name: web}
                  ownerReferences:
                  - {apiVersion: v1, kind: Service, name: web, uid: 2b6c0a55-6a51-4c5e-9d43-0f1c2f6a7d11}
                addressType: %s
                endpoints:
                - addresses: ["%s"]
                  conditions: {ready: true, serving: true, terminating: false}
                  nodeName: node2
                  targetRef: {kind: Pod, name: web-0, namespace: shop}
                ports:
                - {name: http, port: 8080, protocol: TCP}
                """.formatted(name, family, address);
    }

    private static String ask(NetworkNamespace from, Path client, String ip) {
        return NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.name(), "python3", client.toString(), ip, "80").trim();
    }
}
