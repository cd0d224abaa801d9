package io.gannet.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.interop.InteropAccess;
import io.gannet.bgp.session.SessionState;
import io.gannet.bgp.wire.AddressFamily;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The facade with hand-driven peers on loopback (ports 17950-17959). */
class BgpSpeakerTest {
    static final InetAddress GANNET = addr("127.0.0.1");

    static PeerConfig passive(String name, String address) {
        return PeerConfig.builder(name, addr(address), 65005, 65001).passive(true).holdTimeSeconds(0)
                .families(Set.of(AddressFamily.IPV4_UNICAST)).build();
    }

    static SpeakerConfig config(int port, List<PeerConfig> peers) {
        return new SpeakerConfig(65001, 0x0A000001L, GANNET, port, 0, 1, peers, List.of());
    }

    @Test
    void unknownPeersAreRefusedWithConnectionRejected() throws Exception {
        try (BgpSpeaker<RecordingRoutes> speaker = BgpSpeaker.start(config(17950, List.of(passive("a", "127.0.2.1"))),
                RecordingRoutes::factory, SpeakerOptions.defaults());
             RawPeer stranger = new RawPeer(addr("127.0.2.99"), GANNET, 17950)) {
            assertThat(stranger.readNotification().notification()).isEqualTo("6/5");
            assertThat(stranger.closedByPeer()).isTrue();
            assertThat(speaker.peers()).extracting(p -> p.name()).containsExactly("a");
        }
    }

    @Test
    void aPeersOpenSentBeforeTheBusyLoopTookItsConnectionIsNotLost() throws Exception {
        // Seen with 100 nodes reconnecting at once (gannet lab scale): the loop, busy, ran the
        // task that gives an accepted connection its session after its first read; the peer's
        // OPEN, read with no session to go to, was lost, and its KEEPALIVE then ended the
        // session (5/1 KEEPALIVE in OpenSent). Here the loop is held, the peer connects and
        // sends its OPEN at once, and a queue of slow tasks makes the loop read before it runs
        // that task.
        try (BgpSpeaker<RecordingRoutes> speaker = BgpSpeaker.start(config(17956, List.of(passive("a", "127.0.2.1"))),
                RecordingRoutes::factory, SpeakerOptions.defaults())) {
            java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
            speaker.execute(() -> {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < 400; i++) {
                speaker.execute(() -> java.util.concurrent.locks.LockSupport.parkNanos(1_000_000));
            }
            try (RawPeer a = new RawPeer(addr("127.0.2.1"), GANNET, 17956)) {
                a.send(RawPeer.open(65005, 0x0A020001L, 0));
                Thread.sleep(100); // the connection accepted by the kernel, our OPEN in its buffer
                hold.countDown();
                RawPeer.Message first = a.read();
                assertThat(first).isNotNull();
                assertThat(first.type()).as("the speaker's OPEN").isEqualTo(1);
                a.send(io.gannet.bgp.wire.KeepaliveMessage.encode(io.netty.buffer.Unpooled.buffer().alloc()));
                RawPeer.Message next = a.read();
                assertThat(next).isNotNull();
                assertThat(next.type()).as("its KEEPALIVE, not a NOTIFICATION: " + (next.type() == 3 ? next.notification() : "")).isEqualTo(4);
                established(speaker, "a");
            }
        }
    }

    @Test
    void reconfigureTouchesOnlyChangedPeersAndListenerSeesEveryTransition() throws Exception {
        List<String> changes = Collections.synchronizedList(new ArrayList<>());
        SpeakerOptions options = SpeakerOptions.defaults().withListener((peer, from, to, reason) -> changes.add(peer + " " + from + "->" + to));
        PeerConfig a = passive("a", "127.0.2.1");
        PeerConfig b = passive("b", "127.0.2.2");
        PeerConfig c = passive("c", "127.0.2.3");
        try (BgpSpeaker<RecordingRoutes> speaker = BgpSpeaker.start(config(17951, List.of(a, b, c)), RecordingRoutes::factory, options);
             RawPeer pa = new RawPeer(a.address(), GANNET, 17951);
             RawPeer pb = new RawPeer(b.address(), GANNET, 17951);
             RawPeer pc = new RawPeer(c.address(), GANNET, 17951)) {
            pa.establish(65005, 0x0A020001L, 0);
            pb.establish(65005, 0x0A020002L, 0);
            pc.establish(65005, 0x0A020003L, 0);
            established(speaker, "a", "b", "c");
            assertThat(changes).contains("a Idle->Active", "a Active->OpenSent", "a OpenSent->OpenConfirm", "a OpenConfirm->Established");

            // a removed, b's session parameters changed, c's import policy changed (applied live), d added.
            PeerConfig b2 = PeerConfig.builder("b", b.address(), 65005, 65001).passive(true).holdTimeSeconds(30)
                    .families(Set.of(AddressFamily.IPV4_UNICAST)).build();
            PeerConfig c2 = PeerConfig.builder("c", c.address(), 65005, 65001).passive(true).holdTimeSeconds(0)
                    .families(Set.of(AddressFamily.IPV4_UNICAST)).importPolicy(io.gannet.bgp.policy.Policy.ACCEPT_ALL).build();
            assertThat(BgpSpeaker.policyOnly(c, c2)).isTrue();
            assertThat(BgpSpeaker.policyOnly(b, b2)).isFalse();
            speaker.reconfigure(config(17951, List.of(b2, c2, passive("d", "127.0.2.4"))));
            assertThat(pa.readNotification().notification()).isEqualTo("6/3");
            assertThat(pb.readNotification().notification()).isEqualTo("6/6");
            assertThat(speaker.peers()).extracting(p -> p.name()).containsExactly("c", "b", "d");
            assertThat(speaker.peer("c").state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(speaker.peer("c").flaps()).isZero();
            assertThat(speaker.routes().events).contains(new RecordingRoutes.Event("policy", "c", "accept-all"));
            assertThat(speaker.peer("b").state()).isEqualTo(SessionState.ACTIVE);
            // b's new session continues the peer's history: the reset counts as a flap and is the last error.
            assertThat(speaker.peer("b").flaps()).isEqualTo(1);
            assertThat(speaker.peer("b").lastError()).contains("peer configuration changed");
            assertThat(speaker.peer("b").messagesIn().open()).isEqualTo(1);
            try (RawPeer pb2 = new RawPeer(b.address(), GANNET, 17951)) {
                pb2.establish(65005, 0x0A020002L, 0);
                established(speaker, "b");
            }
            // A removed peer's address is now a stranger.
            try (RawPeer again = new RawPeer(a.address(), GANNET, 17951)) {
                assertThat(again.readNotification().notification()).isEqualTo("6/5");
            }
            assertThatThrownBy(() -> speaker.reconfigure(new SpeakerConfig(65009, 0x0A000001L, GANNET, 17951, 0, 1, List.of(), List.of())))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void adminResetAndStopSendTheirCeaseWithTheShutdownCommunication() throws Exception {
        PeerConfig a = passive("a", "127.0.2.1");
        BgpSpeaker<RecordingRoutes> speaker = BgpSpeaker.start(config(17952, List.of(a)), RecordingRoutes::factory, SpeakerOptions.defaults());
        try (RawPeer p = new RawPeer(a.address(), GANNET, 17952)) {
            p.establish(65005, 0x0A020001L, 0);
            established(speaker, "a");
            speaker.reset("a", "new policy");
            RawPeer.Message n = p.readNotification();
            assertThat(n.notification()).isEqualTo("6/4");
            assertThat(new String(n.body(), 3, n.body()[2])).isEqualTo("new policy");
        }
        assertThat(InteropAccess.await(Duration.ofSeconds(5), () -> speaker.peer("a").state() == SessionState.ACTIVE)).isTrue();
        try (RawPeer p = new RawPeer(a.address(), GANNET, 17952)) {
            p.establish(65005, 0x0A020001L, 0);
            established(speaker, "a");
            speaker.stop(false, "bye for now");
            RawPeer.Message n = p.readNotification();
            assertThat(n.notification()).isEqualTo("6/2");
            assertThat(new String(n.body(), 3, n.body()[2])).isEqualTo("bye for now");
        }
    }

    @Test
    void gracefulStopClosesWithoutNotification() throws Exception {
        PeerConfig a = passive("a", "127.0.2.1");
        BgpSpeaker<RecordingRoutes> speaker = BgpSpeaker.start(config(17953, List.of(a)), RecordingRoutes::factory, SpeakerOptions.defaults());
        try (RawPeer p = new RawPeer(a.address(), GANNET, 17953)) {
            p.establish(65005, 0x0A020001L, 0);
            established(speaker, "a");
            speaker.stop(true);
            assertThat(p.readNotification()).isNull(); // end of stream, no NOTIFICATION
        }
    }

    @Test
    void executeAndCallRunOnTheSpeakerLoop() throws Exception {
        try (BgpSpeaker<RecordingRoutes> speaker = BgpSpeaker.start(config(17954, List.of()), RecordingRoutes::factory, SpeakerOptions.defaults())) {
            String loopThread = speaker.call(() -> Thread.currentThread().getName());
            assertThat(loopThread).startsWith("bgp-speaker");
            var seen = new java.util.concurrent.CompletableFuture<String>();
            speaker.execute(() -> seen.complete(Thread.currentThread().getName()));
            assertThat(seen.get()).isEqualTo(loopThread);
            assertThat(speaker.listenAddress().getPort()).isEqualTo(17954);
        }
    }

    @Test
    void sendHoldTimerDropsAPeerThatStopsReading() throws Exception {
        // RFC 9687: the peer keeps its TCP window shut; after the send hold time we give up
        // with NOTIFICATION 8 rather than holding its routes forever.
        // Megabytes of UPDATEs: paranoid leak tracking of every buffer would take minutes.
        var leakLevel = io.netty.util.ResourceLeakDetector.getLevel();
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        try {
            sendHoldTimer();
        } finally {
            io.netty.util.ResourceLeakDetector.setLevel(leakLevel);
        }
    }

    private void sendHoldTimer() throws Exception {
        PeerConfig a = PeerConfig.builder("a", addr("127.0.2.1"), 65005, 65001).passive(true).holdTimeSeconds(0)
                .sendHoldTimeSeconds(2).families(Set.of(AddressFamily.IPV4_UNICAST)).build();
        try (BgpSpeaker<io.gannet.bgp.rib.Rib> speaker = BgpSpeaker.start(config(17955, List.of(a)), io.gannet.bgp.rib.Rib::new,
                SpeakerOptions.defaults());
             RawPeer p = new RawPeer(a.address(), GANNET, 17955, 4096)) {
            speaker.call(() -> {
                // Distinct MEDs keep every route in an UPDATE of its own: about 3 MB to send,
                // against a 4 KiB receive window and netty's 1 MiB high-water mark.
                for (int i = 0; i < 60_000; i++) {
                    var prefix = io.gannet.bgp.wire.attr.Prefix.ipv4(0x0B000000 + (i << 8), 24);
                    speaker.routes().announce(io.gannet.bgp.rib.LocalRoute.of(prefix).withNextHop(addr("198.51.100.1")).withMed((long) i));
                }
                return null;
            });
            p.establish(65005, 0x0A020001L, 0);
            // Never read again: the speaker's socket fills, the channel turns unwritable.
            assertThat(InteropAccess.await(Duration.ofSeconds(20), () -> speaker.peer("a").state() == SessionState.IDLE)).isTrue();
            assertThat(speaker.peer("a").lastError()).contains("send hold timer expired");
            assertThat(speaker.peer("a").messagesOut().notification()).isEqualTo(1);
        }
    }

    /** The raw peer's handshake ends when it reads our KEEPALIVE; ours ends when we read its. */
    static void established(BgpSpeaker<?> speaker, String... names) {
        for (String name : names) {
            assertThat(InteropAccess.await(Duration.ofSeconds(5), () -> speaker.peer(name).state() == SessionState.ESTABLISHED))
                    .as(name).isTrue();
        }
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
