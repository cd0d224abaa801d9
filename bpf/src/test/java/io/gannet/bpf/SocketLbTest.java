package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.maps.Reason;
import io.gannet.linux.Cgroup2;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.CgroupProcess;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Socket-level load balancing (bpf_sock.c) with real sockets: a node namespace and a pod behind
 * a veth, the hooks attached to a cgroup v2 directory this test creates, and Python clients
 * started inside that cgroup in the node's namespace. A TCP connection, an unconnected and a
 * connected UDP socket to ClusterIPs reach the backend, and the application sees the service
 * address as its peer (getpeername, recvfrom); a Service without backends refuses connect()
 * at once (ECONNREFUSED, as kube-proxy's REJECT); a process of the cgroup in another namespace is left alone; a second open of the
 * same pins (an agent restart) replaces the programs in the pinned links and the service still
 * answers; detaching removes the links. IPv6 sockets reach IPv6 ClusterIPs alike, and IPv4
 * ClusterIPs through their IPv4-mapped addresses (a socket that is not IPV6_V6ONLY), also after an
 * upgrade from pins that had the IPv4 hooks only.
 */
class SocketLbTest {
    static final String POD = "10.78.1.2";
    static final String NODE = "10.78.1.1";
    static final String VIP = "10.96.78.10";
    static final String EMPTY_VIP = "10.96.78.11";
    static final String POD6 = "fd78:1::2";
    static final String NODE6 = "fd78:1::1";
    static final String VIP6 = "fd96::78:10";
    static final String EMPTY_VIP6 = "fd96::78:11";

    /**
     * TCP 8080 and UDP 5353 on the pod's IPv4 and IPv6 addresses, and TCP 8081 on its IPv6 address
     * (answering "tcp 8081 from ..."); answers name the client's address.
     */
    static final String SERVER = """
            import socket, threading
            def tcp(family, addr, port=8080):
                s = socket.socket(family); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((addr, port)); s.listen(16)
                name = "tcp" if port == 8080 else "tcp %%d" %% port
                while True:
                    c, a = s.accept(); c.sendall(("%%s from %%s" %% (name, a[0])).encode()); c.close()
            def udp(family, addr):
                s = socket.socket(family, socket.SOCK_DGRAM); s.bind((addr, 5353))
                while True:
                    d, a = s.recvfrom(2048); s.sendto(b"udp " + d, a)
            for f, a in ((socket.AF_INET, "%1$s"), (socket.AF_INET6, "%2$s")):
                threading.Thread(target=tcp, args=(f, a), daemon=True).start()
                threading.Thread(target=udp, args=(f, a), daemon=True).start()
            threading.Thread(target=tcp, args=(socket.AF_INET6, "%2$s", 8081), daemon=True).start()
            threading.Event().wait()
            """.formatted(POD, POD6);

    /** Prints one line per check. */
    static final String CLIENT = """
            import socket, sys
            vip, empty = sys.argv[1], sys.argv[2]
            def line(what, f):
                try:
                    print(what + ": " + f())
                except Exception as e:
                    print(what + ": failed " + type(e).__name__ + " " + str(getattr(e, "errno", "")))
            def tcp():
                c = socket.create_connection((vip, 80), timeout=2)
                peer = "%s:%d" % c.getpeername()
                data = c.recv(100).decode(); c.close()
                return data + " peer " + peer
            def udp_unconnected():
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
                s.sendto(b"hello", (vip, 53))
                d, a = s.recvfrom(100)
                return d.decode() + " from %s:%d" % a
            def udp_connected():
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
                s.connect((vip, 53)); s.send(b"again")
                return s.recv(100).decode() + " peer %s:%d" % s.getpeername()
            def no_backend():
                c = socket.create_connection((empty, 80), timeout=2)
                return "connected"
            line("tcp", tcp)
            line("udp", udp_unconnected)
            line("udp connected", udp_connected)
            line("no backend", no_backend)
            """;

    /**
     * One line per check from IPv6 sockets: to IPv6 ClusterIPs (argv 1, 2), and to IPv4 ones (argv 3,
     * 4) through their IPv4-mapped addresses on dual-stack sockets ("mapped ..."); then the distinct
     * answers of 12 connections to the sessionAffinity ClientIP Service at [argv 1]:81 ("sticky").
     */
    static final String CLIENT6 = """
            import socket, sys
            vip, empty, vip4, empty4 = sys.argv[1], sys.argv[2], "::ffff:" + sys.argv[3], "::ffff:" + sys.argv[4]
            def line(what, f):
                try:
                    print(what + ": " + f())
                except Exception as e:
                    print(what + ": failed " + type(e).__name__ + " " + str(getattr(e, "errno", "")))
            def sock(kind):
                s = socket.socket(socket.AF_INET6, kind); s.settimeout(2)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                return s
            def peer(a):
                return "[%s]:%d" % a[:2]
            def tcp(addr, port=80):
                c = sock(socket.SOCK_STREAM); c.connect((addr, port))
                p = peer(c.getpeername())
                data = c.recv(100).decode(); c.close()
                return data + " peer " + p
            def udp_unconnected(addr):
                s = sock(socket.SOCK_DGRAM)
                s.sendto(b"hello", (addr, 53))
                d, a = s.recvfrom(100)
                return d.decode() + " from " + peer(a)
            def udp_connected(addr):
                s = sock(socket.SOCK_DGRAM)
                s.connect((addr, 53)); s.send(b"again")
                return s.recv(100).decode() + " peer " + peer(s.getpeername())
            def no_backend(addr):
                c = sock(socket.SOCK_STREAM); c.connect((addr, 80))
                return "connected"
            for prefix, v, e in (("", vip, empty), ("mapped ", vip4, empty4)):
                line(prefix + "tcp", lambda: tcp(v))
                line(prefix + "udp", lambda: udp_unconnected(v))
                line(prefix + "udp connected", lambda: udp_connected(v))
                line(prefix + "no backend", lambda: no_backend(e))
            line("sticky", lambda: " / ".join(sorted(set(tcp(vip, 81) for _ in range(12)))))
            """;

    final List<NetworkNamespace> namespaces = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();
    Path pinRoot;
    Path cgroup;
    Path dir;
    NetworkNamespace node;
    NetworkNamespace pod;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("/usr/bin/python3");
        Path root = Cgroup2.mount();
        Requirements.require(root != null, "needs a cgroup2 mount (socket-level load balancing attaches to a cgroup v2 directory)");
        cgroup = Files.createDirectory(root.resolve("gannet-test-sock-" + ProcessHandle.current().pid()));
        dir = Files.createTempDirectory("gannet-socklb");
        pinRoot = DatapathFixture.uniquePinRoot();
        node = NetworkNamespace.create("slnode");
        namespaces.add(node);
        pod = NetworkNamespace.create("slpod");
        namespaces.add(pod);
        node.linkTo(pod, "lxcsl", NODE + "/24", "eth0", POD + "/24");
        node.exec("ip", "-6", "addr", "add", NODE6 + "/64", "dev", "lxcsl", "nodad");
        pod.exec("ip", "-6", "addr", "add", POD6 + "/64", "dev", "eth0", "nodad");
        processes.add(pod.start("/usr/bin/python3", Files.writeString(dir.resolve("server.py"), SERVER).toString()));
        Files.writeString(dir.resolve("client.py"), CLIENT);
        Files.writeString(dir.resolve("client6.py"), CLIENT6);
        Thread.sleep(300);
    }

    @AfterEach
    void tearDown() throws Exception {
        processes.forEach(Process::destroyForcibly);
        for (Process p : processes) {
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            namespaces.get(i).close();
        }
        if (pinRoot != null) {
            Datapath.removePins(pinRoot); // unpinned links with no holder are detached
        }
        if (cgroup != null) {
            Files.deleteIfExists(cgroup);
        }
    }

    Datapath open() {
        Datapath dp = Datapath.open(DatapathFixture.options(pinRoot).withNetns(Netns.named(node.name())));
        dp.applyServices(List.of(
                new ServiceSpec("test/web", Frontend.of(VIP, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(POD, 8080))),
                new ServiceSpec("test/dns", Frontend.of(VIP, 53, Protocol.UDP), false, ServiceSpec.Algorithm.MAGLEV,
                        List.of(Backend.of(POD, 5353))),
                new ServiceSpec("test/empty", Frontend.of(EMPTY_VIP, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of()),
                new ServiceSpec("test/web6", Frontend.of(VIP6, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(POD6, 8080))),
                new ServiceSpec("test/dns6", Frontend.of(VIP6, 53, Protocol.UDP), false, ServiceSpec.Algorithm.MAGLEV,
                        List.of(Backend.of(POD6, 5353))),
                new ServiceSpec("test/empty6", Frontend.of(EMPTY_VIP6, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of()),
                new ServiceSpec("test/sticky6", Frontend.of(VIP6, 81, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(POD6, 8080), Backend.of(POD6, 8081)), 60)));
        return dp;
    }

    /** The client, run in {@code ns} inside the test's cgroup (or not). */
    String client(NetworkNamespace ns, boolean inCgroup) throws IOException, InterruptedException {
        return CgroupProcess.run(inCgroup ? cgroup : null, ns.name(),
                "/usr/bin/python3 " + dir.resolve("client.py") + " " + VIP + " " + EMPTY_VIP);
    }

    /** The IPv6 client, run in {@code ns} inside the test's cgroup (or not). */
    String client6(NetworkNamespace ns, boolean inCgroup) throws IOException, InterruptedException {
        return CgroupProcess.run(inCgroup ? cgroup : null, ns.name(), "/usr/bin/python3 " + dir.resolve("client6.py") + " " + VIP6
                + " " + EMPTY_VIP6 + " " + VIP + " " + EMPTY_VIP);
    }

    @Test
    void theNodesOwnSocketsReachServicesAndSeeTheServiceAddress() throws Exception {
        try (Datapath dp = open()) {
            // a cgroup directory that does not exist: refused in the user's terms, nothing attached
            Path missing = cgroup.resolve("no-such-cgroup");
            assertThatThrownBy(() -> dp.socketLb().attach(missing)).hasMessageContaining("no cgroup v2 directory " + missing);
            assertThat(DatapathAdmin.status(pinRoot, Netns.named(node.name())).hooks())
                    .noneMatch(h -> h.device().startsWith("cgroup "));
            dp.socketLb().attach(cgroup);
            assertThat(dp.socketLb().attachedTo(cgroup)).isTrue();
            String out = client(node, true);
            assertThat(out).contains("tcp: tcp from " + NODE + " peer " + VIP + ":80")
                    .contains("udp: udp hello from " + VIP + ":53")
                    .contains("udp connected: udp again peer " + VIP + ":53")
                    .contains("no backend: failed ConnectionRefusedError");
            assertThat(dp.metrics().get(Reason.NAT_SOCKET)).isEqualTo(3);
            assertThat(dp.metrics().get(Reason.REJECT_SOCKET_NO_BACKEND)).isEqualTo(1);

            // not the node's namespace (a pod's): left alone, even inside the cgroup
            assertThat(client(pod, true)).doesNotContain("tcp: tcp from").doesNotContain("udp: udp hello");
            // not in the cgroup: left alone
            assertThat(client(node, false)).doesNotContain("tcp: tcp from");
        }
        // an agent restart: the same pins opened again, the links' programs replaced in place
        try (Datapath dp = open()) {
            dp.socketLb().attach(cgroup);
            assertThat(client(node, true)).contains("tcp: tcp from " + NODE + " peer " + VIP + ":80");
            assertThat(dp.socketLb().detach()).isEqualTo(8);
            assertThat(dp.socketLb().attachedTo(cgroup)).isFalse();
            assertThat(client(node, true)).doesNotContain("tcp: tcp from");
            // attached again: gannet datapath status names the cgroup; reset (no daemon) detaches
            dp.socketLb().attach(cgroup);
        }
        List<DatapathAdmin.Hook> hooks = DatapathAdmin.status(pinRoot, Netns.named(node.name())).hooks();
        assertThat(hooks).filteredOn(h -> h.device().equals("cgroup " + cgroup)).extracting(DatapathAdmin.Hook::direction)
                .containsExactlyInAnyOrder("sock_connect4", "sock_sendmsg4", "sock_recvmsg4", "sock_getpeername4",
                        "sock_connect6", "sock_sendmsg6", "sock_recvmsg6", "sock_getpeername6");
        assertThat(client(node, true)).as("attached with no agent running").contains("tcp: tcp from");
        DatapathAdmin.Reset reset = DatapathAdmin.reset(pinRoot, Netns.named(node.name()));
        assertThat(reset.detached()).filteredOn(h -> h.device().startsWith("cgroup ")).hasSize(8);
        assertThat(client(node, true)).as("after datapath reset").doesNotContain("tcp: tcp from");
        assertThat(client6(node, true)).as("after datapath reset").doesNotContain("tcp: tcp from");
    }

    @Test
    void theNodesIpv6SocketsReachIpv6ServicesAndIpv4ServicesThroughMappedAddresses() throws Exception {
        try (Datapath dp = open()) {
            dp.socketLb().attach(cgroup);
            List<String> lines = client6(node, true).lines().toList();
            assertThat(lines.subList(0, lines.size() - 1)).containsExactly(
                    "tcp: tcp from " + NODE6 + " peer [" + VIP6 + "]:80",
                    "udp: udp hello from [" + VIP6 + "]:53",
                    "udp connected: udp again peer [" + VIP6 + "]:53",
                    "no backend: failed ConnectionRefusedError 111",
                    "mapped tcp: tcp from " + NODE + " peer [::ffff:" + VIP + "]:80",
                    "mapped udp: udp hello from [::ffff:" + VIP + "]:53",
                    "mapped udp connected: udp again peer [::ffff:" + VIP + "]:53",
                    "mapped no backend: failed ConnectionRefusedError 111");
            // sessionAffinity ClientIP, the node the one client: every connection goes to the first one's backend
            assertThat(lines.get(lines.size() - 1)).isIn("sticky: tcp from " + NODE6 + " peer [" + VIP6 + "]:81",
                    "sticky: tcp 8081 from " + NODE6 + " peer [" + VIP6 + "]:81");
            assertThat(dp.metrics().get(Reason.NAT_SOCKET)).isEqualTo(6 + 12);
            assertThat(dp.metrics().get(Reason.REJECT_SOCKET_NO_BACKEND)).isEqualTo(2);
            // a pod's namespace, and a process outside the cgroup: left alone
            assertThat(client6(pod, true)).doesNotContain("tcp: tcp from").doesNotContain("udp: udp hello");
            assertThat(client6(node, false)).doesNotContain("tcp: tcp from");
        }
        // An upgrade from pins of an agent with the IPv4 hooks only: no IPv6 links, programs or
        // dp_sock_revnat6. The next agent adds them and IPv6 sockets are served.
        Path v2 = PinLayout.mapsDir(pinRoot);
        for (String hook : List.of("sock_connect6", "sock_sendmsg6", "sock_recvmsg6", "sock_getpeername6")) {
            assertThat(io.gannet.bpf.libbpf.CgroupLink.detach(PinLayout.linksDir(pinRoot).resolve(hook))).isTrue();
            Files.delete(PinLayout.progsDir(pinRoot).resolve(hook));
        }
        Files.delete(v2.resolve("dp_sock_revnat6"));
        assertThat(client6(node, true)).as("IPv4 hooks only").doesNotContain("tcp: tcp from");
        try (Datapath dp = open()) {
            dp.socketLb().attach(cgroup);
            assertThat(dp.socketLb().attachedTo(cgroup)).isTrue();
            assertThat(client6(node, true).lines()).contains("tcp: tcp from " + NODE6 + " peer [" + VIP6 + "]:80",
                    "udp: udp hello from [" + VIP6 + "]:53", "mapped tcp: tcp from " + NODE + " peer [::ffff:" + VIP + "]:80");
        }
    }
}
