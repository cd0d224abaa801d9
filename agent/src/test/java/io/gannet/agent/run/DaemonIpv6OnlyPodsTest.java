package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.linux.NetworkNamespace;
import io.gannet.pod.wiring.HostVethName;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6-only pods through {@code gannet run --cni-socket --services-dir}, as a user runs them: a
 * node whose profile has only an IPv6 podCIDRPool and PodCIDR, two pods made by the CNI plugin
 * binary (each gets one IPv6 address), and an IPv6-only Service (TCP and UDP ports) written as
 * kubectl writes it. The client pod reaches the backend pod through the clusterIP over TCP and
 * UDP, and its sockets see the clusterIP as the peer (the replies were reverse-NATed); its
 * direct flow to the backend is tracked (ct_new_plain); a packet from another IPv6 source
 * (an address the test adds in the pod), or any IPv4, is dropped as drop_spoofed. The daemon
 * restarts — with the pod's dp_endpoints6 entry deleted meanwhile, as for a pod a Gannet
 * wired before that map existed — and all of it holds: the restored pod's IPv6 source is
 * registered again. NetworkPolicy is judged on IPv6 as on IPv4: an ingress policy on the backend
 * admits the client pod on TCP 8080 and denies a third pod, an egress policy on the client lets
 * it reach the backend (directly and through the clusterIP) and nothing else; {@code gannet show
 * policy} lists the IPv6 entries and the drops are counted. CNI DEL detaches the programs from
 * the pod's veth.
 */
class DaemonIpv6OnlyPodsTest {
    private static final String VIP = "fd00:96::79:a";
    private static final int METRICS_PORT = 19479;
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: v6only-pods}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: "fd00:10:245::/56", prefixLength: 64}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: ["fd00:79::fe"], routerId: 10.79.0.254, asn: 4200100001}
                hosts:
                  - {name: node1, address: "fd00:79::1", routerId: 10.79.0.1, podCIDR: "fd00:10:245:1::/64"}
            """;

    /** Echoes every UDP datagram back to its sender. */
    private static final String UDP_ECHO = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            while True:
                d, a = s.recvfrom(65535)
                s.sendto(d, a)
            """;

    /** Sends 100 bytes to [argv[1]]:argv[2] from a connected UDP socket; prints who answered and whether with the same bytes. */
    private static final String UDP_CLIENT = """
            import socket, sys
            c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            c.settimeout(2)
            try:
                c.connect((sys.argv[1], int(sys.argv[2])))
                data = bytes(i % 251 for i in range(100))
                c.send(data)
                got, peer = c.recvfrom(65535)
                print("peer %s %d %s" % (peer[0], peer[1], "same" if got == data else "different"))
            except Exception as e:
                print("failed %s" % e)
            """;

    /** Connects from source argv[1] to [argv[2]]:argv[3]; prints "connected" or "failed ...". */
    private static final String FROM_CLIENT = """
            import socket, sys
            try:
                c = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET)
                c.settimeout(2)
                c.bind((sys.argv[1], 0))
                c.connect((sys.argv[2], int(sys.argv[3])))
                print("connected")
            except Exception as e:
                print("failed %s" % e)
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private GannetProcess gannet;
    private Path pinRoot;
    private NetworkNamespace node;
    private List<String> runArgs;
    private Path profile;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void anIpv6OnlyPodReachesAnIpv6ClusterIpIsSourceCheckedAndTrackedThroughARestartAndDelDetachesIt() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("python3");
        Requirements.requireCommand("curl");
        Requirements.requireCommand("bpftool");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        node = bed.ns("v6n");
        NetworkNamespace leaf = bed.ns("v6l"); // the leaf's end of the node's link (no BGP speaker there)
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", node.name(), "type", "veth", "peer", "name", "eth0",
                "netns", leaf.name());
        node.exec("ip", "addr", "add", "fd00:79::1/64", "dev", "eth0", "nodad");
        node.exec("ip", "link", "set", "eth0", "up");
        leaf.exec("ip", "link", "set", "eth0", "up");
        profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        pinRoot = bed.pinRoot("v6only-test");
        Path services = Files.createDirectories(dir.resolve("services"));
        Path socket = dir.resolve("cni.sock");
        Path policies = Files.createDirectories(dir.resolve("policies"));
        runArgs = List.of("--cni-socket", socket.toString(), "--services-dir", services.toString(), "--policy-dir", policies.toString(),
                "--bpf-pin-root", pinRoot.toString(), "--metrics", "127.0.0.1:" + METRICS_PORT);
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node, dir, profile, "node1", runArgs.toArray(String[]::new)));
        gannet.awaitTrue("CNI socket", () -> Files.exists(socket), gannet::log);

        NetworkNamespace podA = bed.ns("v6a");
        NetworkNamespace podB = bed.ns("v6b");
        JsonNode ra = CniCall.add(plugin, node, socket, "ctr-v6a", podA, CniCall.podArgs("shop", "client"));
        JsonNode rb = CniCall.add(plugin, node, socket, "ctr-v6b", podB, CniCall.podArgs("shop", "web-0"));
        assertThat(ra.path("ips")).as("an IPv6-only pod").hasSize(1);
        String a6 = CniCall.address(ra);
        String b6 = CniCall.address(rb);
        assertThat(a6).startsWith("fd00:10:245:1:");
        String hostA = HostVethName.of("ctr-v6a", "eth0");
        int ifindex = Integer.parseInt(node.exec("cat", "/sys/class/net/" + hostA + "/ifindex").trim());
        assertThat(inMap("dp_endpoints", ifindex)).as("an endpoint (its IPv4 address 0)").isTrue();
        assertThat(inMap("dp_endpoints6", ifindex)).as("its IPv6 source registered at ADD").isTrue();

        Path server = dir.resolve("server.py");
        Files.writeString(server, DaemonIpv6ExternalServicesTest.SERVER);
        Path udpEcho = dir.resolve("udp-echo.py");
        Files.writeString(udpEcho, UDP_ECHO);
        bed.start(podB, "python3", server.toString(), "web-0", b6, "8080");
        bed.start(podB, "python3", udpEcho.toString(), b6, "5353");
        Files.writeString(services.resolve("web.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  type: ClusterIP
                  clusterIP: "%s"
                  clusterIPs: ["%s"]
                  ipFamilies: [IPv6]
                  ipFamilyPolicy: SingleStack
                  ports:
                  - {name: http, port: 80, protocol: TCP, targetPort: 8080}
                  - {name: dns, port: 53, protocol: UDP, targetPort: 5353}
                  selector: {app: web}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-x1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv6
                endpoints:
                - addresses: ["%s"]
                  conditions: {ready: true}
                  nodeName: node1
                ports:
                - {name: http, port: 8080, protocol: TCP}
                - {name: dns, port: 5353, protocol: UDP}
                """.formatted(VIP, VIP, b6));
        DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + VIP + "]:80/TCP")
                && r.toString().contains("[" + VIP + "]:53/UDP") && r.toString().contains("[" + b6 + "]:8080")
                && r.toString().contains("[" + b6 + "]:5353"));
        Path client = dir.resolve("client.py");
        Files.writeString(client, DaemonIpv6ExternalServicesTest.CLIENT_PY);
        Path udpClient = dir.resolve("udp-client.py");
        Files.writeString(udpClient, UDP_CLIENT);
        Path fromClient = dir.resolve("from-client.py");
        Files.writeString(fromClient, FROM_CLIENT);

        // Another IPv6 address in the pod, deprecated so that only a socket bound to it sends from it.
        podA.exec("ip", "addr", "add", "fd00:10:245:1::99/128", "dev", "eth0", "nodad", "preferred_lft", "0");
        // An IPv4 source the pod was never given, routed out of its eth0 to the host veth's MAC.
        String hostMac = node.exec("cat", "/sys/class/net/" + hostA + "/address").trim();
        podA.exec("ip", "addr", "add", "10.79.9.9/32", "dev", "eth0");
        podA.exec("ip", "route", "add", "10.79.0.1/32", "dev", "eth0");
        podA.exec("ip", "neigh", "replace", "10.79.0.1", "lladdr", hostMac, "dev", "eth0", "nud", "permanent");

        worksThrough(podA, client, udpClient, fromClient, a6, b6, "at first");

        // The daemon stops; meanwhile the pod's dp_endpoints6 entry goes (as for a pod a Gannet
        // attached before the map existed: not checked at all); the next daemon registers it again.
        assertThat(gannet.terminate(Duration.ofSeconds(20))).isTrue();
        NetworkNamespace.Shell.run(bpftool("delete", "dp_endpoints6", ifindex));
        assertThat(inMap("dp_endpoints6", ifindex)).as("the entry is gone").isFalse();
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node, dir, profile, "node1", runArgs.toArray(String[]::new)));
        gannet.awaitTrue("restored pod's IPv6 source registered again",
                () -> gannet.log().contains("restored pod " + a6 + ": datapath IPv6 source registered"), gannet::log);
        DaemonServicesTest.awaitServices(gannet, r -> r.toString().contains("[" + b6 + "]:8080"));
        worksThrough(podA, client, udpClient, fromClient, a6, b6, "after a restart");

        // IPv6 NetworkPolicy, both directions, judged as IPv4's: web-0 admits the client pod on TCP
        // 8080 only; the client may send to web pods on 8080 only. A third pod is denied both ways.
        NetworkNamespace podC = bed.ns("v6c");
        String c6 = CniCall.address(CniCall.add(plugin, node, socket, "ctr-v6c", podC, CniCall.podArgs("shop", "other")));
        bed.start(podC, "python3", server.toString(), "other", c6, "9090");
        gannet.awaitTrue("the third pod serves (no policy yet)", () -> run(podA, fromClient, a6, c6, "9090").equals("connected"),
                () -> run(podA, fromClient, a6, c6, "9090"));
        Files.writeString(policies.resolve("pods.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: web-0, labels: {app: web}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: client, labels: {app: client}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {namespace: shop, name: other, labels: {app: other}}
                """);
        Files.writeString(policies.resolve("web-in.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web-in, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  policyTypes: [Ingress]
                  ingress:
                  - from: [{podSelector: {matchLabels: {app: client}}}]
                    ports: [{port: 8080, protocol: TCP}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: client-out, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: client}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{podSelector: {matchLabels: {app: web}}}]
                    ports: [{port: 8080, protocol: TCP}]
                """);
        gannet.awaitTrue("show policy lists web-0's IPv6 entries",
                () -> gannet.cli("show", "policy", "web-0").contains("selected by: NetworkPolicy:shop/web-in"),
                () -> gannet.cli("show", "policy"));
        double deniedIn = policySample("ingress", "drop_default_deny");
        double deniedOut = policySample("egress", "drop_default_deny");
        assertThat(run(podC, fromClient, c6, b6, "8080")).as("another pod into web-0: ingress denies it").startsWith("failed");
        assertThat(run(podA, fromClient, a6, c6, "9090")).as("the client to another pod: egress denies it").startsWith("failed");
        assertThat(run(podA, udpClient, VIP, "53")).as("the client's UDP to the clusterIP: egress denies it").startsWith("failed");
        assertThat(run(podA, fromClient, a6, b6, "8080")).as("client -> web-0:8080, both policies allow it").isEqualTo("connected");
        assertThat(run(podA, client, VIP, "80")).as("client -> the clusterIP -> web-0:8080").isEqualTo("peer " + VIP + " 80 answer web-0 " + a6);
        assertThat(run(podC, fromClient, c6, a6, "22")).as("the client has no ingress policy: its refusal comes back")
                .contains("Connection refused");
        assertThat(policySample("ingress", "drop_default_deny")).as("counted as ingress drops").isGreaterThan(deniedIn);
        assertThat(policySample("egress", "drop_default_deny")).as("counted as egress drops").isGreaterThan(deniedOut);
        assertThat(sample("drop_policy_ipv6")).as("nothing is closed wholesale any more").isLessThanOrEqualTo(0);
        String show = gannet.cli("show", "policy", "web-0");
        assertThat(show).contains(b6).contains("8080").doesNotContain("not judged");
        assertThat(gannet.cli("show", "policy", "client")).contains("selected for egress by: NetworkPolicy:shop/client-out");
        GannetProcess.CliResult drops = gannet.cliResult("monitor", "--drops", "--from-start", "--count", "1", "--json");
        assertThat(drops.exit()).as(drops.err()).isZero();
        JsonNode drop = new com.fasterxml.jackson.databind.ObjectMapper().readTree(drops.out().lines().findFirst().orElseThrow());
        assertThat(drop.path("source").asText()).as("the first drop: the third pod into web-0").startsWith("[" + c6 + "]:");
        assertThat(drop.path("destination").asText()).isEqualTo("[" + b6 + "]:8080");
        assertThat(drop.path("identity").asText()).contains("app=other");
        assertThat(drop.path("endpoint").asText()).isEqualTo("shop/web-0");
        assertThat(drop.path("direction").asText()).isEqualTo("ingress");
        assertThat(gannet.log()).doesNotContain("IPv6 is not judged").doesNotContain("IPv6-only pod");
        assertThat(gannet.alive()).isTrue();

        // CNI DEL: the programs leave the veth with it, and the endpoint goes.
        assertThat(inMap("dp_endpoints", ifindex) && inMap("dp_endpoints6", ifindex)).as("registered again").isTrue();
        CniCall.run(plugin, node, socket, "DEL", "ctr-v6a", podA, CniCall.podArgs("shop", "client"));
        assertThat(node.exec("ip", "-o", "link", "show")).doesNotContain(hostA);
        assertThat(inMap("dp_endpoints", ifindex)).as("the endpoint is forgotten").isFalse();
        assertThat(inMap("dp_endpoints6", ifindex)).isFalse();
    }

    /** {@code bpftool map VERB pinned <pin root>/maps/MAP key <ifindex as 4 little-endian bytes>}. */
    private String[] bpftool(String verb, String map, int ifindex) {
        return new String[] {"bpftool", "-j", "map", verb, "pinned", io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(map).toString(), "key",
            Integer.toString(ifindex & 0xff), Integer.toString((ifindex >> 8) & 0xff), Integer.toString((ifindex >> 16) & 0xff),
            Integer.toString(ifindex >>> 24)};
    }

    private boolean inMap(String map, int ifindex) {
        return NetworkNamespace.Shell.runQuietly(bpftool("lookup", map, ifindex)).contains("\"value\"");
    }

    /** The clusterIP over TCP and UDP, conntrack of a direct flow, and the source check: see the class comment. */
    private void worksThrough(NetworkNamespace podA, Path client, Path udpClient, Path fromClient, String a6, String b6, String when)
            throws Exception {
        gannet.awaitTrue("TCP to the IPv6 clusterIP, answered from it (" + when + ")",
                () -> run(podA, client, VIP, "80").equals("peer " + VIP + " 80 answer web-0 " + a6),
                () -> run(podA, client, VIP, "80") + "\ndirect: " + run(podA, fromClient, a6, b6, "8080") + "\n"
                        + NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", node.name(), "curl", "-s",
                                "http://127.0.0.1:" + METRICS_PORT + "/metrics").lines()
                                .filter(l -> l.startsWith("gannet_datapath_packets_total") && !l.endsWith(" 0.0")).toList()
                        + "\n" + gannet.cli("show", "services"));
        assertThat(run(podA, udpClient, VIP, "53")).as("UDP to the clusterIP " + when).isEqualTo("peer " + VIP + " 53 same");

        double tracked = sample("ct_new_plain");
        assertThat(run(podA, fromClient, a6, b6, "8080")).as("a direct flow " + when).isEqualTo("connected");
        assertThat(sample("ct_new_plain")).as("the direct flow is tracked " + when).isGreaterThan(tracked);

        double spoofed = sample("drop_spoofed");
        assertThat(run(podA, fromClient, "fd00:10:245:1::99", VIP, "80")).as("another IPv6 source " + when).startsWith("failed");
        assertThat(sample("drop_spoofed")).as("dropped as spoofed " + when).isGreaterThan(spoofed);
        spoofed = sample("drop_spoofed");
        NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", podA.name(), "python3", fromClient.toString(), "10.79.9.9",
                "10.79.0.1", "80");
        assertThat(sample("drop_spoofed")).as("an IPv6-only pod sends no IPv4 " + when).isGreaterThan(spoofed);
    }

    private double sample(String reason) {
        String text = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", node.name(), "curl", "-s",
                "http://127.0.0.1:" + METRICS_PORT + "/metrics");
        return DeployFiles.sample(text, "gannet_datapath_packets_total", "reason=\"" + reason + "\"");
    }

    private double policySample(String direction, String reason) {
        String text = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", node.name(), "curl", "-s",
                "http://127.0.0.1:" + METRICS_PORT + "/metrics");
        return DeployFiles.sample(text, "gannet_policy_packets_total", "direction=\"" + direction + "\",reason=\"" + reason + "\"");
    }

    private static String run(NetworkNamespace from, Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", from.name(), "python3", script.toString()));
        cmd.addAll(List.of(args));
        return NetworkNamespace.Shell.runQuietly(cmd.toArray(String[]::new)).trim();
    }
}
