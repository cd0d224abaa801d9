package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node ports through {@code gannet run --services-dir --host-device eth0 --cni-socket}, as a user
 * runs it: a LAN (a bridge) joins node 1 (the daemon, with a pod made by the CNI plugin), node 2
 * (a backend on its PodCIDR, routed statically as BGP would) and a client. Each backend answers
 * HTTP with its name and the source address it saw, so every test states where the request
 * went and what address the backend saw:
 * <ul>
 *   <li>externalTrafficPolicy Cluster, remote backend: reached, sees node 1's address (SNAT);</li>
 *   <li>Cluster with a local and a remote backend: both serve, both see node 1's address;</li>
 *   <li>Local: only the local pod serves, and it sees the client's own address;</li>
 *   <li>a pod reaching a node port: served, and the backend sees the pod's address;</li>
 *   <li>loadBalancerSourceRanges: a client in the ranges is served, another is dropped (counted);</li>
 *   <li>IPv4 externalIPs and load-balancer IPs with externalTrafficPolicy Cluster and a backend on
 *       node 2, which would answer the client on the LAN directly: SNATed to node 1's address, so the
 *       answer comes back through node 1 from the external address; Local: the client's address kept;</li>
 *   <li>hairpin: the pod reaching itself through its ClusterIP is answered, seeing the service address;</li>
 *   <li>a Service deleted under an established connection: its next segment gets a RST;</li>
 *   <li>path MTU discovery: a backend's large answer reaches a client behind a smaller link, the
 *       router's fragmentation needed sent on to the backend (externalIP Local and Cluster, node port
 *       Cluster);</li>
 *   <li>a pod client of a UDP ClusterIP with its backend on node 2: the pod's port unreachable about
 *       an answer it no longer listens for reaches the backend's socket (ECONNREFUSED).</li>
 * </ul>
 */
class DaemonNodePortTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE1 = "10.77.0.1";
    private static final String NODE2 = "10.77.0.2";
    private static final String CLIENT = "10.77.0.100";
    private static final String OTHER_CLIENT = "10.77.0.101";
    private static final String LB_IP = "192.0.2.80";
    private static final String REMOTE = "10.244.52.5";
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: nodeport-e2e}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.77.0.254], asn: 4200100001}
                hosts:
                  - {name: node1, address: 10.77.0.1, podCIDR: 10.244.51.0/24}
                  - {name: node2, address: 10.77.0.2, podCIDR: 10.244.52.0/24}
            """;
    /** A one-line HTTP server: answers "NAME PEER-ADDRESS". */
    static final String SERVER = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[2], int(sys.argv[3])))
            s.listen(64)
            while True:
                c, a = s.accept()
                try:
                    c.recv(4096)
                    body = ("%s %s\\n" % (sys.argv[1], a[0])).encode()
                    c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: " + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)
                finally:
                    c.close()
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private GannetProcess gannet;
    private Path pinRoot;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    private final List<String> extraArgs = new ArrayList<>();
    private Path cgroup;
    private NetworkNamespace lan;
    private NetworkNamespace node1;
    private NetworkNamespace node2;
    private NetworkNamespace client;
    private NetworkNamespace otherClient;
    private NetworkNamespace pod;
    private String podIp;
    private Path services;

    /** The LAN, node 2's backend, node 1's daemon and its pod with a backend; see the class comment. */
    private void startNode() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("nsenter");
        Requirements.requireCommand("curl");
        Requirements.requireCommand("python3");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        // The LAN: a bridge with one port per host.
        lan = bed.lan("npl");
        node1 = bed.host(lan, "np1", NODE1 + "/24");
        node2 = bed.host(lan, "np2", NODE2 + "/24");
        client = bed.host(lan, "npc", CLIENT + "/24");
        otherClient = bed.host(lan, "npd", OTHER_CLIENT + "/24");
        // Each node routes the other's PodCIDR (what BGP through the leaf would install); the
        // clients reach the load-balancer IP through node 1 (as an upstream router would).
        node1.exec("ip", "route", "add", "10.244.52.0/24", "via", NODE2);
        node2.exec("ip", "route", "add", "10.244.51.0/24", "via", NODE1);
        client.exec("ip", "route", "add", LB_IP, "via", NODE1);
        otherClient.exec("ip", "route", "add", LB_IP, "via", NODE1);
        node1.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        node2.exec("ip", "addr", "add", REMOTE + "/32", "dev", "lo");
        Path server = dir.resolve("server.py");
        Files.writeString(server, SERVER);
        bed.start(node2, "python3", server.toString(), "remote", REMOTE, "8080");

        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        pinRoot = bed.pinRoot("nodeport-test"); // socket-level load balancing's links go with their pins
        services = Files.createDirectories(dir.resolve("services"));
        Path socket = dir.resolve("cni.sock");
        List<String> args = new ArrayList<>(List.of("--cni-socket", socket.toString(),
                "--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString(), "--host-device", "eth0"));
        args.addAll(extraArgs);
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, profile, "node1", args.toArray(String[]::new)));
        gannet.awaitTrue("CNI socket", () -> Files.exists(socket), () -> "");

        pod = bed.ns("npp");
        JsonNode added = cni(plugin, node1, socket, pod);
        podIp = added.path("ips").get(0).path("address").asText().replace("/32", "");
        assertThat(podIp).startsWith("10.244.51.");
        bed.start(pod, "python3", server.toString(), "pod", podIp, "8080");
    }

    @Test
    void nodePortReachesLocalAndRemoteBackendsWithTheSourceTheTrafficPolicySays() throws Exception {
        startNode();
        Files.writeString(services.resolve("np.yaml"), nodePort("remote-only", 30081, "Cluster", "")
                + nodePort("mixed", 30082, "Cluster", podIp) + nodePort("local", 30083, "Local", podIp));
        JsonNode rows = awaitServices(r -> count(r, "NodePort") == 3);
        assertThat(rowOf(rows, NODE1 + ":30083").path("backendAddresses").toString())
                .as("Local: only node1's endpoint").contains(podIp).doesNotContain(REMOTE);
        for (JsonNode r : rows) {
            assertThat(r.path("notDone").toString()).as(r.toString()).doesNotContain("NodePort");
        }

        // Cluster, remote backend: reached through node1, which it sees as the client (SNAT).
        assertThat(curl(client, NODE1, 30081)).isEqualTo("remote " + NODE1);
        // Cluster, local and remote backends: both serve, both see node1.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30 && seen.size() < 2; i++) {
            seen.add(curl(client, NODE1, 30082));
        }
        assertThat(seen).containsExactlyInAnyOrder("remote " + NODE1, "pod " + NODE1);
        // Local: only the local pod, and it sees the client's own address.
        for (int i = 0; i < 5; i++) {
            assertThat(curl(client, NODE1, 30083)).isEqualTo("pod " + CLIENT);
        }
        // A pod reaching a node port: not SNATed, the remote backend sees the pod.
        assertThat(curl(pod, NODE1, 30081)).isEqualTo("remote " + podIp);
    }

    /**
     * A node address added after the Services were applied (DHCP, an operator's {@code ip addr})
     * serves the node port within a few seconds, with no Service change; a removed one stops
     * being a frontend. Before, node addresses were read only when a Service changed.
     */
    @Test
    void aNodeAddressAddedLaterServesNodePortsWithoutAServiceChange() throws Exception {
        startNode();
        Files.writeString(services.resolve("np.yaml"), nodePort("remote-only", 30081, "Cluster", ""));
        awaitServices(r -> count(r, "NodePort") == 1);
        String added = "10.77.0.11";
        node1.exec("ip", "addr", "add", added + "/24", "dev", "eth0");
        awaitServices(r -> r.toString().contains(added + ":30081"));
        // Cluster: SNATed to the node address the client asked for, as on the original one.
        assertThat(curl(client, added, 30081)).isEqualTo("remote " + added);
        assertThat(gannet.log()).contains("node addresses now").contains(added);
        node1.exec("ip", "addr", "del", added + "/24", "dev", "eth0");
        awaitServices(r -> !r.toString().contains(added + ":30081") && count(r, "NodePort") == 1);
        assertThat(curl(client, NODE1, 30081)).isEqualTo("remote " + NODE1);
    }

    @Test
    void loadBalancerSourceRangesLetOnlyTheirSourcesIn() throws Exception {
        startNode();
        Files.writeString(services.resolve("lb.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: lb, namespace: shop}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.7.90
                  externalTrafficPolicy: Local
                  loadBalancerSourceRanges: [%s/32, 198.51.100.0/24]
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30090}]
                status: {loadBalancer: {ingress: [{ip: %s}]}}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: lb-1, namespace: shop, labels: {kubernetes.io/service-name: lb}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: ["%s"], nodeName: node1, conditions: {ready: true}}
                """.formatted(CLIENT, LB_IP, podIp));
        JsonNode rows = awaitServices(r -> r.toString().contains(LB_IP + ":80/TCP"));
        assertThat(rowOf(rows, LB_IP).path("notDone").toString()).doesNotContain("loadBalancerSourceRanges");

        // In the ranges: served, the pod sees the client (Local).
        assertThat(curl(client, LB_IP, 80)).isEqualTo("pod " + CLIENT);
        // Outside them: nothing comes back, and the drop is counted with its reason.
        Process p = otherClient.start("curl", "-s", "-m", "2", "http://" + LB_IP + ":80/");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("curl from outside the ranges: " + out).isNotZero();
        assertThat(out).isEmpty();
        String counters = NetworkNamespace.Shell.run("bpftool", "-j", "map", "lookup", "pinned",
                io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_metrics").toString(), "key",
                Integer.toString(io.gannet.bpf.maps.Reason.DROP_SOURCE_RANGE.ordinal()), "0", "0", "0");
        assertThat(sumPerCpu(counters)).as("DROP_SOURCE_RANGE (SYN and its retries): " + counters).isPositive();
        // The node port is the load balancer's way in, not restricted by its ranges (as kube-proxy).
        assertThat(curl(otherClient, NODE1, 30090)).isEqualTo("pod " + OTHER_CLIENT);
    }

    @Test
    void aPodReachesItselfThroughItsServiceAndGetsItsReply() throws Exception {
        startNode();
        Files.writeString(services.resolve("self.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: self, namespace: shop}
                spec:
                  clusterIP: 10.96.7.50
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: self-1, namespace: shop, labels: {kubernetes.io/service-name: self}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: ["%s"], nodeName: node1, conditions: {ready: true}}
                """.formatted(podIp));
        awaitServices(r -> r.toString().contains("10.96.7.50:80/TCP"));
        // Hairpin: the pod is its own Service's backend; the request reaches it from the service
        // address (SNAT, as Cilium and kube-proxy's hairpin masquerade), and the reply comes back.
        for (int i = 0; i < 3; i++) {
            assertThat(curl(pod, "10.96.7.50", 80)).isEqualTo("pod 10.96.7.50");
        }
    }

    /**
     * Socket-level load balancing through {@code gannet run --socket-lb-cgroup}: a process of
     * node 1 itself (its namespace, in the test's cgroup) reaches a ClusterIP whose backends are
     * node 1's pod and node 2's address, with no DNAT in between (kube-proxy serves the node's own
     * traffic in OUTPUT; without this a node could not reach its Services at all). The daemon
     * restarted keeps it working (the pinned links' programs replaced), and started without the
     * flag it detaches the hooks.
     */
    @Test
    void theNodesOwnProcessesReachClusterIpsThroughSocketLevelLoadBalancing() throws Exception {
        cgroup = bed.cgroup("np"); // socket-level load balancing attaches to a cgroup v2 directory
        extraArgs.addAll(List.of("--socket-lb-cgroup", cgroup.toString()));
        startNode();
        Files.writeString(services.resolve("web.yaml"), DaemonServicesTest.service("web", "10.96.7.70", podIp, REMOTE));
        awaitServices(r -> r.toString().contains("10.96.7.70:80/TCP"));
        assertThat(gannet.log()).contains("socket-level load balancing");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 40 && seen.size() < 2; i++) {
            seen.add(curlInCgroup(node1, "10.96.7.70", 80).split(" ")[0]);
        }
        assertThat(seen).as("both backends answer node 1's own process").containsExactlyInAnyOrder("pod", "remote");
        assertThat(curlOnce(false, node1, "10.96.7.70", 80)).as("a process outside the cgroup is not served")
                .isEqualTo("failed");

        gannet.close();
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, dir.resolve("profile.yaml"), "node1", "--services-dir",
                services.toString(), "--bpf-pin-root", pinRoot.toString(), "--host-device", "eth0", "--socket-lb-cgroup", cgroup.toString()));
        awaitServices(r -> r.toString().contains("10.96.7.70:80/TCP"));
        assertThat(curlInCgroup(node1, "10.96.7.70", 80)).matches("(pod|remote) .*");

        gannet.close();
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, dir.resolve("profile.yaml"), "node1", "--services-dir",
                services.toString(), "--bpf-pin-root", pinRoot.toString(), "--host-device", "eth0"));
        awaitServices(r -> r.toString().contains("10.96.7.70:80/TCP"));
        assertThat(gannet.log()).contains("socket-level load balancing detached");
        assertThat(curlOnce(true, node1, "10.96.7.70", 80)).isEqualTo("failed");
    }

    /** curl from {@code ns} inside the test's cgroup (joined from the host's /sys, then nsenter), retried until answered. */
    private String curlInCgroup(NetworkNamespace ns, String addr, int port) throws Exception {
        String last = "";
        for (int i = 0; i < 20; i++) {
            last = curlOnce(true, ns, addr, port);
            if (!last.equals("failed")) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no answer from " + addr + ":" + port + " in " + ns.name() + "'s cgroup process: " + gannet.log());
    }

    private String curlOnce(boolean inCgroup, NetworkNamespace ns, String addr, int port) throws Exception {
        return io.gannet.testsupport.CgroupProcess.run(inCgroup ? cgroup : null, ns.name(), "curl -s -m 2 http://" + addr + ":" + port + "/");
    }

    /** Connects, waits for a file to appear, then sends a request: prints the answer, "reset" or "timeout". */
    private static final String HOLDING_CLIENT = """
            import os, socket, sys, time
            c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
            print("connected", flush=True)
            while not os.path.exists(sys.argv[3]):
                time.sleep(0.05)
            try:
                c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
                data = c.recv(4096)
                print("answer " + data.decode().split("\\r\\n\\r\\n")[-1].strip() if data else "closed", flush=True)
            except ConnectionResetError:
                print("reset", flush=True)
            except socket.timeout:
                print("timeout", flush=True)
            """;

    @Test
    void anEstablishedFlowOfADeletedServiceIsReset() throws Exception {
        startNode();
        Path yaml = services.resolve("gone.yaml");
        Files.writeString(yaml, """
                apiVersion: v1
                kind: Service
                metadata: {name: gone, namespace: shop}
                spec:
                  clusterIP: 10.96.7.60
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: gone-1, namespace: shop, labels: {kubernetes.io/service-name: gone}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: ["%s"], nodeName: node2, conditions: {ready: true}}
                """.formatted(REMOTE));
        awaitServices(r -> r.toString().contains("10.96.7.60:80/TCP"));
        Path script = dir.resolve("hold.py");
        Files.writeString(script, HOLDING_CLIENT);
        Path go = dir.resolve("go");
        Process holder = bed.start(pod, "python3", script.toString(), "10.96.7.60", "80", go.toString());
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("connected");

        // The Service is deleted while the connection is established: its next segment is answered
        // with a RST by the datapath (not left to leak towards the old ClusterIP).
        Files.delete(yaml);
        awaitServices(r -> !r.toString().contains("10.96.7.60"));
        Files.writeString(go, "");
        assertThat(out.readLine()).isEqualTo("reset");
    }

    /**
     * Connects to argv[1]:argv[2], sends an HTTP request; prints the peer its socket sees (a SYN-ACK
     * from another address would never complete the handshake) and the body, or "failed ...".
     */
    private static final String PEER_CLIENT = """
            import socket, sys
            try:
                c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
                peer = c.getpeername()
                c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
                data = b""
                while True:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                print("peer %s %d answer %s" % (peer[0], peer[1], data.decode().split("\\r\\n\\r\\n")[-1].strip()))
            except Exception as e:
                print("failed %s" % e)
            """;

    /**
     * IPv4 externalIPs and load-balancer ingress IPs from a client outside the node, as kube-proxy
     * serves them. Node 2 has the client on its LAN, so a backend there answering the client
     * itself would send its reply straight to it, from its pod address (an L3 fabric routes it so;
     * only symmetric routing through node 1 would let it pass): with externalTrafficPolicy Cluster
     * node 1 SNATs the request to its own address, the backend answers node 1, and the client gets
     * the answer from the external address. Local keeps the client's address and serves from this
     * node's endpoints only.
     */
    @Test
    void externalIpsAndLoadBalancerIpsWithClusterPolicyAreSnatedToTheNodeSoARemoteBackendAnswersThroughIt() throws Exception {
        startNode();
        client.exec("ip", "route", "add", "192.0.2.0/24", "via", NODE1);
        Files.writeString(services.resolve("ext.yaml"), external("ext-remote", 31, "Cluster", "192.0.2.81", "", REMOTE + "@node2")
                + external("lb-remote", 32, "Cluster", "", "192.0.2.82", REMOTE + "@node2")
                + external("ext-mixed", 33, "Cluster", "192.0.2.83", "", podIp + "@node1", REMOTE + "@node2")
                + external("ext-local", 34, "Local", "192.0.2.84", "", podIp + "@node1", REMOTE + "@node2"));
        JsonNode rows = awaitServices(r -> r.toString().contains("192.0.2.81:80/TCP") && r.toString().contains("192.0.2.82:80/TCP")
                && r.toString().contains("192.0.2.83:80/TCP") && r.toString().contains("192.0.2.84:80/TCP"));
        assertThat(rowOf(rows, "192.0.2.84").path("backendAddresses").toString())
                .as("Local: only node1's endpoint").contains(podIp).doesNotContain(REMOTE);
        for (JsonNode r : rows) {
            assertThat(r.path("notDone").toString()).as(r.toString()).doesNotContain("not SNATed");
        }
        Path script = dir.resolve("peer.py");
        Files.writeString(script, PEER_CLIENT);

        // Cluster, the backend on node 2: it sees node 1, and the client the externalIP answer.
        assertThat(ask(script, client, "192.0.2.81")).isEqualTo("peer 192.0.2.81 80 answer remote " + NODE1);
        // A load-balancer ingress IP with Cluster: the same.
        assertThat(ask(script, client, "192.0.2.82")).isEqualTo("peer 192.0.2.82 80 answer remote " + NODE1);
        // Cluster, local and remote backends: both serve, both see node 1.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30 && seen.size() < 2; i++) {
            seen.add(ask(script, client, "192.0.2.83"));
        }
        assertThat(seen).containsExactlyInAnyOrder("peer 192.0.2.83 80 answer remote " + NODE1,
                "peer 192.0.2.83 80 answer pod " + NODE1);
        // Local: only the local pod, and it sees the client's own address.
        for (int i = 0; i < 5; i++) {
            assertThat(ask(script, client, "192.0.2.84")).isEqualTo("peer 192.0.2.84 80 answer pod " + CLIENT);
        }
        // A pod reaching the externalIP: not SNATed, the remote backend sees the pod.
        assertThat(curl(pod, "192.0.2.81", 80)).isEqualTo("remote " + podIp);
    }

    /**
     * Path MTU discovery through IPv4 external frontends and node ports: a client behind a router
     * whose link towards it is smaller (1280) than the LAN's (1500) asks for a large answer; the
     * router's fragmentation needed (RFC 1191) about a reply is sent to the address the reply came
     * from (the externalIP, or node 1's address for a node port), and node 1 sends it on to the
     * backend (bpf lib/lb.h dp_stage_icmp_to_backend) quoting the reply as the backend sent it, so
     * the backend lowers its path MTU and the answer arrives whole: a local backend (externalIP,
     * Local), a remote one SNATed to node 1 (externalIP and node port, Cluster).
     */
    @Test
    void aBackendsLargeAnswerReachesAClientBehindASmallerLinkThroughPathMtuDiscovery() throws Exception {
        startNode();
        NetworkNamespace router = bed.host(lan, "npr", "10.77.0.200/24");
        NetworkNamespace far = bed.ns("npf");
        router.linkTo(far, "eth1", "10.79.0.1/24", "eth0", "10.79.0.5/24");
        router.exec("ip", "link", "set", "eth1", "mtu", "1280");
        router.exec("ip", "route", "add", "192.0.2.0/24", "via", NODE1);
        router.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        far.exec("ip", "route", "add", "default", "via", "10.79.0.1");
        node1.exec("ip", "route", "add", "10.79.0.0/24", "via", "10.77.0.200");
        node2.exec("ip", "route", "add", "10.79.0.0/24", "via", "10.77.0.200");
        Path bigServer = dir.resolve("big-server.py");
        Files.writeString(bigServer, DaemonIpv6ExternalServicesTest.SERVER);
        bed.start(pod, "python3", bigServer.toString(), "bigpod", podIp, "8081", "200000");
        bed.start(node2, "python3", bigServer.toString(), "bigremote", REMOTE, "8081", "200000");
        Path big = dir.resolve("big.py");
        Files.writeString(big, DaemonIpv6ExternalServicesTest.BIG_CLIENT_PY);
        Files.writeString(services.resolve("big.yaml"), (external("big-local", 41, "Local", "192.0.2.91", "", podIp + "@node1")
                + external("big-cluster", 42, "Cluster", "192.0.2.92", "", REMOTE + "@node2")
                + nodePort("big-np", 30195, "Cluster", ""))
                .replace("targetPort: 8080", "targetPort: 8081").replace("port: 8080}", "port: 8081}"));
        awaitServices(r -> r.toString().contains("192.0.2.91:80/TCP") && r.toString().contains("192.0.2.92:80/TCP")
                && r.toString().contains(NODE1 + ":30195/TCP"));
        String[][] cases = {{"192.0.2.91", "80", "bigpod", "10.79.0.5"}, {"192.0.2.92", "80", "bigremote", NODE1},
            {NODE1, "30195", "bigremote", NODE1}};
        for (String[] c : cases) {
            String last = "";
            for (int i = 0; i < 10 && !last.startsWith("got"); i++) {
                last = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", far.name(), "python3", big.toString(), c[0], c[1]).trim();
            }
            int size = (c[2] + " " + c[3] + "\n").length() + 200000;
            assertThat(last).as("the whole answer through " + c[0] + ":" + c[1] + "\n" + gannet.cli("show", "services"))
                    .isEqualTo("got " + size + " bytes from " + c[2]);
        }
    }

    /**
     * A UDP backend for one client: answers its first datagram ("one"), connects its socket to the
     * client, and a second later sends "two", which the client no longer listens for; prints
     * "refused PEER" when its socket then reports the client's port unreachable (ECONNREFUSED),
     * "timeout PEER" when nothing comes.
     */
    private static final String UDP_BACKEND = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            print("ready", flush=True)
            data, peer = s.recvfrom(512)
            s.connect(peer)
            s.send(b"one")
            time.sleep(1)
            s.send(b"two")
            s.settimeout(3)
            result = "timeout"
            try:
                while True:
                    s.recv(512)  # the client's retries, if any
            except ConnectionRefusedError:
                result = "refused"
            except socket.timeout:
                pass
            print(result, peer[0], flush=True)
            """;

    /** Asks addr:port over UDP (retrying until answered), prints "ANSWER FROM-ADDR FROM-PORT" and closes its socket. */
    private static final String UDP_CLIENT = """
            import socket, sys
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.settimeout(1)
            for i in range(10):
                c.sendto(b"hello", (sys.argv[1], int(sys.argv[2])))
                try:
                    data, peer = c.recvfrom(512)
                    print(data.decode(), peer[0], peer[1], flush=True)
                    break
                except socket.timeout:
                    pass
            c.close()
            """;

    /**
     * A pod client of a UDP ClusterIP whose backend is on node 2: the answer reaches the pod from the
     * ClusterIP, the pod closes its socket, and the backend's next datagram gets the pod's own port
     * unreachable, which the pod's stack sends to the ClusterIP. Node 1 sends it on to the backend
     * (bpf from_pod, dp_stage_icmp_to_backend) quoting the datagram as the backend sent it, so the
     * backend's connected socket reports ECONNREFUSED (without it the error went to the ClusterIP,
     * nowhere, and the backend kept sending into the void).
     */
    @Test
    void aPodsPortUnreachableAboutAClusterIpsAnswerReachesTheBackendsSocket() throws Exception {
        startNode();
        Files.writeString(services.resolve("dns.yaml"), DaemonServicesTest.service("dns", "10.96.7.80", REMOTE)
                .replace("{name: http, protocol: TCP, port: 80, targetPort: 8080}", "{name: dns, protocol: UDP, port: 53, targetPort: 5353}")
                .replace("{name: http, protocol: TCP, port: 8080}", "{name: dns, protocol: UDP, port: 5353}"));
        awaitServices(r -> r.toString().contains("10.96.7.80:53/UDP"));
        Path backendPy = dir.resolve("udp-backend.py");
        Files.writeString(backendPy, UDP_BACKEND);
        Path clientPy = dir.resolve("udp-client.py");
        Files.writeString(clientPy, UDP_CLIENT);
        Process backend = bed.start(node2, "python3", backendPy.toString(), REMOTE, "5353");
        java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(backend.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");

        String answer = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", pod.name(), "python3", clientPy.toString(),
                "10.96.7.80", "53").trim();
        assertThat(answer).as("the answer, from the ClusterIP\n" + gannet.cli("show", "services")).isEqualTo("one 10.96.7.80 53");
        assertThat(backend.waitFor(10, TimeUnit.SECONDS)).as("the backend finished").isTrue();
        assertThat(out.readLine()).as("the backend's socket after its second datagram").isEqualTo("refused " + podIp);
    }

    /** What {@code from} gets from addr:80 through {@link #PEER_CLIENT}, retried until it answers. */
    private String ask(Path script, NetworkNamespace from, String addr) throws Exception {
        String last = "";
        for (int i = 0; i < 12; i++) {
            last = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.name(), "python3", script.toString(), addr, "80").trim();
            if (last.startsWith("peer ")) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no answer from " + addr + ":80: " + last + "\n" + gannet.cli("show", "services"));
    }

    /** A LoadBalancer Service with an IPv4 externalIP or ingress IP, and its EndpointSlice ("addr@node" endpoints). */
    private static String external(String name, int n, String policy, String externalIp, String ingressIp, String... endpoints) {
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
                  clusterIP: 10.96.8.%d
                  externalTrafficPolicy: %s
                  externalIPs: [%s]
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: %d}]
                status: {loadBalancer: {ingress: [%s]}}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-1, namespace: shop, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                %s---
                """.formatted(name, n, policy, externalIp, 30100 + n, ingressIp.isEmpty() ? "" : "{ip: " + ingressIp + "}", name,
                name, eps);
    }

    /** Sums bpftool -j's per-CPU values of one dp_metrics entry. */
    static long sumPerCpu(String json) throws Exception {
        long sum = 0;
        JsonNode root = JSON.readTree(json);
        JsonNode values = root.isArray() ? root.get(0).path("values") : root.path("values");
        if (values.isMissingNode() || values.isEmpty()) {
            throw new AssertionError("no per-CPU values in " + json);
        }
        for (JsonNode v : values) {
            JsonNode value = v.path("value");
            if (value.isArray()) { // raw bytes, "0x.." strings, little-endian
                long n = 0;
                for (int i = value.size() - 1; i >= 0; i--) {
                    n = (n << 8) | Long.parseLong(value.get(i).asText().replace("0x", ""), 16);
                }
                sum += n;
            } else {
                sum += value.asLong();
            }
        }
        return sum;
    }

    private static String nodePort(String name, int nodePort, String policy, String localPod) {
        String local = localPod.isEmpty() ? "" : "- {addresses: [\"" + localPod + "\"], nodeName: node1, conditions: {ready: true}}\n";
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: shop}
                spec:
                  type: NodePort
                  clusterIP: 10.96.7.%d
                  externalTrafficPolicy: %s
                  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: %d}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-1, namespace: shop, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                %s- {addresses: ["%s"], nodeName: node2, conditions: {ready: true}}
                ---
                """.formatted(name, nodePort - 30000, policy, nodePort, name, name, local, REMOTE);
    }

    /** The body a backend answered through {@code ns}'s curl, trimmed. */
    private static String curl(NetworkNamespace ns, String addr, int port) throws Exception {
        String last = "";
        for (int i = 0; i < 20; i++) {
            Process p = ns.start("curl", "-s", "-m", "3", "http://" + addr + ":" + port + "/");
            last = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && !last.isEmpty()) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no answer from " + addr + ":" + port + " in " + ns.name() + ": " + last);
    }

    private static int count(JsonNode rows, String type) {
        int n = 0;
        for (JsonNode r : rows) {
            if (type.equals(r.path("type").asText())) {
                n++;
            }
        }
        return n;
    }

    private static JsonNode rowOf(JsonNode rows, String frontend) {
        for (JsonNode r : rows) {
            if (r.path("frontend").asText().startsWith(frontend)) {
                return r;
            }
        }
        throw new AssertionError("no row for " + frontend + " in " + rows);
    }

    private JsonNode awaitServices(java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                JsonNode root = JSON.readTree(gannet.cli("show", "services", "--json"));
                last = root.isArray() ? root : root.path("services");
                if (last.isArray() && condition.test(last)) {
                    return last;
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("services never matched; last " + last + "\n--- log:\n" + gannet.log());
    }

    private JsonNode cni(Path plugin, NetworkNamespace node, Path socket, NetworkNamespace pod) throws Exception {
        return CniCall.add(plugin, node, socket, "ctr-np", pod, null);
    }
}
