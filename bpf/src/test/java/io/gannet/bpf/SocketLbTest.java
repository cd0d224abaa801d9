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
 * answers; detaching removes the links.
 */
class SocketLbTest {
    static final String POD = "10.78.1.2";
    static final String NODE = "10.78.1.1";
    static final String VIP = "10.96.78.10";
    static final String EMPTY_VIP = "10.96.78.11";

    static final String SERVER = """
            import socket, threading
            def tcp():
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("%1$s", 8080)); s.listen(16)
                while True:
                    c, a = s.accept(); c.sendall(("tcp from %%s" %% a[0]).encode()); c.close()
            def udp():
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("%1$s", 5353))
                while True:
                    d, a = s.recvfrom(2048); s.sendto(b"udp " + d, a)
            threading.Thread(target=tcp, daemon=True).start()
            udp()
            """.formatted(POD);

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
        processes.add(pod.start("/usr/bin/python3", Files.writeString(dir.resolve("server.py"), SERVER).toString()));
        Files.writeString(dir.resolve("client.py"), CLIENT);
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
                        List.of())));
        return dp;
    }

    /** The client, run in {@code ns} inside the test's cgroup (or not). */
    String client(NetworkNamespace ns, boolean inCgroup) throws IOException, InterruptedException {
        return CgroupProcess.run(inCgroup ? cgroup : null, ns.name(),
                "/usr/bin/python3 " + dir.resolve("client.py") + " " + VIP + " " + EMPTY_VIP);
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
            assertThat(dp.socketLb().detach()).isEqualTo(4);
            assertThat(dp.socketLb().attachedTo(cgroup)).isFalse();
            assertThat(client(node, true)).doesNotContain("tcp: tcp from");
            // attached again: gannet datapath status names the cgroup; reset (no daemon) detaches
            dp.socketLb().attach(cgroup);
        }
        List<DatapathAdmin.Hook> hooks = DatapathAdmin.status(pinRoot, Netns.named(node.name())).hooks();
        assertThat(hooks).filteredOn(h -> h.device().equals("cgroup " + cgroup)).extracting(DatapathAdmin.Hook::direction)
                .containsExactlyInAnyOrder("sock_connect4", "sock_sendmsg4", "sock_recvmsg4", "sock_getpeername4");
        assertThat(client(node, true)).as("attached with no agent running").contains("tcp: tcp from");
        DatapathAdmin.Reset reset = DatapathAdmin.reset(pinRoot, Netns.named(node.name()));
        assertThat(reset.detached()).filteredOn(h -> h.device().startsWith("cgroup ")).hasSize(4);
        assertThat(client(node, true)).as("after datapath reset").doesNotContain("tcp: tcp from");
    }
}
