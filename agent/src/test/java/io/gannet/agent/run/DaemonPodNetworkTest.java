package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's proof: two nodes, each one {@code gannet run --cni-socket ... --fib}, and a real
 * FRR leaf (bgpd + zebra, so it forwards) configured by {@code gannet profile render --switch}.
 * Pods are created by running {@code /opt/cni/bin/gannet} (the built binary) as a runtime does,
 * inside each node's namespace. Pod A on node 1 reaches pod B on node 2 through the leaf, which
 * learned both PodCIDRs from the daemons; a DEL leaves no interface, route or address behind,
 * and on node 1 (datapath on) no endpoint entry.
 */
class DaemonPodNetworkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: pods-e2e}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.203.0.254], asn: 4200100001}
                hosts:
                  - {name: node1, address: 10.203.0.1, podCIDR: 10.244.31.0/24}
                  - {name: node2, address: 10.203.0.2, podCIDR: 10.244.32.0/24}
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private final List<GannetProcess> daemons = new ArrayList<>();
    private Path pinRoot;
    private FrrRouter frr;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    private Path plugin;
    private Path profile;
    private NetworkNamespace leaf;
    private final NetworkNamespace[] nodes = new NetworkNamespace[2];
    private final Path[] sockets = new Path[2];
    private final List<List<String>> runArgs = new ArrayList<>();
    private Path services;
    private final List<String> node1Args = new ArrayList<>();
    private io.gannet.testsupport.EtcdServer etcd;

    /**
     * The fabric: the FRR leaf (a bridge with 10.203.0.254/24, one port per node), two nodes
     * with a static default route to it, a daemon on each (node 1 with the datapath and a
     * services directory), both sessions established and both PodCIDRs in the leaf's kernel.
     */
    private void fabric() throws Exception {
        fabric(PROFILE, false);
    }

    /** The fabric with {@code profileText}; with {@code withEtcd}, both daemons share one etcd served on the leaf's 10.203.0.254. */
    private void fabric(String profileText, boolean withEtcd) throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand(Fabric.BGPD);
        Requirements.requireCommand("/usr/lib/frr/zebra");
        Requirements.requireCommand("nsenter");
        plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        leaf = bed.lan("pel");
        leaf.exec("ip", "addr", "add", "10.203.0.254/24", "dev", "br0");
        leaf.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        for (int i = 0; i < 2; i++) {
            nodes[i] = bed.host(leaf, "pe" + (i + 1), "10.203.0." + (i + 1) + "/24");
            // A host's static default route to its leaf, as on a real rack.
            nodes[i].exec("ip", "route", "add", "default", "via", "10.203.0.254");
        }
        profile = dir.resolve("profile.yaml");
        Files.writeString(profile, profileText);
        frr = bed.own(FrrRouter.start(leaf, dir.resolve("frr"), GannetProcess.render(profile, "leaf1")));
        if (withEtcd) {
            etcd = bed.own(io.gannet.testsupport.EtcdServer.startIn(leaf.name(), "10.203.0.254"));
        }

        pinRoot = bed.pinRoot("pods-test");
        services = Files.createDirectories(dir.resolve("services"));
        for (int i = 0; i < 2; i++) {
            Path d = Files.createDirectories(dir.resolve("node" + (i + 1)));
            sockets[i] = d.resolve("cni.sock");
            List<String> args = new ArrayList<>(List.of("--cni-socket", sockets[i].toString(), "--fib"));
            if (i == 0) {
                args.addAll(List.of("--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString()));
                args.addAll(node1Args);
            }
            if (etcd != null) {
                args.addAll(List.of("--etcd", etcd.url()));
            }
            runArgs.add(args);
            daemons.add(startNode(i));
        }
        for (int i = 0; i < 2; i++) {
            GannetProcess g = daemons.get(i);
            g.awaitTrue("node" + (i + 1) + " established with leaf1", () -> g.established("leaf1"), () -> vtysh(leaf, "show bgp summary"));
            Path sock = sockets[i];
            g.awaitTrue("CNI socket", () -> Files.exists(sock), () -> "");
        }
        daemons.get(0).awaitTrue("the leaf installed both PodCIDRs", () -> {
            String r = leaf.exec("ip", "route", "show");
            // zebra writes nexthop objects: "10.244.31.0/24 nhid 10 via 10.203.0.1 dev br0 proto bgp"
            return r.matches("(?s).*10\\.244\\.31\\.0/24 [^\n]*via 10\\.203\\.0\\.1 .*")
                    && r.matches("(?s).*10\\.244\\.32\\.0/24 [^\n]*via 10\\.203\\.0\\.2 .*");
        }, () -> vtysh(leaf, "show bgp ipv4 unicast") + leaf.exec("ip", "route", "show"));
    }

    /** {@code gannet run} of node {@code i + 1} with its arguments (node 1 keeps the root's bpffs for its pins). */
    private GannetProcess startNode(int i) throws IOException {
        Path d = dir.resolve("node" + (i + 1));
        String[] args = runArgs.get(i).toArray(String[]::new);
        return bed.daemon(i == 0 ? GannetProcess.startKeepingMounts(nodes[i], d, profile, "node1", args)
                : GannetProcess.start(nodes[i], d, profile, "node2", args));
    }

    @Test
    void podOnNode1ReachesPodOnNode2ThroughTheFrrLeafAndDelLeavesNothing() throws Exception {
        fabric();
        NetworkNamespace podA = bed.ns("pea");
        NetworkNamespace podB = bed.ns("peb");
        JsonNode a = cni(plugin, nodes[0], sockets[0], "ADD", "ctr-a", podA);
        JsonNode b = cni(plugin, nodes[1], sockets[1], "ADD", "ctr-b", podB);
        String ipA = a.path("ips").get(0).path("address").asText().replace("/32", "");
        String ipB = b.path("ips").get(0).path("address").asText().replace("/32", "");
        assertThat(ipA).startsWith("10.244.31.");
        assertThat(ipB).startsWith("10.244.32.");
        String vethA = a.path("interfaces").get(0).path("name").asText();
        assertThat(nodes[0].exec("ip", "route", "show", "proto", "201")).contains(ipA + " dev " + vethA)
                .contains("unreachable 10.244.31.0/24");
        // The datapath is attached to the pod's veth with nothing done by hand.
        // (tcx links pinned under the pin root on this kernel; Debian's bpftool 7.1 does not list tcx)
        java.nio.file.Path links = io.gannet.bpf.PinLayout.linksDir(pinRoot);
        String ns0 = io.gannet.bpf.libbpf.Netns.named(nodes[0].name());
        for (var d : io.gannet.bpf.libbpf.Tc.Direction.values()) {
            int id = io.gannet.bpf.libbpf.Netns.call(ns0, () -> io.gannet.bpf.libbpf.Tc.query(vethA, d, links));
            assertThat(id).as(vethA + " " + d.label()).isPositive();
            assertThat(NetworkNamespace.Shell.run("bpftool", "prog", "show", "id", Integer.toString(id)))
                    .contains(d == io.gannet.bpf.libbpf.Tc.Direction.INGRESS ? "from_pod" : "to_pod");
        }

        String endpoints = io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_endpoints").toString();
        assertThat(NetworkNamespace.Shell.run("bpftool", "map", "dump", "pinned", endpoints)).contains(podAddrField(ipA));

        podA.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", ipB);
        podB.exec("ping", "-c", "1", "-W", "2", ipA);

        String del = cniRaw(plugin, nodes[0], sockets[0], "DEL", "ctr-a", podA);
        assertThat(del).isEmpty();
        assertThat(nodes[0].exec("ip", "-o", "link", "show")).doesNotContain(vethA);
        assertThat(nodes[0].exec("ip", "route", "show", "proto", "201")).doesNotContain(ipA + " ");
        assertThat(podA.exec("ip", "-o", "addr", "show")).doesNotContain(ipA);
        assertThat(NetworkNamespace.Shell.run("bpftool", "map", "dump", "pinned", endpoints))
                .doesNotContain(podAddrField(ipA));
        assertThat(daemons.get(0).log()).contains("cni add").contains("cni del");
    }

    /** Requests to HOST PORT until the file STOP exists, one every 50 ms, each with 3 s to answer; writes "OK FAILED first errors" to OUT. */
    static final String REQUEST_LOOP = """
            import os, socket, sys, time
            host, port, stop, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
            ok, failed, errors = 0, 0, []
            while not os.path.exists(stop):
                try:
                    c = socket.create_connection((host, port), timeout=3)
                    c.settimeout(3)
                    c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
                    data = b""
                    while True:
                        d = c.recv(4096)
                        if not d:
                            break
                        data += d
                    c.close()
                    if b" 200 OK" in data:
                        ok += 1
                    else:
                        failed += 1
                        errors.append("answer %r" % data[:40])
                except Exception as e:
                    failed += 1
                    errors.append("%s at %.3f" % (e, time.time()))
                time.sleep(0.05)
            open(out + ".tmp", "w").write("%d %d %s\\n" % (ok, failed, "; ".join(errors[:5])))
            os.rename(out + ".tmp", out)
            """;

    /**
     * Pod A on node 1 reaches a ClusterIP whose only backend is pod B on node 2: node 1's
     * from_pod DNATs to pod B, the fabric carries it, and the reply is reverse-NATed on its
     * way back into pod A. Then node 1's daemon is stopped (SIGTERM) and started again while
     * pod A sends a request every 50 ms, to the ClusterIP and straight to pod B: none fails,
     * because the datapath keeps its pinned maps and attached programs, the kernel keeps the
     * pod routes, and the leaf keeps the PodCIDR (graceful restart); the same for a kill -9 and
 * a start. The restarted daemon
     * adopts the pod (its endpoint entry stays) and a DEL after the restart still cleans up.
     */
    @Test
    void aClusterIpWithARemoteBackendAnswersAndARestartUnderARequestLoopFailsNoRequest() throws Exception {
        fabric();
        Requirements.requireCommand("python3");
        NetworkNamespace podA = bed.ns("pea");
        NetworkNamespace podB = bed.ns("peb");
        JsonNode a = cni(plugin, nodes[0], sockets[0], "ADD", "ctr-a", podA);
        JsonNode b = cni(plugin, nodes[1], sockets[1], "ADD", "ctr-b", podB);
        String ipA = a.path("ips").get(0).path("address").asText().replace("/32", "");
        String ipB = b.path("ips").get(0).path("address").asText().replace("/32", "");
        String vethA = a.path("interfaces").get(0).path("name").asText();
        Path server = dir.resolve("server.py");
        Files.writeString(server, DaemonNodePortTest.SERVER);
        bed.start(podB, "python3", server.toString(), "pod-b", ipB, "8080");
        Files.writeString(services.resolve("api.yaml"), DaemonServicesTest.service("api", "10.96.40.10", ipB));
        GannetProcess node1 = daemons.get(0);
        node1.awaitTrue("pod A reaches the ClusterIP", () -> {
            String r = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", podA.name(), "python3", "-c",
                    "import socket; c=socket.create_connection(('10.96.40.10',80),timeout=2); c.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n');"
                            + " print(c.recv(4096).decode())");
            return r.contains("pod-b " + ipA);
        }, () -> node1.cli("show", "services"));

        // The same source port to the ClusterIP, then to its backend directly: one tuple on
        // the wire after DNAT. The direct connection must not be answered "from" the service.
        String samePort = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", podA.name(), "python3", "-c", """
                import socket
                def ask(host, port):
                    c = socket.socket()
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    c.bind(('', 45678))
                    c.settimeout(3)
                    try:
                        c.connect((host, port))
                        c.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')
                        return c.recv(4096).decode().split('\\r\\n\\r\\n', 1)[-1].strip()
                    except Exception as e:
                        return 'failed: ' + str(e)
                    finally:
                        c.close()
                print(ask('10.96.40.10', 80) + ' | ' + ask('%s', 8080))
                """.formatted(ipB));
        assertThat(samePort.trim()).as("ClusterIP, then the backend directly, from one source port")
                .isEqualTo("pod-b " + ipA + " | pod-b " + ipA);
        // Both at once, in either order: the pod's kernel lets one source port serve the
        // ClusterIP and the backend (two destinations to it); the datapath remaps the second.
        String concurrent = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", podA.name(), "python3", "-c", """
                import socket
                def open_from(port, host, to):
                    c = socket.socket()
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    c.bind(('', port))
                    c.settimeout(3)
                    c.connect((host, to))
                    return c
                def ask(c):
                    try:
                        c.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')
                        data = b''
                        while True:
                            d = c.recv(4096)
                            if not d:
                                break
                            data += d
                        return data.decode().split('\\r\\n\\r\\n', 1)[-1].strip()
                    except Exception as e:
                        return 'failed: ' + str(e)
                    finally:
                        c.close()
                def both(port, first, second):
                    try:
                        a = open_from(port, *first)
                        b = open_from(port, *second)
                        return ask(a) + ' | ' + ask(b)
                    except Exception as e:
                        return 'failed: ' + str(e)
                print(both(45679, ('10.96.40.10', 80), ('%1$s', 8080)) + ' / ' + both(45680, ('%1$s', 8080), ('10.96.40.10', 80)))
                """.formatted(ipB));
        assertThat(concurrent.trim()).as("ClusterIP and backend at once from one source port, both orders")
                .isEqualTo("pod-b " + ipA + " | pod-b " + ipA + " / pod-b " + ipA + " | pod-b " + ipA);

        Path loop = dir.resolve("loop.py");
        Files.writeString(loop, REQUEST_LOOP);
        Path stop = dir.resolve("stop");
        Path viaService = dir.resolve("via-service.txt");
        Path direct = dir.resolve("direct.txt");
        Process l1 = bed.start(podA, "python3", loop.toString(), "10.96.40.10", "80", stop.toString(), viaService.toString());
        Process l2 = bed.start(podA, "python3", loop.toString(), ipB, "8080", stop.toString(), direct.toString());
        Thread.sleep(1500);
        List<String> events = new ArrayList<>();
        events.add("SIGTERM at " + System.currentTimeMillis() / 1000.0);
        assertThat(node1.terminate(Duration.ofSeconds(30))).as("node 1's daemon stopped on SIGTERM").isTrue();
        events.add("stopped at " + System.currentTimeMillis() / 1000.0);
        Thread.sleep(1000); // a second with no daemon at all: the kernel and the datapath carry on alone
        events.add("start at " + System.currentTimeMillis() / 1000.0);
        GannetProcess again = startNode(0);
        daemons.set(0, again);
        again.awaitTrue("node 1 established with leaf1 again", () -> again.established("leaf1"), () -> vtysh(leaf, "show bgp summary"));
        events.add("established at " + System.currentTimeMillis() / 1000.0);
        Thread.sleep(1000);
        events.add("SIGKILL at " + System.currentTimeMillis() / 1000.0);
        assertThat(again.kill(Duration.ofSeconds(10))).as("node 1's daemon killed (SIGKILL)").isTrue();
        Thread.sleep(1000);
        events.add("start at " + System.currentTimeMillis() / 1000.0);
        GannetProcess third = startNode(0);
        daemons.set(0, third);
        third.awaitTrue("node 1 established with leaf1 after kill -9", () -> third.established("leaf1"), () -> vtysh(leaf, "show bgp summary"));
        events.add("established at " + System.currentTimeMillis() / 1000.0);
        Thread.sleep(1500);
        Files.writeString(stop, "");
        assertThat(l1.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(l2.waitFor(20, TimeUnit.SECONDS)).isTrue();
        for (Path r : List.of(viaService, direct)) {
            String[] f = Files.readString(r).trim().split(" ", 3);
            System.out.println("requests through node 1's SIGTERM and kill -9 restarts, " + r.getFileName() + ": " + f[0] + " answered, " + f[1] + " failed");
            assertThat(Integer.parseInt(f[0])).as(r.getFileName() + ": requests answered").isGreaterThan(20);
            assertThat(Integer.parseInt(f[1])).as(r.getFileName() + ": requests failed: " + (f.length > 2 ? f[2] : "") + "; " + events
                    + "\nnode 1's log:\n" + third.log()).isZero();
        }
        // The restarted daemon knows the pod: its endpoint entry is there, and a DEL cleans up.
        String endpoints = io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_endpoints").toString();
        assertThat(NetworkNamespace.Shell.run("bpftool", "map", "dump", "pinned", endpoints)).contains(podAddrField(ipA));
        assertThat(cniRaw(plugin, nodes[0], sockets[0], "DEL", "ctr-a", podA)).isEmpty();
        assertThat(nodes[0].exec("ip", "-o", "link", "show")).doesNotContain(vethA);
        assertThat(nodes[0].exec("ip", "route", "show", "proto", "201")).doesNotContain(ipA + " ");
        assertThat(NetworkNamespace.Shell.run("bpftool", "map", "dump", "pinned", endpoints)).doesNotContain(podAddrField(ipA));
    }

    /**
     * Issue 11's proof that traffic follows a fixed IP: both daemons share one etcd; pod pg-0 of
     * StatefulSet pg starts on node 1 through the CNI plugin (CNI_ARGS as a runtime passes them)
     * and gets a fixed address from the profile's pool, which the leaf learns from node 1 and
     * forwards to; the pod is deleted there and started on node 2 with the same identity: the
     * same address, now announced by node 2 only, and requests from the leaf reach the new pod.
     */
    @Test
    void trafficToAFixedIpFollowsItsPodFromNode1ToNode2() throws Exception {
        Requirements.requireCommand("python3");
        fabric(PROFILE.replace("  podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}\n",
                "  podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}\n  fixedIPPools: [{name: db, cidr: 10.250.0.0/24}]\n"), true);
        String args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=db;K8S_POD_NAME=pg-0;GANNET_STATEFULSET=pg";
        Path server = dir.resolve("server.py");
        Files.writeString(server, DaemonNodePortTest.SERVER);
        NetworkNamespace pod1 = bed.ns("pf1");
        JsonNode a = JSON.readTree(cniRaw(plugin, nodes[0], sockets[0], "ADD", "pg0-on-1", pod1, args));
        String ip = a.path("ips").get(0).path("address").asText().replace("/32", "");
        assertThat(ip).startsWith("10.250.0.");
        bed.start(pod1, "python3", server.toString(), "on-node1", ip, "8080");
        daemons.get(0).awaitTrue("the leaf forwards " + ip + " to node 1 and node 1's pod answers",
                () -> leaf.exec("ip", "route", "show", ip).contains("via 10.203.0.1") && ask(leaf, ip).startsWith("on-node1"),
                () -> vtysh(leaf, "show bgp ipv4 unicast") + leaf.exec("ip", "route", "show"));

        assertThat(cniRaw(plugin, nodes[0], sockets[0], "DEL", "pg0-on-1", pod1)).isEmpty();
        NetworkNamespace pod2 = bed.ns("pf2");
        bed.start(pod2, "python3", server.toString(), "on-node2", "0.0.0.0", "8080"); // listening before its address exists
        Thread.sleep(500);
        long t0 = System.nanoTime();
        JsonNode b = JSON.readTree(cniRaw(plugin, nodes[1], sockets[1], "ADD", "pg0-on-2", pod2, args));
        assertThat(b.path("ips").get(0).path("address").asText()).isEqualTo(ip + "/32");
        long tAdd = (System.nanoTime() - t0) / 1_000_000;
        daemons.get(1).awaitTrue("the leaf's BGP has " + ip + " from node 2", () -> vtysh(leaf, "show bgp ipv4 unicast " + ip + "/32").contains("10.203.0.2 from"),
                Duration.ofSeconds(30), Duration.ofMillis(20), () -> "");
        long tBgp = (System.nanoTime() - t0) / 1_000_000;
        daemons.get(1).awaitTrue("the leaf's kernel", () -> leaf.exec("ip", "route", "show", ip).contains("via 10.203.0.2"),
                Duration.ofSeconds(30), Duration.ofMillis(20), () -> "");
        long tKernel = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("fixed IP %s moved node1 -> node2: CNI ADD returned after %d ms, the leaf's BGP had the new path at %d ms,"
                + " its kernel at %d ms%n", ip, tAdd, tBgp, tKernel);
        daemons.get(1).awaitTrue("requests from the leaf to " + ip + " reach the pod on node 2",
                () -> ask(leaf, ip).startsWith("on-node2"), Duration.ofSeconds(30), Duration.ofMillis(20),
                () -> vtysh(leaf, "show bgp ipv4 unicast " + ip + "/32") + leaf.exec("ip", "route", "show", ip));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("fixed IP %s moved node1 -> node2: the leaf's requests reach the new pod %d ms after its CNI ADD began%n", ip, ms);
        assertThat(leaf.exec("ip", "route", "show", ip)).contains("via 10.203.0.2").doesNotContain("10.203.0.1");
        assertThat(vtysh(leaf, "show bgp ipv4 unicast " + ip + "/32")).doesNotContain("10.203.0.1 from");
    }

    /**
     * Issue 14's policy across nodes, as a user runs it: both daemons share one etcd; node 1
     * enforces the protected-db CiliumNetworkPolicy from its {@code --policy-dir} (with
     * the Pod objects, as {@code kubectl get pod -o yaml} writes them); the clients are pods on
     * node 2, which publishes its pods in the store. Node 1 learns them through its watch, so
     * the employee pod is let in by its labels and the visitor pod is dropped and reported with
     * its identity, not as "world". Deleting the employee pod on node 2 takes it out of node 1's
     * policy.
     */
    @Test
    void aPolicyOnNode1AdmitsAPodOnNode2ByItsLabels() throws Exception {
        Requirements.requireCommand("python3");
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("pods.yaml"), DaemonPolicyTest.PODS);
        Files.writeString(policies.resolve("db.yaml"), DaemonPolicyTest.PROTECTED_DB);
        node1Args.addAll(List.of("--policy-dir", policies.toString()));
        fabric(PROFILE, true);
        NetworkNamespace db = bed.ns("pdb");
        NetworkNamespace employee = bed.ns("pem");
        NetworkNamespace visitor = bed.ns("pvi");
        String dbIp = JSON.readTree(cniRaw(plugin, nodes[0], sockets[0], "ADD", "ctr-db", db, k8s("db"))).path("ips").get(0)
                .path("address").asText().replace("/32", "");
        String employeeIp = JSON.readTree(cniRaw(plugin, nodes[1], sockets[1], "ADD", "ctr-em", employee, k8s("employee")))
                .path("ips").get(0).path("address").asText().replace("/32", "");
        String visitorIp = JSON.readTree(cniRaw(plugin, nodes[1], sockets[1], "ADD", "ctr-vi", visitor, k8s("visitor")))
                .path("ips").get(0).path("address").asText().replace("/32", "");
        Path server = dir.resolve("server.py");
        Files.writeString(server, DaemonNodePortTest.SERVER);
        bed.start(db, "python3", server.toString(), "db", dbIp, "6379");
        GannetProcess node1 = daemons.get(0);
        node1.awaitTrue("node 1 knows node 2's employee pod and lets it in",
                () -> ask(employee, dbIp, 6379).startsWith("db " + employeeIp),
                () -> node1.cli("show", "policy", employeeIp) + node1.cli("show", "policy", "db"));
        assertThat(ask(visitor, dbIp, 6379)).as("node 2's visitor pod is dropped").isEmpty();
        JsonNode shown = JSON.readTree(node1.cli("show", "policy", visitorIp, "--json"));
        assertThat(shown.path("remotePodsMatching").toString()).contains("\"node\":\"node2\"").contains("app=visitor");
        GannetProcess.CliResult drops = node1.cliResult("monitor", "--drops", "--from-start", "--count", "1", "--json");
        assertThat(drops.exit()).as(drops.err()).isZero();
        JsonNode drop = JSON.readTree(drops.out().lines().findFirst().orElseThrow());
        assertThat(drop.path("source").asText()).startsWith(visitorIp + ":");
        assertThat(drop.path("identity").asText()).contains("app=visitor");
        assertThat(drop.path("endpoint").asText()).isEqualTo("default/db");

        // the employee pod is deleted on node 2: its address leaves node 1's policy
        assertThat(cniRaw(plugin, nodes[1], sockets[1], "DEL", "ctr-em", employee, k8s("employee"))).isEmpty();
        node1.awaitTrue("node 1 forgot the deleted pod", () -> !node1.cli("show", "policy", employeeIp, "--json").contains("node2"),
                () -> node1.cli("show", "policy", employeeIp));
    }

    private static String k8s(String pod) {
        return "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + pod;
    }

    /** One request from {@code from} to {@code ip}:{@code port}; the answer's body, or "" when none came within 0.5 s. */
    private static String ask(NetworkNamespace from, String ip, int port) {
        String out = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.name(), "python3", "-c",
                "import socket\ntry:\n c=socket.create_connection(('" + ip + "'," + port + "),timeout=0.5); c.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n"
                        + " d=c.recv(4096).decode(); print(d.split('\\r\\n\\r\\n',1)[-1])\nexcept Exception as e:\n print('')");
        return out.trim();
    }

    /** One HTTP request from {@code from} to {@code ip}:8080; the answer's body, or "" when none came within 0.5 s. */
    private static String ask(NetworkNamespace from, String ip) {
        String out = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.name(), "python3", "-c",
                "import socket\ntry:\n c=socket.create_connection(('" + ip + "',8080),timeout=0.5); c.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n"
                        + " d=c.recv(4096).decode(); print(d.split('\\r\\n\\r\\n',1)[-1])\nexcept Exception as e:\n print('')");
        return out.trim();
    }

    /** The pod address as bpftool prints dp_endpoints' pod_addr: network-order bytes read as a host (little-endian) u32. */
    private static String podAddrField(String ip) {
        String[] p = ip.split("\\.");
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | Integer.parseInt(p[i]);
        }
        return "\"pod_addr\": " + v;
    }

    private JsonNode cni(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod) throws Exception {
        return CniCall.add(plugin, node, socket, id, pod, null);
    }

    private String cniRaw(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod)
            throws IOException, InterruptedException {
        return cniRaw(plugin, node, socket, command, id, pod, null);
    }

    private String cniRaw(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod, String cniArgs)
            throws IOException, InterruptedException {
        return CniCall.run(plugin, node, socket, command, id, pod, cniArgs);
    }

    private String vtysh(NetworkNamespace leaf, String command) {
        return "\n--- leaf: " + command + "\n" + frr.vtysh(command);
    }
}
