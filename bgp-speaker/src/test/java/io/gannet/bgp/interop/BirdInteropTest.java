package io.gannet.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.RecordingRoutes;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.Updates;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.session.PeerStatus;
import io.gannet.bgp.session.SessionState;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.testsupport.Requirements;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gannet's session layer against a real BIRD 2 on loopback, ports 17910-17929. */
class BirdInteropTest {
    static final InetAddress GANNET = addr("127.0.0.1");
    static final InetAddress BIRD = addr("127.0.0.2");
    static final InetAddress NEXT_HOP = addr("198.51.100.1");
    static final InetAddress PREFIX = addr("203.0.113.0");

    @BeforeAll
    static void requirements() {
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
    }

    static String birdConfig(int birdPort, int gannetPort, long birdAs, long gannetAs, String extra) {
        return """
                router id 10.0.0.2;
                protocol device {}
                protocol static s4 {
                  ipv4;
                  route 198.51.100.0/24 blackhole;
                  route 192.0.2.0/24 blackhole;
                }
                protocol bgp gannet {
                  local 127.0.0.2 port %d as %d;
                  neighbor 127.0.0.1 port %d as %d;
                  multihop;
                  hold time 9;
                  connect retry time 1;
                  error wait time 1, 2;
                  %s
                  ipv4 {
                    import all;
                    export where net = 192.0.2.0/24;
                    gateway recursive;
                    igp table master4;
                  };
                }
                """.formatted(birdPort, birdAs, gannetPort, gannetAs, extra);
    }

    static SpeakerConfig gannetConfig(int gannetPort, PeerConfig peer) {
        return new SpeakerConfig(peer.localAs(), 0x0A000001L, GANNET, gannetPort, 0, 1, List.of(peer), List.of());
    }

    static RecordingRoutes.UpdateBuilder announce(InetAddress prefix) {
        return link -> Updates.announceIpv4(link.alloc(), link.negotiated().fourOctetAs(),
                link.negotiated().ibgp() ? new long[0] : new long[] {link.negotiated().localAs()}, NEXT_HOP, prefix, 24);
    }

    @Test
    void ebgpFourOctetAsRoutesBothWaysWithdrawAndRefresh() throws Exception {
        int birdPort = 17910;
        int gannetPort = 17911;
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 4200000002L, 4200000001L, ""))) {
            PeerConfig peer = PeerConfig.builder("bird", BIRD, 4200000002L, 4200000001L)
                    .port(birdPort).localAddress(GANNET).holdTimeSeconds(9).connectRetrySeconds(1)
                    .families(Set.of(AddressFamily.IPV4_UNICAST)).build();
            RecordingRoutes routes = new RecordingRoutes(List.of(announce(PREFIX)));
            try (BgpSpeaker<RecordingRoutes> speaker = BgpSpeaker.start(gannetConfig(gannetPort, peer), c -> routes, SpeakerOptions.defaults())) {
                assertThat(ExternalDaemon.await(Duration.ofSeconds(20), () -> bird.established("gannet")))
                        .as("BIRD established; bird log: %s", bird.log()).isTrue();
                // Gannet -> BIRD: the route with our 4-octet AS in the path.
                assertThat(ExternalDaemon.await(Duration.ofSeconds(10), () -> bird.routes("203.0.113.0/24", "all").contains("4200000001")))
                        .as(bird.routes("all")).isTrue();
                // BIRD -> Gannet: 192.0.2.0/24 arrives as an UPDATE.
                assertThat(ExternalDaemon.await(Duration.ofSeconds(10), () -> routes.count("update", "bird") >= 2)).isTrue();
                PeerStatus status = speaker.peer("bird");
                assertThat(status.state()).isEqualTo(SessionState.ESTABLISHED);
                assertThat(status.remoteAs()).isEqualTo(4200000002L);
                assertThat(status.messagesIn().open()).isEqualTo(1);
                assertThat(speaker.call(() -> routes.links.get("bird").negotiated().fourOctetAs())).isTrue();

                // BIRD asks for a route refresh: the RIB is told.
                bird.birdc("reload", "in", "gannet");
                assertThat(ExternalDaemon.await(Duration.ofSeconds(10), () -> routes.count("refresh", "bird") >= 1))
                        .as("refresh; events %s", routes.events).isTrue();
                // We ask BIRD for a refresh: it re-sends its table.
                long before = routes.count("update", "bird");
                speaker.requestRefresh("bird");
                assertThat(ExternalDaemon.await(Duration.ofSeconds(10), () -> routes.count("update", "bird") > before)).isTrue();

                // Withdrawal Gannet -> BIRD.
                speaker.call(() -> {
                    var link = routes.links.get("bird");
                    link.send(Updates.withdrawIpv4(link.alloc(), PREFIX, 24));
                    link.flush();
                    return null;
                });
                assertThat(ExternalDaemon.await(Duration.ofSeconds(10), () -> !bird.routes("203.0.113.0/24").contains("203.0.113.0/24")))
                        .isTrue();

                // Administrative shutdown with an RFC 8203 message reaches BIRD.
                speaker.disable("bird", "maintenance window");
                assertThat(ExternalDaemon.await(Duration.ofSeconds(10), () -> bird.birdc("show", "protocols", "all", "gannet").contains("maintenance window")))
                        .as(bird.birdc("show", "protocols", "all", "gannet")).isTrue();
                assertThat(speaker.peer("bird").adminDown()).isTrue();
                speaker.enable("bird");
                assertThat(ExternalDaemon.await(Duration.ofSeconds(20), () -> bird.established("gannet"))).isTrue();
            }
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
