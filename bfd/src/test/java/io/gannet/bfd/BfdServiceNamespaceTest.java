package io.gannet.bfd;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bfd.interop.Await;
import io.gannet.bfd.interop.TwoNamespaces;
import io.gannet.bfd.session.BfdAuthentication;
import io.gannet.bfd.wire.AuthType;
import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.ControlPacket;
import io.gannet.bfd.wire.ControlPacketCodec;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.bfd.wire.DropReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.gannet.testsupport.Requirements;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gannet against Gannet over a veth pair between two namespaces: real sockets, TTL 255, real timers. */
class BfdServiceNamespaceTest {
    static TwoNamespaces net;
    static BfdService left;
    static BfdService right;

    @BeforeAll
    static void setUp() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("nft");
        net = new TwoNamespaces("s");
        left = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()).withIpv6(false));
        right = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.rightPath()).withIpv6(false));
    }

    @AfterAll
    static void tearDown() {
        if (left != null) {
            left.close();
        }
        if (right != null) {
            right.close();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void comesUpNegotiatesByPollAndDetectsACut() throws Exception {
        List<BfdStateChange> events = new CopyOnWriteArrayList<>();
        BfdPeerSpec l = BfdPeerSpec.singleHop(net.rightAddress, net.leftAddress, TwoNamespaces.LEFT_IF,
                Duration.ofMillis(50), 3);
        BfdPeerSpec r = BfdPeerSpec.singleHop(net.leftAddress, net.rightAddress, TwoNamespaces.RIGHT_IF,
                Duration.ofMillis(50), 3);
        try (BfdSessionHandle hl = left.request(l, events::add); BfdSessionHandle hr = right.request(r, null)) {
            Await.until(Duration.ofSeconds(10), "both Up", () -> hl.state() == BfdState.UP && hr.state() == BfdState.UP);
            Await.until(Duration.ofSeconds(2), "Up-time poll done", () -> !hl.status().pollActive());
            assertThat(hl.status().txIntervalMicros()).isEqualTo(50_000);
            assertThat(hl.status().detectTimeMicros()).isEqualTo(150_000);
            assertThat(events.get(0).initial()).isTrue();

            // Timer change at runtime, negotiated by Poll/Final: the peer sees the new rate.
            hl.updateTimers(Duration.ofMillis(100), Duration.ofMillis(100), 3);
            Await.until(Duration.ofSeconds(3), () -> "right sees 100 ms: " + hr.status(),
                    () -> hr.status().detectTimeMicros() == 300_000 && !hl.status().pollActive());
            assertThat(hl.status().txIntervalMicros()).isEqualTo(100_000);
            assertThat(hr.status().txIntervalMicros()).isEqualTo(100_000);

            // Cut the path from the right: left must report Down within the detection time.
            long cutAt = System.nanoTime();
            TwoNamespaces.cut(net.right);
            try {
                Await.until(Duration.ofSeconds(3), "listener told", () -> events.stream().anyMatch(BfdStateChange::wentDown));
                BfdStateChange down = events.stream().filter(BfdStateChange::wentDown).findFirst().orElseThrow();
                assertThat(down.diagnostic()).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED);
                // Last packet -> Down is the detection time (300 ms), plus scheduling slack.
                long silentMs = (down.monotonicNanos() - down.lastReceivedNanos()) / 1_000_000;
                assertThat(silentMs).isBetween(300L, 300L + 50);
                assertThat((down.monotonicNanos() - cutAt) / 1_000_000).isLessThan(300 + 250);
            } finally {
                TwoNamespaces.heal(net.right);
            }
            Await.until(Duration.ofSeconds(10), "Up again", () -> hl.state() == BfdState.UP && hr.state() == BfdState.UP);
            assertThat(hl.status().flaps()).isGreaterThanOrEqualTo(1);
            assertThat(hl.status().detectionEvents()).isGreaterThanOrEqualTo(1);
        }
        Await.until(Duration.ofSeconds(2), "sessions deleted", () -> left.sessions().isEmpty() && right.sessions().isEmpty());
    }

    @Test
    void sharedSessionIsReferenceCountedAndAuthenticated() throws Exception {
        BfdAuthentication auth = BfdAuthentication.of(AuthType.METICULOUS_KEYED_SHA1, 4, "shared-secret");
        BfdPeerSpec l = BfdPeerSpec.singleHop(net.rightAddress, net.leftAddress, TwoNamespaces.LEFT_IF,
                Duration.ofMillis(20), 3).withAuthentication(auth);
        BfdPeerSpec r = BfdPeerSpec.singleHop(net.leftAddress, net.rightAddress, TwoNamespaces.RIGHT_IF,
                Duration.ofMillis(20), 3).withAuthentication(auth);
        BfdSessionHandle first = left.request(l, null);
        BfdSessionHandle second = left.request(l, null);
        try (BfdSessionHandle hr = right.request(r, null)) {
            Await.until(Duration.ofSeconds(10), "Up with SHA1", () -> first.state() == BfdState.UP);
            assertThat(left.sessions()).hasSize(1);
            assertThat(first.status().clients()).isEqualTo(2);
            assertThat(first.status().sourcePort()).isBetween(49152, 65535);
            first.close();
            assertThat(left.sessions()).hasSize(1);
            assertThat(second.state()).isEqualTo(BfdState.UP);
            second.close();
            assertThat(left.sessions()).isEmpty();
            // The last release sends AdminDown: the peer goes Down with diag 3.
            Await.until(Duration.ofSeconds(2), "right Down", () -> hr.state() == BfdState.DOWN);
            assertThat(hr.status().localDiagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
        }
    }

    @Test
    void ipv6SingleHopComesUpWithHopLimit255() throws Exception {
        net.left.exec("ip", "-6", "addr", "add", "fd53::1/64", "dev", TwoNamespaces.LEFT_IF, "nodad");
        net.right.exec("ip", "-6", "addr", "add", "fd53::2/64", "dev", TwoNamespaces.RIGHT_IF, "nodad");
        try (BfdService l6 = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath())
                        .withPorts(13784, 14784));
                BfdService r6 = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.rightPath())
                        .withPorts(13784, 14784))) {
            java.net.InetAddress a = java.net.InetAddress.getByName("fd53::1");
            java.net.InetAddress b = java.net.InetAddress.getByName("fd53::2");
            try (BfdSessionHandle hl = l6.request(BfdPeerSpec.singleHop(b, a, TwoNamespaces.LEFT_IF, Duration.ofMillis(50), 3), null);
                    BfdSessionHandle hr = r6.request(BfdPeerSpec.singleHop(a, b, TwoNamespaces.RIGHT_IF, Duration.ofMillis(50), 3), null)) {
                Await.until(Duration.ofSeconds(10), "IPv6 Up", () -> hl.state() == BfdState.UP && hr.state() == BfdState.UP);
                assertThat(l6.drops(DropReason.TTL) + l6.drops(DropReason.NO_TTL_INFO)).isZero();
            }
        }
    }

    @Test
    void steadyStateAllocatesNothingPerPacket() throws Exception {
        BfdPeerSpec l = BfdPeerSpec.singleHop(net.rightAddress, net.leftAddress, TwoNamespaces.LEFT_IF,
                Duration.ofMillis(20), 3);
        BfdPeerSpec r = BfdPeerSpec.singleHop(net.leftAddress, net.rightAddress, TwoNamespaces.RIGHT_IF,
                Duration.ofMillis(20), 3);
        try (BfdSessionHandle hl = left.request(l, null); BfdSessionHandle hr = right.request(r, null)) {
            Await.until(Duration.ofSeconds(10), "Up", () -> hl.state() == BfdState.UP && hr.state() == BfdState.UP);
            Thread.sleep(500); // past the Up-time Poll Sequence and JIT warm-up
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                    .getThreadMXBean();
            List<Thread> bfdThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("bfd-rx") || t.getName().equals("bfd-timer")).toList();
            assertThat(bfdThreads).hasSizeGreaterThanOrEqualTo(4);
            // A state change allocates (log line, event); on a loaded machine a 10 ms session
            // can flap, so measure a window without state changes (up to five tries).
            for (int attempt = 0; ; attempt++) {
                long flaps0 = hl.status().upTransitions() + hr.status().upTransitions();
                long[] before = bfdThreads.stream().mapToLong(t -> mx.getThreadAllocatedBytes(t.threadId())).toArray();
                long rx0 = hl.status().rxPackets() + hr.status().rxPackets();
                Thread.sleep(3000);
                long packets = hl.status().rxPackets() + hr.status().rxPackets() - rx0;
                long allocated = 0;
                for (int i = 0; i < before.length; i++) {
                    allocated += mx.getThreadAllocatedBytes(bfdThreads.get(i).threadId()) - before[i];
                }
                if (hl.status().upTransitions() + hr.status().upTransitions() != flaps0 && attempt < 4) {
                    continue;
                }
                assertThat(packets).isGreaterThan(200);
                // The smallest Java object is 16 bytes, so any per-packet allocation would show
                // as >= 16 bytes per packet. Measured: ~1 KB per 2-3 s in total from incidental
                // JVM activity, i.e. < 3 bytes per packet; bound it at 4.
                assertThat(allocated).as("bytes allocated by BFD threads for %d packets", packets)
                        .isLessThan(4 * packets);
                break;
            }
            // (No flap assertion: at 10 ms x 3 on a loaded 2-core CI box a scheduling stall
            // is a true detection, not a bug; the benchmark measures that under stress.)
        }
    }

    @Test
    void multihopSessionComesUp() throws Exception {
        BfdPeerSpec l = BfdPeerSpec.multiHop(net.rightAddress, net.leftAddress, Duration.ofMillis(50), 3);
        BfdPeerSpec r = BfdPeerSpec.multiHop(net.leftAddress, net.rightAddress, Duration.ofMillis(50), 3);
        try (BfdSessionHandle hl = left.request(l, null); BfdSessionHandle hr = right.request(r, null)) {
            Await.until(Duration.ofSeconds(10), "multihop Up", () -> hl.state() == BfdState.UP && hr.state() == BfdState.UP);
        }
    }

    /** Sends raw payloads with a chosen TTL from the right namespace (python3: any sender will do). */
    static void inject(int ttl, List<String> hexPayloads) {
        String script = "import socket,sys\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "s.setsockopt(socket.IPPROTO_IP,socket.IP_TTL,int(sys.argv[1]))\n"
                + "s.bind(('10.53.0.2',0))\n"
                + "for h in sys.argv[2:]: s.sendto(bytes.fromhex(h),('10.53.0.1',3784))\n";
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", script, Integer.toString(ttl)));
        cmd.addAll(hexPayloads);
        net.right.exec(cmd.toArray(new String[0]));
    }

    static String downTo(long yourDiscriminator, long myDiscriminator) {
        ControlPacket p = new ControlPacket();
        p.state = BfdState.DOWN;
        p.diagnostic = Diagnostic.CONTROL_DETECTION_TIME_EXPIRED;
        p.detectMult = 3;
        p.myDiscriminator = myDiscriminator;
        p.yourDiscriminator = yourDiscriminator;
        p.desiredMinTxMicros = 1_000_000;
        p.requiredMinRxMicros = 50_000;
        ByteBuf b = Unpooled.buffer();
        ControlPacketCodec.encode(p, b);
        return ByteBufUtil.hexDump(b);
    }

    static String patch(String hex, int byteIndex, String replacement) {
        return hex.substring(0, byteIndex * 2) + replacement + hex.substring(byteIndex * 2 + replacement.length());
    }

    @Test
    void badInputIsDroppedAndCountedNeverAStateChange() throws Exception {
        // 300 ms x 3: slow enough that a loaded CI machine never flaps it by itself, so any
        // state change here would be the injected packets' doing.
        BfdPeerSpec l = BfdPeerSpec.singleHop(net.rightAddress, net.leftAddress, TwoNamespaces.LEFT_IF,
                Duration.ofMillis(300), 3);
        BfdPeerSpec r = BfdPeerSpec.singleHop(net.leftAddress, net.rightAddress, TwoNamespaces.RIGHT_IF,
                Duration.ofMillis(300), 3);
        try (BfdSessionHandle hl = left.request(l, null); BfdSessionHandle hr = right.request(r, null)) {
            Await.until(Duration.ofSeconds(10), "Up", () -> hl.state() == BfdState.UP && hr.state() == BfdState.UP);
            long disc = hl.status().localDiscriminator();
            long peerDisc = hl.status().remoteDiscriminator();
            String down = downTo(disc, peerDisc); // would take the session down if accepted
            java.util.Map<DropReason, Long> before = left.dropCounters();

            inject(64, List.of(down, down)); // RFC 5881 5: TTL != 255
            inject(254, List.of(down)); // one hop away is still not single-hop
            inject(255, List.of(
                    down.substring(0, 40), // truncated (20 bytes)
                    patch(down, 0, "47"), // version 2
                    patch(down, 3, "30"), // Length 48 > payload
                    patch(down, 3, "14"), // Length 20 < 24
                    patch(down, 2, "00"), // Detect Mult 0
                    patch(down, 1, "41"), // Multipoint
                    patch(down, 4, "00000000"), // My Discriminator 0
                    patch(patch(down, 1, "c0"), 8, "00000000"), // Up with Your Discriminator 0
                    patch(down, 8, "0badf00d"), // nobody has this discriminator
                    patch(patch(down, 1, "44"), 3, "1e") + "01060178797a", // A bit, but no auth configured
                    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
            Await.until(Duration.ofSeconds(3), "all counted",
                    () -> left.drops(DropReason.AUTH_UNEXPECTED) > before.get(DropReason.AUTH_UNEXPECTED));
            java.util.Map<DropReason, Long> after = left.dropCounters();
            assertThat(after.get(DropReason.TTL) - before.get(DropReason.TTL)).isEqualTo(3);
            assertThat(after.get(DropReason.TRUNCATED) - before.get(DropReason.TRUNCATED)).isEqualTo(1);
            assertThat(after.get(DropReason.BAD_VERSION) - before.get(DropReason.BAD_VERSION)).isEqualTo(2);
            assertThat(after.get(DropReason.BAD_LENGTH) - before.get(DropReason.BAD_LENGTH)).isEqualTo(2);
            assertThat(after.get(DropReason.DETECT_MULT_ZERO) - before.get(DropReason.DETECT_MULT_ZERO)).isEqualTo(1);
            assertThat(after.get(DropReason.MULTIPOINT) - before.get(DropReason.MULTIPOINT)).isEqualTo(1);
            assertThat(after.get(DropReason.MY_DISCRIMINATOR_ZERO) - before.get(DropReason.MY_DISCRIMINATOR_ZERO))
                    .isEqualTo(1);
            assertThat(after.get(DropReason.YOUR_DISCRIMINATOR_ZERO) - before.get(DropReason.YOUR_DISCRIMINATOR_ZERO))
                    .isEqualTo(1);
            assertThat(after.get(DropReason.UNKNOWN_DISCRIMINATOR) - before.get(DropReason.UNKNOWN_DISCRIMINATOR))
                    .isEqualTo(1);
            assertThat(after.get(DropReason.AUTH_UNEXPECTED) - before.get(DropReason.AUTH_UNEXPECTED)).isEqualTo(1);
            assertThat(hl.status().drops()).containsEntry(DropReason.TTL, 3L);
            assertThat(hl.state()).isEqualTo(BfdState.UP);
            assertThat(hl.status().flaps()).isZero();

            // The same Down with TTL 255 is a genuine packet and does take the session down.
            inject(255, List.of(down));
            // (The sessions re-handshake within milliseconds, so look at the flap counter.)
            Await.until(Duration.ofSeconds(2), "accepted Down", () -> hl.status().flaps() >= 1);
        }
    }
}
