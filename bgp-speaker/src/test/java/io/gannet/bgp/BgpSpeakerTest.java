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
            assertThat(speaker.peers()).allMatch(p -> p.state() == SessionState.ESTABLISHED);
            assertThat(changes).contains("a Idle->Active", "a Active->OpenSent", "a OpenSent->OpenConfirm", "a OpenConfirm->Established");

            // a removed, b changed, c untouched, d added.
            PeerConfig b2 = PeerConfig.builder("b", b.address(), 65005, 65001).passive(true).holdTimeSeconds(30)
                    .families(Set.of(AddressFamily.IPV4_UNICAST)).build();
            speaker.reconfigure(config(17951, List.of(b2, c, passive("d", "127.0.2.4"))));
            assertThat(pa.readNotification().notification()).isEqualTo("6/3");
            assertThat(pb.readNotification().notification()).isEqualTo("6/6");
            assertThat(speaker.peers()).extracting(p -> p.name()).containsExactly("c", "b", "d");
            assertThat(speaker.peer("c").state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(speaker.peer("b").state()).isEqualTo(SessionState.ACTIVE);
            try (RawPeer pb2 = new RawPeer(b.address(), GANNET, 17951)) {
                pb2.establish(65005, 0x0A020002L, 0);
                assertThat(speaker.peer("b").state()).isEqualTo(SessionState.ESTABLISHED);
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
            speaker.reset("a", "new policy");
            RawPeer.Message n = p.readNotification();
            assertThat(n.notification()).isEqualTo("6/4");
            assertThat(new String(n.body(), 3, n.body()[2])).isEqualTo("new policy");
        }
        assertThat(InteropAccess.await(Duration.ofSeconds(5), () -> speaker.peer("a").state() == SessionState.ACTIVE)).isTrue();
        try (RawPeer p = new RawPeer(a.address(), GANNET, 17952)) {
            p.establish(65005, 0x0A020001L, 0);
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

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
