package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end in namespaces: a "node" namespace routes between a client pod, two backend
 * pods and an outside host over veths; Gannet's programs sit on the node side of each
 * veth. Real kernel TCP/UDP stacks connect to a ClusterIP and an externalIP.
 *
 * <pre>
 *  client 10.200.1.2 --cli0/lxccli-- node --lxcb1/eth0-- b1 10.200.2.2 (:8080 tcp, :5353 udp)
 *                                         --lxcb2/eth0-- b2 10.200.3.2
 *  outside 10.200.9.2 --eth0/uplink-- node (from_host on uplink)
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceNamespaceTest {
    static final String VIP = "10.96.0.10";
    static final String VIP_EMPTY = "10.96.0.11";
    static final String EXTERNAL = "192.0.2.10";
    static final Backend B1 = Backend.of("10.200.2.2", 8080);
    static final Backend B2 = Backend.of("10.200.3.2", 8080);
    static final Backend U1 = Backend.of("10.200.2.2", 5353);
    static final Backend U2 = Backend.of("10.200.3.2", 5353);

    NetworkNamespace node;
    NetworkNamespace client;
    NetworkNamespace b1;
    NetworkNamespace b2;
    NetworkNamespace outside;
    EchoServer e1;
    EchoServer e2;
    Path pinRoot;
    Datapath dp;

    @BeforeAll
    void setUp() {
        Requirements.requireNetns();
        Requirements.requireBpf();
        node = NetworkNamespace.create("dpnode");
        client = NetworkNamespace.create("dpcli");
        b1 = NetworkNamespace.create("dpb1");
        b2 = NetworkNamespace.create("dpb2");
        outside = NetworkNamespace.create("dpout");
        node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        node.exec("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        node.exec("sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0");
        node.linkTo(client, "lxccli", "10.200.1.1/24", "cli0", "10.200.1.2/24");
        node.linkTo(b1, "lxcb1", "10.200.2.1/24", "eth0", "10.200.2.2/24");
        node.linkTo(b2, "lxcb2", "10.200.3.1/24", "eth0", "10.200.3.2/24");
        node.linkTo(outside, "uplink", "10.200.9.1/24", "eth0", "10.200.9.2/24");
        client.exec("ip", "route", "add", "default", "via", "10.200.1.1");
        b1.exec("ip", "route", "add", "default", "via", "10.200.2.1");
        b2.exec("ip", "route", "add", "default", "via", "10.200.3.1");
        outside.exec("ip", "route", "add", "192.0.2.0/24", "via", "10.200.9.1");
        e1 = new EchoServer(Netns.named(b1.name()), "b1", 8080, 5353);
        e2 = new EchoServer(Netns.named(b2.name()), "b2", 8080, 5353);
        pinRoot = DatapathFixture.uniquePinRoot();
        dp = open();
    }

    Datapath open() {
        Datapath d = Datapath.open(DatapathFixture.options(pinRoot).withNetns(Netns.named(node.name())));
        d.attachPod("lxccli", "10.200.1.2");
        d.attachPod("lxcb1", "10.200.2.2");
        d.attachPod("lxcb2", "10.200.3.2");
        d.attachHost("uplink");
        return d;
    }

    @AfterAll
    void tearDown() throws IOException {
        if (dp != null) {
            dp.close();
        }
        for (NetworkNamespace ns : new NetworkNamespace[] {node, client, b1, b2, outside}) {
            if (ns != null) {
                ns.close();
            }
        }
        if (e1 != null) {
            e1.close();
        }
        if (e2 != null) {
            e2.close();
        }
        if (pinRoot != null) {
            Datapath.removePins(pinRoot);
        }
    }

    static List<ServiceSpec> services(List<Backend> tcp, List<Backend> udp) {
        return List.of(
                new ServiceSpec("default/web:http", Frontend.of(VIP, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM, tcp),
                new ServiceSpec("default/web:http", Frontend.of(EXTERNAL, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, tcp),
                new ServiceSpec("default/web:dns", Frontend.of(VIP, 53, Protocol.UDP), false, ServiceSpec.Algorithm.RANDOM, udp),
                new ServiceSpec("default/empty", Frontend.of(VIP_EMPTY, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM, List.of()),
                new ServiceSpec("default/empty", Frontend.of(VIP_EMPTY, 53, Protocol.UDP), false, ServiceSpec.Algorithm.RANDOM, List.of()));
    }

    @BeforeEach
    void allBackends() {
        dp.applyServices(services(List.of(B1, B2), List.of(U1, U2)));
    }

    /** A TCP connection made from inside a namespace, with line I/O. */
    static final class Conn implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Conn(NetworkNamespace ns, String addr, int port) {
            this.socket = Netns.call(Netns.named(ns.name()), () -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(addr, port), 3000);
                s.setSoTimeout(3000);
                return s;
            });
            try {
                this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                this.out = socket.getOutputStream();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Sends a line, returns the reply "backend clientAddr line". */
        String ask(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new SocketException("connection closed");
            }
            return reply;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void clusterIpReachesBackendsWithReverseNatAndStickiness() throws IOException {
        Set<String> backends = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            try (Conn c = new Conn(client, VIP, 80)) {
                assertThat(c.socket.getInetAddress().getHostAddress()).as("peer is the service").isEqualTo(VIP);
                String first = c.ask("hello " + i);
                String[] f = first.split(" ");
                assertThat(f[1]).as("backend sees the real client address").isEqualTo("10.200.1.2");
                for (int j = 0; j < 5; j++) {
                    assertThat(c.ask("again " + j).split(" ")[0]).as("sticky").isEqualTo(f[0]);
                }
                backends.add(f[0]);
            }
        }
        assertThat(backends).containsExactlyInAnyOrder("b1", "b2");
    }

    @Test
    void udpThroughClusterIpRepliesFromTheServiceAddress() throws Exception {
        Set<String> backends = new HashSet<>();
        // 24 sockets, each a new flow picked at random: all on one backend is a 1 in 8 million chance
        // (with 12, a CI run once saw it: 1 in 2,048)
        for (int i = 0; i < 24; i++) {
            DatagramSocket s = Netns.call(Netns.named(client.name()), () -> new DatagramSocket());
            try (s) {
                s.setSoTimeout(3000);
                byte[] q = ("q" + i).getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(q, q.length, InetAddress.getByName(VIP), 53));
                DatagramPacket r = new DatagramPacket(new byte[1500], 1500);
                s.receive(r);
                assertThat(r.getAddress().getHostAddress()).isEqualTo(VIP);
                assertThat(r.getPort()).isEqualTo(53);
                String reply = new String(r.getData(), 0, r.getLength(), StandardCharsets.UTF_8);
                assertThat(reply).endsWith(" 10.200.1.2 q" + i);
                backends.add(reply.split(" ")[0]);
            }
        }
        assertThat(backends).containsExactlyInAnyOrder("b1", "b2");
    }

    @Test
    void serviceWithoutBackendsRefusesAtOnce() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new Conn(client, VIP_EMPTY, 80)).hasRootCauseInstanceOf(ConnectException.class)
                .rootCause().hasMessageContaining("refused");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("no timeout, a RST").isLessThan(2000);
    }

    @Test
    void udpServiceWithoutBackendsAnswersPortUnreachable() throws Exception {
        DatagramSocket s = Netns.call(Netns.named(client.name()), () -> new DatagramSocket());
        try (s) {
            s.setSoTimeout(3000);
            s.connect(InetAddress.getByName(VIP_EMPTY), 53); // connected: the ICMP error reaches the socket
            byte[] q = "anyone?".getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(q, q.length));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.receive(new DatagramPacket(new byte[100], 100)))
                    .isInstanceOf(java.net.PortUnreachableException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
        }
    }

    @Test
    void podSendingFromAnotherAddressIsDropped() throws Exception {
        client.exec("ip", "addr", "add", "10.200.1.99/24", "dev", "cli0");
        try {
            long before = dp.metrics().get(io.gannet.bpf.maps.Reason.DROP_SPOOFED);
            assertThatThrownBy(() -> Netns.call(Netns.named(client.name()), () -> {
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress("10.200.1.99", 0));
                    s.connect(new InetSocketAddress(VIP, 80), 1000);
                }
                return null;
            })).hasRootCauseInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(dp.metrics().get(io.gannet.bpf.maps.Reason.DROP_SPOOFED)).isGreaterThan(before);
            // ... whatever the protocol: a ping from that address is dropped the same way
            long beforePing = dp.metrics().get(io.gannet.bpf.maps.Reason.DROP_SPOOFED);
            Process ping = client.start("ping", "-n", "-q", "-c", "1", "-W", "1", "-I", "10.200.1.99", "10.200.2.2");
            ping.getInputStream().readAllBytes();
            assertThat(ping.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) && ping.exitValue() == 0).as("spoofed ping answered").isFalse();
            assertThat(dp.metrics().get(io.gannet.bpf.maps.Reason.DROP_SPOOFED)).isGreaterThan(beforePing);
        } finally {
            client.exec("ip", "addr", "del", "10.200.1.99/24", "dev", "cli0");
        }
    }

    @Test
    void podSendsIpv6OnlyFromItsOwnAddress() throws Exception {
        node.exec("ip", "addr", "add", "fd00:200:1::1/64", "dev", "lxccli", "nodad");
        client.exec("ip", "addr", "add", "fd00:200:1::2/64", "dev", "cli0", "nodad");
        client.exec("ip", "addr", "add", "fd00:200:1::99/64", "dev", "cli0", "nodad");
        try {
            dp.attachPodIpv6("lxccli", "fd00:200:1::2");
            // its own address, neighbour discovery included, is answered
            client.exec("ping", "-6", "-n", "-q", "-c", "1", "-W", "2", "-I", "fd00:200:1::2", "fd00:200:1::1");
            long before = dp.metrics().get(io.gannet.bpf.maps.Reason.DROP_SPOOFED);
            Process ping = client.start("ping", "-6", "-n", "-q", "-c", "1", "-W", "1", "-I", "fd00:200:1::99", "fd00:200:1::1");
            ping.getInputStream().readAllBytes();
            assertThat(ping.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) && ping.exitValue() == 0).as("spoofed ping answered").isFalse();
            assertThat(dp.metrics().get(io.gannet.bpf.maps.Reason.DROP_SPOOFED)).isGreaterThan(before);
        } finally {
            dp.endpoints6().put(dp.ifindex("lxccli"), io.gannet.bpf.maps.EndpointValue6.NONE); // as attachPod left it
            client.exec("ip", "addr", "del", "fd00:200:1::99/64", "dev", "cli0");
            client.exec("ip", "addr", "del", "fd00:200:1::2/64", "dev", "cli0");
            node.exec("ip", "addr", "del", "fd00:200:1::1/64", "dev", "lxccli");
        }
    }

    @Test
    void externalIpFromOutsideTheNode() throws IOException {
        try (Conn c = new Conn(outside, EXTERNAL, 80)) {
            assertThat(c.socket.getInetAddress().getHostAddress()).isEqualTo(EXTERNAL);
            assertThat(c.ask("from outside")).matches("b[12] 10\\.200\\.9\\.2 from outside");
        }
    }

    @Test
    void externalIpThroughTheXdpFastPath() throws IOException {
        // from_host (TC) off: only the XDP program can translate the client's packets
        dp.detachHost("uplink");
        dp.attachHostXdp("uplink", false);
        try {
            long before = dp.metrics().get(io.gannet.bpf.maps.Reason.NAT_NEW);
            for (int i = 0; i < 4; i++) {
                try (Conn c = new Conn(outside, EXTERNAL, 80)) {
                    assertThat(c.socket.getInetAddress().getHostAddress()).isEqualTo(EXTERNAL);
                    assertThat(c.ask("xdp " + i)).matches("b[12] 10\\.200\\.9\\.2 xdp " + i);
                }
            }
            assertThat(dp.metrics().get(io.gannet.bpf.maps.Reason.NAT_NEW) - before).isEqualTo(4);
            assertThat(node.exec("ip", "link", "show", "dev", "uplink")).contains("xdpgeneric");
        } finally {
            dp.detachHostXdp("uplink");
            dp.attachHost("uplink");
        }
    }

    @Test
    void theXdpLinkIsReplacedInPlaceAndChangesModeWhenAskedTo() {
        try {
            dp.attachHostXdp("uplink", false);
            dp.attachHostXdp("uplink", false); // the same link, its program replaced in place
            assertThat(dp.hostXdp()).extracting(a -> a.device() + " " + a.nativeMode()).containsExactly("uplink false");
            assertThat(node.exec("ip", "link", "show", "dev", "uplink")).contains("xdpgeneric");
            dp.attachHostXdp("uplink", true); // native: the generic link goes, a native one comes
            assertThat(dp.hostXdp()).extracting(a -> a.device() + " " + a.nativeMode()).containsExactly("uplink true");
            assertThat(dp.hostXdp().getFirst().programId()).isPositive();
            assertThat(node.exec("ip", "link", "show", "dev", "uplink")).doesNotContain("xdpgeneric").contains("xdp ");
            assertThat(dp.detachHostXdp("uplink")).isTrue();
            assertThat(dp.hostXdp()).isEmpty();
            assertThat(node.exec("ip", "link", "show", "dev", "uplink")).doesNotContain("xdp");
        } finally {
            dp.detachHostXdp("uplink");
        }
    }

    @Test
    void removedBackendEndsItsFlowsAndSurvivorsContinue() throws IOException {
        Conn onB1 = null;
        Conn onB2 = null;
        for (int i = 0; i < 40 && (onB1 == null || onB2 == null); i++) {
            Conn c = new Conn(client, VIP, 80);
            String who = c.ask("who").split(" ")[0];
            if (who.equals("b1") && onB1 == null) {
                onB1 = c;
            } else if (who.equals("b2") && onB2 == null) {
                onB2 = c;
            } else {
                c.close();
            }
        }
        assertThat(onB1).isNotNull();
        assertThat(onB2).isNotNull();
        try (Conn c1 = onB1; Conn c2 = onB2) {
            dp.applyServices(services(List.of(B2), List.of(U2)));
            assertThat(c2.ask("still here").split(" ")[0]).isEqualTo("b2");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c1.ask("gone?")).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ends at once, with a RST").isLessThan(2000);
            for (int i = 0; i < 6; i++) {
                try (Conn c = new Conn(client, VIP, 80)) {
                    assertThat(c.ask("new").split(" ")[0]).isEqualTo("b2");
                }
            }
        }
    }

    @Test
    void agentRestartKeepsConnectionsAndState() throws Exception {
        try (Conn c = new Conn(client, VIP, 80); Conn stream = new Conn(client, VIP, 80)) {
            String who = c.ask("before").split(" ")[0];
            String streamBackend = stream.ask("start").split(" ")[0];
            // traffic flowing during the whole restart: request/response every few ms
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CompletableFuture<Void> pump = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    while (!stop.get()) {
                        String r = stream.ask("tick " + answered.get());
                        if (!r.startsWith(streamBackend + " ")) {
                            throw new IllegalStateException("flow moved to another backend: " + r);
                        }
                        answered.incrementAndGet();
                        Thread.sleep(2);
                    }
                } catch (IOException | InterruptedException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(50);
            dp.close();
            dp = null;
            // agent down: pinned maps and attached programs keep serving
            assertThat(c.ask("while down").split(" ")[0]).isEqualTo(who);
            try (Conn during = new Conn(client, VIP, 80)) {
                assertThat(during.ask("new while down")).startsWith("b");
            }
            dp = open();
            assertThat(dp.restoredFrontends()).isEqualTo(5);
            assertThat(dp.applyServices(services(List.of(B1, B2), List.of(U1, U2))).changed()).isFalse();
            assertThat(dp.services()).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(c.ask("after " + i).split(" ")[0]).isEqualTo(who);
            }
            int beforeStop = answered.get();
            Thread.sleep(50);
            stop.set(true);
            pump.get(5, java.util.concurrent.TimeUnit.SECONDS); // rethrows any broken exchange
            assertThat(answered.get()).as("requests answered across the restart").isGreaterThan(beforeStop).isGreaterThan(20);
        }
    }
}
