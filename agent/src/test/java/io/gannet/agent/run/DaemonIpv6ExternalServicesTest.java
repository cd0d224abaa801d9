package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6 external frontends through {@code gannet run --services-dir --host-device eth0
 * --cni-socket}, as a user runs it, on a dual-stack LAN (a bridge) joining node 1 (the daemon,
 * with a dual-stack pod made by the CNI plugin), node 2 (a backend on its IPv6 PodCIDR, routed
 * statically as BGP would) and a client in a namespace of its own outside the node. Every
 * backend answers with its name and the source address it saw; the client prints the peer its
 * socket sees (the reply's source: a TCP reply from another address would never complete the
 * handshake) and the answer:
 * <ul>
 *   <li>an IPv6 externalIP with externalTrafficPolicy Local: only the local pod serves, it sees
 *       the client's own address, and the client sees the externalIP answer; the same with
 *       {@code --xdp generic}, translated by the XDP fast path before from_host;</li>
 *   <li>with {@code --xdp generic}, a dual-stack node port with Local on node 1's IPv4 and IPv6
 *       addresses translated by the XDP fast path in both families, one with Cluster SNATed at TC
 *       behind it and noted so; connections made through XDP go on at TC after a restart without
 *       {@code --xdp};</li>
 *   <li>an IPv6 externalIP with Cluster, local and remote backends: both serve, both see node
 *       1's IPv6 address (SNAT);</li>
 *   <li>an IPv6 load-balancer ingress IP with Cluster, a remote backend: it sees node 1;</li>
 *   <li>an IPv6 externalIP without endpoints: the connection is refused at once (a RST);</li>
 *   <li>sessionAffinity ClientIP on an IPv6 externalIP: the client's connections stick to one backend;</li>
 *   <li>loadBalancerSourceRanges on an IPv6 load-balancer IP: a client in them is served, another
 *       is dropped (counted as DROP_SOURCE_RANGE);</li>
 *   <li>node ports on node 1's IPv6 address: Cluster with a remote backend and with local and
 *       remote backends (each sees node 1), Local (only the local pod, seeing the client), a pod
 *       reaching the node port (not SNATed), and a dual-stack Service's node port on both
 *       families' node addresses, each with its own family's endpoints;</li>
 *   <li>path MTU discovery: a backend's large answer reaches a client behind a smaller link, the
 *       router's Packet Too Big sent on to the backend (Local and Cluster);</li>
 *   <li>hairpin: the pod, the only endpoint of a dual-stack ClusterIP Service, reaches itself through
 *       its IPv6 clusterIP (and its IPv4 one), answered by its own server, which sees the service
 *       address;</li>
 *   <li>with {@code --socket-lb-cgroup}, node 1's own processes (its namespace, in a cgroup the test
 *       creates): a dual-stack Service's IPv6 clusterIP over TCP and UDP, its IPv4 clusterIP from an
 *       IPv6 socket through the IPv4-mapped address, and its node port on node 1's IPv6 address,
 *       each answered from the address asked for.</li>
 * </ul>
 */
class DaemonIpv6ExternalServicesTest {
    private static final String NODE1 = "fd00:78::1";
    private static final String NODE2 = "fd00:78::2";
    private static final String CLIENT = "fd00:78::100";
    private static final String OTHER_CLIENT = "fd00:78::101";
    private static final String LB_RANGED = "2001:db8:78::8";
    private static final String EXT_STICKY = "2001:db8:78::9";
    private static final String EXT_EMPTY = "2001:db8:78::a";
    private static final String EXT_LOCAL = "2001:db8:78::5";
    private static final String EXT_CLUSTER = "2001:db8:78::6";
    private static final String LB_IP = "2001:db8:78::7";
    private static final String REMOTE = "fd00:10:244:72::5";
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: ext6-e2e}
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
                  - {name: leaf1, addresses: [10.78.0.254, "fd00:78::fe"], asn: 4200100001}
                hosts:
                  - {name: node1, address: [10.78.0.1, "fd00:78::1"], podCIDR: [10.244.71.0/24, "fd00:10:244:71::/64"]}
                  - {name: node2, address: [10.78.0.2, "fd00:78::2"], podCIDR: [10.244.72.0/24, "fd00:10:244:72::/64"]}
            """;
    /**
     * A TCP server on argv[2] (either family): answers "NAME PEER-ADDRESS" to each connection, then
     * argv[4] bytes of padding if given (a large answer).
     */
    static final String SERVER = """
            import socket, sys
            s = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[2], int(sys.argv[3])))
            s.listen(64)
            pad = b"." * int(sys.argv[4]) if len(sys.argv) > 4 else b""
            while True:
                c, a = s.accept()
                try:
                    c.recv(4096)
                    c.sendall(("%s %s\\n" % (sys.argv[1], a[0])).encode() + pad)
                finally:
                    c.close()
            """;
    /** Connects to [argv[1]]:argv[2] and reads to the end: prints "got N bytes from NAME", or "failed ...". */
    static final String BIG_CLIENT_PY = """
            import socket, sys
            try:
                c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=4)
                c.sendall(b"hello\\n")
                data = b""
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                print("got %d bytes from %s" % (len(data), data.split(b" ")[0].decode()))
            except Exception as e:
                print("failed %s" % e)
            """;
    /** A TCP server on [argv[1]]:argv[2] answering each line of each connection with "LINE PEER-ADDRESS". */
    static final String ECHO_SERVER = """
            import socket, sys, threading
            s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.listen(16)
            def serve(c, a):
                for line in c.makefile("rb"):
                    c.sendall(line.strip() + b" " + a[0].encode() + b"\\n")
            while True:
                c, a = s.accept()
                threading.Thread(target=serve, args=(c, a), daemon=True).start()
            """;
    /** One connection to [argv[1]]:argv[2] for its whole life: sends each line of stdin, prints each answer. */
    static final String LONG_CLIENT_PY = """
            import socket, sys
            try:
                c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
                f = c.makefile("rb")
                for line in sys.stdin:
                    c.sendall(line.encode())
                    print(f.readline().decode().strip(), flush=True)
            except Exception as e:
                print("failed %r" % e, flush=True)
            """;

    /** Connects to [argv[1]]:argv[2]; prints the peer its socket sees and the answer, or "failed ...". */
    static final String CLIENT_PY = """
            import socket, sys
            try:
                c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
                peer = c.getpeername()
                c.sendall(b"hello\\n")
                print("peer %s %d answer %s" % (peer[0], peer[1], c.recv(4096).decode().strip()))
            except Exception as e:
                print("failed %s" % e)
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private GannetProcess gannet;
    private Path pinRoot;
    private Path cgroup;
    NetworkNamespace lan;
    NetworkNamespace node1;
    NetworkNamespace node2;
    NetworkNamespace client;
    NetworkNamespace otherClient;
    NetworkNamespace pod;
    String pod6;
    String pod4;
    Path services;
    Path clientScript;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    /** The LAN, node 2's backend, node 1's daemon and its dual-stack pod with a backend; see the class comment. */
    private void startNode(String... extraArgs) throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("python3");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        lan = bed.lan("x6l");
        node1 = bed.host(lan, "x61", "10.78.0.1/24", NODE1 + "/64");
        node2 = bed.host(lan, "x62", "10.78.0.2/24", NODE2 + "/64");
        client = bed.host(lan, "x6c", "10.78.0.100/24", CLIENT + "/64");
        otherClient = bed.host(lan, "x6d", "10.78.0.101/24", OTHER_CLIENT + "/64");
        // Each node routes the other's IPv6 PodCIDR (what BGP through the leaf would install); the
        // client reaches the external IPs through node 1 (as an upstream router would).
        node1.exec("ip", "-6", "route", "add", "fd00:10:244:72::/64", "via", NODE2);
        node2.exec("ip", "-6", "route", "add", "fd00:10:244:71::/64", "via", NODE1);
        client.exec("ip", "-6", "route", "add", "2001:db8:78::/64", "via", NODE1);
        otherClient.exec("ip", "-6", "route", "add", "2001:db8:78::/64", "via", NODE1);
        node1.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        node2.exec("ip", "addr", "add", REMOTE + "/128", "dev", "lo");
        Path server = dir.resolve("server.py");
        Files.writeString(server, SERVER);
        clientScript = dir.resolve("client.py");
        Files.writeString(clientScript, CLIENT_PY);
        bed.start(node2, "python3", server.toString(), "remote", REMOTE, "8080");

        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        pinRoot = bed.pinRoot("ext6-test"); // socket-level load balancing's links go with their pins
        services = Files.createDirectories(dir.resolve("services"));
        Path socket = dir.resolve("cni.sock");
        List<String> args = new ArrayList<>(List.of("--cni-socket", socket.toString(),
                "--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString(), "--host-device", "eth0"));
        args.addAll(List.of(extraArgs));
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, profile, "node1", args.toArray(String[]::new)));
        gannet.awaitTrue("CNI socket", () -> Files.exists(socket), () -> "");

        pod = bed.ns("x6p");
        JsonNode added = CniCall.add(plugin, node1, socket, "ctr-x6", pod, null);
        pod6 = DualStackRack.ip(added, "fd00:10:244:71:");
        pod4 = DualStackRack.ip(added, "10.244.71.");
        bed.start(pod, "python3", server.toString(), "pod", pod6, "8080");
        bed.start(pod, "python3", server.toString(), "pod", pod4, "8080");
    }

    /** A Service of type LoadBalancer with one IPv6 externalIP or ingress IP, and its IPv6 EndpointSlice. */
    static String service(String name, String policy, String externalIp, String ingressIp, int nodePort, String... endpoints) {
        return service(name, policy, externalIp.isEmpty() ? "" : "externalIPs: [\"" + externalIp + "\"]", ingressIp, nodePort,
                List.of(endpoints));
    }

    /** As above, {@code specLine} one more line of the Service's spec (externalIPs, loadBalancerSourceRanges). */
    static String service(String name, String policy, String specLine, String ingressIp, int nodePort, List<String> endpoints) {
        StringBuilder eps = new StringBuilder();
        for (String e : endpoints) {
            String[] addrNode = e.split("@");
            eps.append("- {addresses: [\"").append(addrNode[0]).append("\"], nodeName: ").append(addrNode[1])
                    .append(", conditions: {ready: true}}\n");
        }
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: shop}
                spec:
                  type: LoadBalancer
                  clusterIP: "fd00:96::78:%d"
                  clusterIPs: ["fd00:96::78:%d"]
                  ipFamilies: [IPv6]
                  ipFamilyPolicy: SingleStack
                  externalTrafficPolicy: %s
                  %s
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: %d}]
                status: {loadBalancer: {ingress: [%s]}}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-1, namespace: shop, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv6
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                %s---
                """.formatted(name, nodePort - 30000, nodePort - 30000, policy, specLine, nodePort,
                ingressIp.isEmpty() ? "" : "{ip: \"" + ingressIp + "\"}", name, name, eps);
    }

    @Test
    void ipv6ExternalIpsAndLoadBalancerIpsServeClientsOutsideTheNodeAsTheirTrafficPolicySays() throws Exception {
        startNode();
        Files.writeString(services.resolve("ext6.yaml"),
                service("local", "Local", EXT_LOCAL, "", 30181, pod6 + "@node1", REMOTE + "@node2")
                + service("cluster", "Cluster", EXT_CLUSTER, "", 30182, pod6 + "@node1", REMOTE + "@node2")
                + service("lb", "Cluster", "", LB_IP, 30183, REMOTE + "@node2")
                + service("ranged", "Local", "loadBalancerSourceRanges: [\"" + CLIENT + "/128\", \"2001:db8:99::/48\"]", LB_RANGED, 30184,
                        List.of(pod6 + "@node1"))
                + service("sticky", "Cluster", "externalIPs: [\"" + EXT_STICKY + "\"]\n  sessionAffinity: ClientIP", "", 30185,
                        List.of(pod6 + "@node1", REMOTE + "@node2"))
                + """
                apiVersion: v1
                kind: Service
                metadata: {name: empty, namespace: shop}
                spec:
                  clusterIPs: ["fd00:96::78:99"]
                  ipFamilies: [IPv6]
                  externalIPs: ["%s"]
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                """.formatted(EXT_EMPTY));
        JsonNode rows = DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + EXT_LOCAL + "]:80/TCP")
                && r.toString().contains("[" + EXT_CLUSTER + "]:80/TCP") && r.toString().contains("[" + LB_IP + "]:80/TCP")
                && r.toString().contains("[" + LB_RANGED + "]:80/TCP") && r.toString().contains("[" + EXT_STICKY + "]:80/TCP")
                && r.toString().contains("[" + EXT_EMPTY + "]:80/TCP"));
        assertThat(row(rows, "[" + EXT_LOCAL + "]").path("backendAddresses").toString())
                .as("Local: only node1's endpoint").contains(pod6).doesNotContain(REMOTE);
        for (JsonNode r : rows) {
            assertThat(r.path("notDone").toString()).as(r.toString()).doesNotContain("are not served")
                    .doesNotContain(":80/TCP: not programmed");
        }

        // Local: only the local pod serves, it sees the client, and the client sees the externalIP answer.
        for (int i = 0; i < 5; i++) {
            assertThat(ask(EXT_LOCAL)).isEqualTo("peer " + EXT_LOCAL + " 80 answer pod " + CLIENT);
        }
        // Cluster, local and remote backends: both serve, both see node 1's IPv6 address (SNAT).
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30 && seen.size() < 2; i++) {
            seen.add(ask(EXT_CLUSTER));
        }
        assertThat(seen).containsExactlyInAnyOrder("peer " + EXT_CLUSTER + " 80 answer remote " + NODE1,
                "peer " + EXT_CLUSTER + " 80 answer pod " + NODE1);
        // A load-balancer ingress IP with Cluster and a remote backend: it sees node 1.
        assertThat(ask(LB_IP)).isEqualTo("peer " + LB_IP + " 80 answer remote " + NODE1);
        // sessionAffinity ClientIP: the client's new connections all go to its first backend.
        String sticky = ask(EXT_STICKY);
        assertThat(sticky).isIn("peer " + EXT_STICKY + " 80 answer pod " + NODE1, "peer " + EXT_STICKY + " 80 answer remote " + NODE1);
        for (int i = 0; i < 12; i++) {
            assertThat(ask(EXT_STICKY)).as("connection " + i + " sticks to the first backend").isEqualTo(sticky);
        }
        // No endpoints: refused at once (a RST from the externalIP), not left to time out.
        String refused = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", client.name(), "python3", clientScript.toString(),
                EXT_EMPTY, "80").trim();
        assertThat(refused).as("a connection to a frontend without backends").startsWith("failed").contains("refused");
        // loadBalancerSourceRanges: the client in them is served; another is not, and the drop is counted.
        assertThat(ask(LB_RANGED)).isEqualTo("peer " + LB_RANGED + " 80 answer pod " + CLIENT);
        assertThat(NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", otherClient.name(), "python3", clientScript.toString(),
                LB_RANGED, "80").trim()).startsWith("failed");
        String counters = NetworkNamespace.Shell.run("bpftool", "-j", "map", "lookup", "pinned",
                io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_metrics").toString(), "key",
                Integer.toString(io.gannet.bpf.maps.Reason.DROP_SOURCE_RANGE.ordinal()), "0", "0", "0");
        assertThat(DaemonNodePortTest.sumPerCpu(counters)).as("DROP_SOURCE_RANGE: " + counters).isPositive();
    }

    /** A datapath counter of the daemon's pinned dp_metrics, summed over CPUs. */
    private long counter(io.gannet.bpf.maps.Reason reason) throws Exception {
        return DaemonNodePortTest.sumPerCpu(NetworkNamespace.Shell.run("bpftool", "-j", "map", "lookup", "pinned",
                io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_metrics").toString(), "key",
                Integer.toString(reason.ordinal()), "0", "0", "0"));
    }

    /**
     * Generic XDP, and native XDP on the veth (its driver runs XDP in its own receive path: the
     * mode a NIC's driver gives), each with traffic: translated before from_host.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"generic", "native"})
    void anIpv6ExternalIpWithLocalPolicyIsServedThroughTheXdpFastPath(String mode) throws Exception {
        startNode("--xdp", mode);
        String attached = mode.equals("generic") ? " xdpgeneric " : " xdp "; // ip link's flag for the mode
        assertThat(node1.exec("ip", "link", "show", "dev", "eth0")).contains(attached).contains("prog/xdp");
        Files.writeString(services.resolve("xdp6.yaml"), service("local", "Local", EXT_LOCAL, "", 30181, pod6 + "@node1"));
        DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + EXT_LOCAL + "]:80/TCP"));
        long natNew = counter(io.gannet.bpf.maps.Reason.NAT_NEW);
        long passed = counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE);
        for (int i = 0; i < 5; i++) {
            assertThat(ask(EXT_LOCAL)).isEqualTo("peer " + EXT_LOCAL + " 80 answer pod " + CLIENT);
        }
        assertThat(counter(io.gannet.bpf.maps.Reason.NAT_NEW) - natNew).as("one new flow per connection").isEqualTo(5);
        // from_host at TC, behind XDP, gets the client's packets already translated: to it they are no service's
        // (translated at TC they would count as NAT_NEW / NAT_CT_HIT there and not as PASS_NO_SERVICE)
        assertThat(counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE) - passed)
                .as("client packets translated by XDP before from_host").isGreaterThanOrEqualTo(5 * 3);
        assertThat(GannetProcess.cliExactly("datapath", "status", "--bpf-pin-root", pinRoot.toString(), "--netns", node1.name()).out())
                .containsPattern("eth0 +xdp " + mode + " +program [1-9]");

        // the daemon stopped: the pinned XDP link stays, and serves on
        gannet.close();
        assertThat(node1.exec("ip", "link", "show", "dev", "eth0")).contains(attached);
        natNew = counter(io.gannet.bpf.maps.Reason.NAT_NEW);
        assertThat(ask(EXT_LOCAL)).isEqualTo("peer " + EXT_LOCAL + " 80 answer pod " + CLIENT);
        assertThat(counter(io.gannet.bpf.maps.Reason.NAT_NEW) - natNew).isEqualTo(1);
        // started again without --xdp: detached, and TC alone serves
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, dir.resolve("profile.yaml"), "node1", "--services-dir",
                services.toString(), "--bpf-pin-root", pinRoot.toString(), "--host-device", "eth0"));
        DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + EXT_LOCAL + "]:80/TCP"));
        assertThat(gannet.log()).contains("XDP fast path an earlier run attached detached (no --xdp)");
        assertThat(node1.exec("ip", "link", "show", "dev", "eth0")).doesNotContain("xdp");
        assertThat(ask(EXT_LOCAL)).isEqualTo("peer " + EXT_LOCAL + " 80 answer pod " + CLIENT);
    }

    /**
     * Node ports with externalTrafficPolicy Local through {@code --xdp generic}: a dual-stack Service's
     * node port on node 1's IPv4 and IPv6 addresses, each family's flows translated by the XDP fast
     * path before from_host (which then counts the client's packets as no service's), the local pod
     * seeing the client and the client the node port answer (the replies pass from_pod). A node port
     * with Cluster is SNATed at TC behind XDP, still served, and says so in show services and once in
     * the log. Started again without --xdp, TC alone serves the same node ports, and a connection of
     * each family made through XDP before goes on (TC hits the conntrack entries XDP wrote).
     */
    @Test
    void nodePortsWithLocalPolicyAreServedThroughTheXdpFastPathInBothFamilies() throws Exception {
        startNode("--xdp", "generic");
        Files.writeString(services.resolve("npxdp.yaml"),
                nodePort("np-xdp", "IPv4,IPv6", "Local", 30195, pod4 + "@node1", pod6 + "@node1", REMOTE + "@node2")
                + nodePort("np-snat", "IPv6", "Cluster", 30196, REMOTE + "@node2"));
        JsonNode rows = DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + NODE1 + "]:30195/TCP")
                && r.toString().contains("10.78.0.1:30195/TCP") && r.toString().contains("[" + NODE1 + "]:30196/TCP"));
        assertThat(row(rows, "[" + NODE1 + "]:30195").path("notDone").toString()).as("Local: nothing to say").doesNotContain("XDP");
        String snatNote = "shop/np-snat:http node port 30196/TCP on IPv6 node addresses, not done from outside the node: the XDP fast path"
                + " (SNATed flows are translated at TC)";
        assertThat(row(rows, "[" + NODE1 + "]:30196").path("notDone").toString()).contains(snatNote);

        for (String[] family : new String[][] {{NODE1, CLIENT}, {"10.78.0.1", "10.78.0.100"}}) {
            long natNew = counter(io.gannet.bpf.maps.Reason.NAT_NEW);
            long ctHit = counter(io.gannet.bpf.maps.Reason.NAT_CT_HIT);
            long passed = counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE);
            for (int i = 0; i < 5; i++) {
                assertThat(ask(family[0], 30195)).isEqualTo("peer " + family[0] + " 30195 answer pod " + family[1]);
            }
            assertThat(counter(io.gannet.bpf.maps.Reason.NAT_NEW) - natNew).as("%s: one new flow per connection", family[0])
                    .isEqualTo(5);
            assertThat(counter(io.gannet.bpf.maps.Reason.NAT_CT_HIT) - ctHit).as("%s: established segments hit conntrack", family[0])
                    .isGreaterThanOrEqualTo(5 * 2);
            // translated at TC the client's packets would count there as NAT_NEW / NAT_CT_HIT, not as PASS_NO_SERVICE
            assertThat(counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE) - passed)
                    .as("%s: client packets translated by XDP before from_host", family[0]).isGreaterThanOrEqualTo(5 * 3);
        }
        // Cluster: SNATed at TC behind XDP, the remote backend sees node 1
        assertThat(ask(NODE1, 30196)).isEqualTo("peer " + NODE1 + " 30196 answer remote " + NODE1);
        assertThat(gannet.log()).containsOnlyOnce(snatNote);

        // connections made through XDP, one per family, stay open across a restart without --xdp
        Path echo = dir.resolve("echo.py");
        Files.writeString(echo, ECHO_SERVER);
        Path longClient = dir.resolve("long_client.py");
        Files.writeString(longClient, LONG_CLIENT_PY);
        bed.start(pod, "python3", echo.toString(), pod6, "8081");
        bed.start(pod, "python3", echo.toString(), pod4, "8081");
        Files.writeString(services.resolve("npecho.yaml"),
                nodePort("np-echo", "IPv4,IPv6", "Local", 30197, pod4 + "@node1", pod6 + "@node1").replace("8080", "8081"));
        DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("10.78.0.1:30197/TCP")
                && r.toString().contains("[" + NODE1 + "]:30197/TCP"));
        gannet.awaitTrue("echo servers listening", () -> pod.exec("ss", "-ltnH").split(":8081 ", -1).length == 3,
                () -> pod.exec("ss", "-ltn"));
        List<LongConnection> open = new ArrayList<>();
        for (String[] family : new String[][] {{NODE1, CLIENT}, {"10.78.0.1", "10.78.0.100"}}) {
            long natNew = counter(io.gannet.bpf.maps.Reason.NAT_NEW);
            LongConnection c = new LongConnection(bed.start(client, "python3", longClient.toString(), family[0], "30197"));
            open.add(c);
            assertThat(c.say("before")).isEqualTo("before " + family[1]);
            assertThat(counter(io.gannet.bpf.maps.Reason.NAT_NEW) - natNew).as("made in XDP").isEqualTo(1);
        }

        // started again without --xdp: TC alone serves the same node ports, and the flows XDP made go on
        gannet.close();
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, dir.resolve("profile.yaml"), "node1", "--services-dir",
                services.toString(), "--bpf-pin-root", pinRoot.toString(), "--host-device", "eth0"));
        DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + NODE1 + "]:30195/TCP"));
        assertThat(node1.exec("ip", "link", "show", "dev", "eth0")).doesNotContain("xdp");
        long natNew = counter(io.gannet.bpf.maps.Reason.NAT_NEW);
        long ctHit = counter(io.gannet.bpf.maps.Reason.NAT_CT_HIT);
        assertThat(open.get(0).say("after")).as("IPv6 flow made in XDP, now at TC").isEqualTo("after " + CLIENT);
        assertThat(open.get(1).say("after")).as("IPv4 flow made in XDP, now at TC").isEqualTo("after 10.78.0.100");
        assertThat(counter(io.gannet.bpf.maps.Reason.NAT_NEW) - natNew).as("no new flow").isZero();
        assertThat(counter(io.gannet.bpf.maps.Reason.NAT_CT_HIT) - ctHit).as("XDP's conntrack entries, hit at TC")
                .isGreaterThanOrEqualTo(2);
        assertThat(ask(NODE1, 30195)).isEqualTo("peer " + NODE1 + " 30195 answer pod " + CLIENT);
        assertThat(ask("10.78.0.1", 30195)).isEqualTo("peer 10.78.0.1 30195 answer pod 10.78.0.100");
    }

    /** A client process holding one connection open (LONG_CLIENT_PY): each line said gets its answer. */
    record LongConnection(Process process, java.io.BufferedReader out) {
        LongConnection(Process process) {
            this(process, new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)));
        }

        String say(String line) throws Exception {
            process.getOutputStream().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            java.util.concurrent.CompletableFuture<String> answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return "failed " + e;
                }
            });
            return answer.get(10, TimeUnit.SECONDS);
        }
    }

    /** A NodePort Service with clusterIPs of the given families ("IPv6" or "IPv4,IPv6") and its slices ("addr@node"). */
    static String nodePort(String name, String families, String policy, int nodePort, String... endpoints) {
        StringBuilder out = new StringBuilder();
        boolean dual = families.contains("IPv4");
        out.append("""
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: shop}
                spec:
                  type: NodePort
                  clusterIPs: [%s"fd00:96::79:%d"]
                  ipFamilies: [%s]
                  ipFamilyPolicy: %s
                  externalTrafficPolicy: %s
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: %d}]
                ---
                """.formatted(name, dual ? "10.96.79." + (nodePort - 30000) + ", " : "", nodePort - 30000, families,
                dual ? "RequireDualStack" : "SingleStack", policy, nodePort));
        for (String family : families.split(",")) {
            StringBuilder eps = new StringBuilder();
            for (String e : endpoints) {
                String[] addrNode = e.split("@");
                if (addrNode[0].contains(":") == family.equals("IPv6")) {
                    eps.append("- {addresses: [\"").append(addrNode[0]).append("\"], nodeName: ").append(addrNode[1])
                            .append(", conditions: {ready: true}}\n");
                }
            }
            out.append("""
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata: {name: %s-%s, namespace: shop, labels: {kubernetes.io/service-name: %s}}
                    addressType: %s
                    ports: [{name: http, protocol: TCP, port: 8080}]
                    endpoints:
                    %s---
                    """.formatted(name, family.toLowerCase(java.util.Locale.ROOT), name, family, eps));
        }
        return out.toString();
    }

    @Test
    void nodePortsOnTheNodesIpv6AddressServeClientsAsTheirTrafficPolicySays() throws Exception {
        startNode();
        Files.writeString(services.resolve("np6.yaml"),
                nodePort("np-remote", "IPv6", "Cluster", 30191, REMOTE + "@node2")
                + nodePort("np-mixed", "IPv6", "Cluster", 30192, pod6 + "@node1", REMOTE + "@node2")
                + nodePort("np-local", "IPv6", "Local", 30193, pod6 + "@node1", REMOTE + "@node2")
                + nodePort("np-dual", "IPv4,IPv6", "Local", 30194, pod4 + "@node1", pod6 + "@node1"));
        JsonNode rows = DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + NODE1 + "]:30193/TCP")
                && r.toString().contains("[" + NODE1 + "]:30194/TCP") && r.toString().contains("10.78.0.1:30194/TCP"));
        assertThat(row(rows, "[" + NODE1 + "]:30193").path("backendAddresses").toString())
                .as("Local: only node1's endpoint").contains(pod6).doesNotContain(REMOTE);
        assertThat(row(rows, "10.78.0.1:30194").path("backendAddresses").toString()).as("IPv4 endpoints on the IPv4 address")
                .contains(pod4).doesNotContain(pod6);
        for (JsonNode r : rows) {
            assertThat(r.path("notDone").toString()).as(r.toString()).doesNotContain("not served on IPv6")
                    .doesNotContain("not programmed");
        }

        // Cluster, remote backend: reached through node 1, which it sees as the client (SNAT).
        assertThat(ask(NODE1, 30191)).isEqualTo("peer " + NODE1 + " 30191 answer remote " + NODE1);
        // Cluster, local and remote backends: both serve, both see node 1.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30 && seen.size() < 2; i++) {
            seen.add(ask(NODE1, 30192));
        }
        assertThat(seen).containsExactlyInAnyOrder("peer " + NODE1 + " 30192 answer remote " + NODE1,
                "peer " + NODE1 + " 30192 answer pod " + NODE1);
        // Local: only the local pod, and it sees the client's own address.
        for (int i = 0; i < 5; i++) {
            assertThat(ask(NODE1, 30193)).isEqualTo("peer " + NODE1 + " 30193 answer pod " + CLIENT);
        }
        // A pod reaching the IPv6 node port: not SNATed, the remote backend sees the pod.
        assertThat(ask(pod, NODE1, 30191)).isEqualTo("peer " + NODE1 + " 30191 answer remote " + pod6);
        // A dual-stack Service's node port: each family's node address, each family's endpoint.
        assertThat(ask(NODE1, 30194)).isEqualTo("peer " + NODE1 + " 30194 answer pod " + CLIENT);
        assertThat(ask("10.78.0.1", 30194)).isEqualTo("peer 10.78.0.1 30194 answer pod 10.78.0.100");
    }

    /**
     * Path MTU discovery through an external IPv6 frontend: a client behind a router whose link
     * towards it is smaller (1280) than the LAN's (1500) asks for a large answer; the router's
     * Packet Too Big about a reply is sent to the frontend address, and node 1 sends it on to the
     * backend (bpf lib/icmp6.h) quoting the reply as the backend sent it, so the backend lowers its
     * path MTU and the answer arrives whole, for a local backend (Local) and a remote one SNATed to
     * node 1 (Cluster).
     */
    @Test
    void aBackendsLargeAnswerReachesAClientBehindASmallerLinkThroughPathMtuDiscovery() throws Exception {
        startNode();
        NetworkNamespace router = bed.host(lan, "x6r", "fd00:78::200/64");
        NetworkNamespace far = bed.ns("x6f");
        NetworkNamespace.Shell.run("ip", "link", "add", "eth1", "netns", router.name(), "type", "veth", "peer", "name", "eth0",
                "netns", far.name());
        router.exec("ip", "link", "set", "eth1", "mtu", "1280");
        router.exec("ip", "addr", "add", "fd00:79::1/64", "dev", "eth1", "nodad");
        router.exec("ip", "link", "set", "eth1", "up");
        router.exec("ip", "-6", "route", "add", "2001:db8:78::/64", "via", NODE1);
        router.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        far.exec("ip", "addr", "add", "fd00:79::5/64", "dev", "eth0", "nodad");
        far.exec("ip", "link", "set", "eth0", "up");
        far.exec("ip", "-6", "route", "add", "default", "via", "fd00:79::1");
        node1.exec("ip", "-6", "route", "add", "fd00:79::/64", "via", "fd00:78::200");
        node2.exec("ip", "-6", "route", "add", "fd00:79::/64", "via", "fd00:78::200");
        Path server = dir.resolve("server.py");
        bed.start(pod, "python3", server.toString(), "bigpod", pod6, "8081", "200000");
        bed.start(node2, "python3", server.toString(), "bigremote", REMOTE, "8081", "200000");
        Path big = dir.resolve("big.py");
        Files.writeString(big, BIG_CLIENT_PY);
        Files.writeString(services.resolve("big.yaml"),
                service("big-local", "Local", "externalIPs: [\"2001:db8:78::b\"]", "", 30187, List.of(pod6 + "@node1"))
                .replace("targetPort: 8080", "targetPort: 8081").replace("port: 8080}", "port: 8081}")
                + service("big-cluster", "Cluster", "externalIPs: [\"2001:db8:78::c\"]", "", 30188, List.of(REMOTE + "@node2"))
                .replace("targetPort: 8080", "targetPort: 8081").replace("port: 8080}", "port: 8081}"));
        DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[2001:db8:78::b]:80/TCP")
                && r.toString().contains("[2001:db8:78::c]:80/TCP"));
        int expected = "bigpod fd00:79::5\n".length() + 200000;
        for (String[] c : new String[][] {{"2001:db8:78::b", "bigpod"}, {"2001:db8:78::c", "bigremote"}}) {
            String last = "";
            for (int i = 0; i < 10 && !last.startsWith("got"); i++) {
                last = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", far.name(), "python3", big.toString(), c[0], "80").trim();
            }
            int size = c[1].equals("bigpod") ? expected : "bigremote fd00:78::1\n".length() + 200000;
            assertThat(last).as("the whole answer through [" + c[0] + "]:80\n" + gannet.cli("show", "services"))
                    .isEqualTo("got " + size + " bytes from " + c[1]);
        }
    }

    @Test
    void aPodReachesItselfThroughItsIpv6ClusterIpAndGetsItsReply() throws Exception {
        startNode();
        String v6 = "fd00:96::78:50";
        String v4 = "10.96.78.50";
        Files.writeString(services.resolve("self.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: self, namespace: shop}
                spec:
                  clusterIP: "%1$s"
                  clusterIPs: ["%1$s", %2$s]
                  ipFamilies: [IPv6, IPv4]
                  ipFamilyPolicy: RequireDualStack
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: self-6, namespace: shop, labels: {kubernetes.io/service-name: self}}
                addressType: IPv6
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: ["%3$s"], nodeName: node1, conditions: {ready: true}}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: self-4, namespace: shop, labels: {kubernetes.io/service-name: self}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: ["%4$s"], nodeName: node1, conditions: {ready: true}}
                """.formatted(v6, v4, pod6, pod4));
        JsonNode rows = DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + v6 + "]:80/TCP")
                && r.toString().contains(v4 + ":80/TCP"));
        assertThat(row(rows, "[" + v6 + "]:80/TCP").path("notDone").toString()).as("the IPv6 clusterIP's notes")
                .doesNotContain("hairpin");

        // Hairpin: the pod is its own Service's only backend; the request reaches it from the service
        // address (SNAT, as for IPv4: a packet from its own address would be dropped), and the reply
        // comes back from the address the pod asked for.
        for (int i = 0; i < 3; i++) {
            assertThat(ask(pod, v6, 80)).isEqualTo("peer " + v6 + " 80 answer pod " + v6);
        }
        // the same Service's IPv4 clusterIP, as DaemonNodePortTest shows for an IPv4-only pod
        assertThat(ask(pod, v4, 80)).isEqualTo("peer " + v4 + " 80 answer pod " + v4);
    }

    /** A UDP echo on [argv[1]]:argv[2]: answers "udp DATA from CLIENT-ADDRESS". */
    static final String UDP_SERVER = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            while True:
                d, a = s.recvfrom(2048)
                s.sendto(b"udp " + d + b" from " + a[0].encode(), a)
            """;

    /**
     * A node process's view, one line per check, from dual-stack IPv6 sockets: TCP and UDP to the IPv6
     * clusterIP argv[1], TCP to the IPv4 clusterIP argv[2] through its IPv4-mapped address, TCP to
     * the node port argv[4] on the node's IPv6 address argv[3]. Each line shows the address the
     * socket sees the answer from (getpeername, recvfrom) and the answer.
     */
    static final String NODE_CLIENT_PY = """
            import socket, sys
            v6, v4, node, node_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
            def line(what, f):
                try:
                    print(what + ": " + f())
                except Exception as e:
                    print(what + ": failed " + type(e).__name__)
            def sock(kind):
                s = socket.socket(socket.AF_INET6, kind); s.settimeout(2)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                return s
            def tcp(addr, port):
                c = sock(socket.SOCK_STREAM); c.connect((addr, port)); p = c.getpeername()
                c.sendall(b"hello\\n")
                return "peer [%s]:%d answer %s" % (p[0], p[1], c.recv(4096).decode().strip())
            def udp(addr, port):
                s = sock(socket.SOCK_DGRAM); s.sendto(b"ping", (addr, port)); d, a = s.recvfrom(2048)
                return "%s from [%s]:%d" % (d.decode(), a[0], a[1])
            line("tcp", lambda: tcp(v6, 80))
            line("udp", lambda: udp(v6, 53))
            line("mapped tcp", lambda: tcp("::ffff:" + v4, 80))
            line("node port", lambda: tcp(node, node_port))
            """;

    @Test
    void theNodesOwnProcessesReachIpv6ClusterIpsThroughSocketLevelLoadBalancing() throws Exception {
        cgroup = bed.cgroup("sock6"); // socket-level load balancing attaches to a cgroup v2 directory
        startNode("--socket-lb-cgroup", cgroup.toString());
        Path udpServer = dir.resolve("udp.py");
        Files.writeString(udpServer, UDP_SERVER);
        bed.start(node2, "python3", udpServer.toString(), REMOTE, "5353");
        bed.start(node2, "python3", dir.resolve("server.py").toString(), "remote4", "10.78.0.2", "8080");
        Path script = dir.resolve("node-client.py");
        Files.writeString(script, NODE_CLIENT_PY);
        String v6 = "fd00:96::78:40";
        String v4 = "10.96.78.40";
        Files.writeString(services.resolve("dual.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: dual, namespace: shop}
                spec:
                  type: NodePort
                  clusterIP: %1$s
                  clusterIPs: [%1$s, "%2$s"]
                  ipFamilies: [IPv4, IPv6]
                  ipFamilyPolicy: RequireDualStack
                  ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30190}
                  - {name: dns, protocol: UDP, port: 53, targetPort: 5353, nodePort: 30191}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: dual-6, namespace: shop, labels: {kubernetes.io/service-name: dual}}
                addressType: IPv6
                ports: [{name: http, protocol: TCP, port: 8080}, {name: dns, protocol: UDP, port: 5353}]
                endpoints:
                - {addresses: ["%3$s"], nodeName: node2, conditions: {ready: true}}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: dual-4, namespace: shop, labels: {kubernetes.io/service-name: dual}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}, {name: dns, protocol: UDP, port: 5353}]
                endpoints:
                - {addresses: ["10.78.0.2"], nodeName: node2, conditions: {ready: true}}
                """.formatted(v4, v6, REMOTE));
        JsonNode rows = DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + v6 + "]:80/TCP")
                && r.toString().contains("[" + v6 + "]:53/UDP") && r.toString().contains(v4 + ":80/TCP"));
        assertThat(row(rows, "[" + v6 + "]:80/TCP").path("notDone").toString()).as("the IPv6 clusterIP's notes")
                .doesNotContain("connect-time").doesNotContain("hairpin");

        String command = "python3 " + script + " " + v6 + " " + v4 + " " + NODE1 + " 30190";
        String out = "";
        for (int i = 0; i < 20 && !out.startsWith("tcp: peer"); i++) {
            out = io.gannet.testsupport.CgroupProcess.run(cgroup, node1.name(), command);
            Thread.sleep(i == 0 ? 0 : 250);
        }
        assertThat(out.lines()).as(gannet.cli("show", "services")).containsExactly(
                "tcp: peer [" + v6 + "]:80 answer remote " + NODE1,
                "udp: udp ping from " + NODE1 + " from [" + v6 + "]:53",
                "mapped tcp: peer [::ffff:" + v4 + "]:80 answer remote4 10.78.0.1",
                "node port: peer [" + NODE1 + "]:30190 answer remote " + NODE1);
        assertThat(io.gannet.testsupport.CgroupProcess.run(null, node1.name(), command).lines())
                .as("a process of node 1 outside the cgroup is not served")
                .allMatch(l -> l.contains(": failed"));
    }

    /** What the client in its own namespace gets from [addr]:port, retried until it answers. */
    String ask(String addr) throws Exception {
        return ask(addr, 80);
    }

    String ask(String addr, int port) throws Exception {
        return ask(client, addr, port);
    }

    String ask(NetworkNamespace from, String addr, int port) throws Exception {
        String last = "";
        for (int i = 0; i < 20; i++) {
            last = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.name(), "python3", clientScript.toString(), addr,
                    Integer.toString(port)).trim();
            if (last.startsWith("peer ")) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no answer from [" + addr + "]:" + port + ": " + last + "\n" + gannet.cli("show", "services"));
    }

    static JsonNode row(JsonNode rows, String frontend) {
        for (JsonNode r : rows) {
            if (r.path("frontend").asText().startsWith(frontend)) {
                return r;
            }
        }
        throw new AssertionError("no row for " + frontend + " in " + rows);
    }
}
