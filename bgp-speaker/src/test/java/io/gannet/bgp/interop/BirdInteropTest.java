package io.gannet.bgp.interop;

import static io.gannet.bgp.interop.ExternalDaemon.await;
import static io.gannet.bgp.interop.Gannet.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.policy.Action;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.policy.Condition;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.policy.PrefixListEntry;
import io.gannet.bgp.rib.Rib;
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

/**
 * Gannet (session layer plus the real RIB) against a real BIRD 2 on loopback, ports
 * 17910-17929. BIRD resolves our documentation next hop 198.51.100.1 recursively through a
 * static blackhole route, since it refuses 127/8 next hops.
 */
class BirdInteropTest {
    static final InetAddress GANNET = addr("127.0.0.1");
    static final InetAddress BIRD = addr("127.0.0.2");

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

    static PeerConfig.Builder birdPeer(long birdAs, long gannetAs, int birdPort) {
        return PeerConfig.builder("bird", BIRD, birdAs, gannetAs)
                .port(birdPort).localAddress(GANNET).holdTimeSeconds(9).connectRetrySeconds(1)
                .families(Set.of(AddressFamily.IPV4_UNICAST)).importPolicy(Policy.ACCEPT_ALL);
    }

    @Test
    void ebgpFourOctetAsRoutesBothWaysWithdrawRefreshAndShutdownMessage() throws Exception {
        int birdPort = 17910;
        int gannetPort = 17911;
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 4200000002L, 4200000001L, ""));
             BgpSpeaker<Rib> speaker = Gannet.start(GANNET, gannetPort, birdPeer(4200000002L, 4200000001L, birdPort).build(),
                     SpeakerOptions.defaults())) {
            Gannet.announce(speaker, "203.0.113.0/24");
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).as("BIRD log: %s", bird.log()).isTrue();
            // Gannet -> BIRD, with our 4-octet AS in the path.
            assertThat(await(Duration.ofSeconds(10), () -> bird.routes("203.0.113.0/24", "all").contains("4200000001")))
                    .as(bird.routes("all")).isTrue();
            // BIRD -> Gannet: 192.0.2.0/24 lands in the RIB through the accepting import policy.
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null)).isTrue();
            assertThat(Gannet.route(speaker, "192.0.2.0/24").best().attributes().toString()).contains("4200000002");
            PeerStatus status = speaker.peer("bird");
            assertThat(status.state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(status.remoteAs()).isEqualTo(4200000002L);
            assertThat(status.messagesIn().open()).isEqualTo(1);

            // BIRD asks for a route refresh; we send our table again.
            long out = speaker.peer("bird").messagesOut().update();
            bird.birdc("reload", "out", "gannet");
            bird.birdc("reload", "in", "gannet");
            assertThat(await(Duration.ofSeconds(10), () -> speaker.peer("bird").messagesIn().routeRefresh() >= 1)).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> speaker.peer("bird").messagesOut().update() > out)).isTrue();
            // We ask BIRD for a refresh: it re-sends its table.
            long in = speaker.peer("bird").messagesIn().update();
            assertThat(speaker.requestRefresh("bird")).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> speaker.peer("bird").messagesIn().update() > in)).isTrue();

            // Withdrawal Gannet -> BIRD.
            Gannet.withdraw(speaker, "203.0.113.0/24");
            assertThat(await(Duration.ofSeconds(10), () -> !bird.routes("203.0.113.0/24").contains("203.0.113.0/24"))).isTrue();

            // Administrative shutdown with an RFC 8203 message reaches BIRD; BIRD's routes leave our RIB.
            speaker.disable("bird", "maintenance window");
            assertThat(await(Duration.ofSeconds(10), () -> bird.birdc("show", "protocols", "all", "gannet").contains("maintenance window")))
                    .as(bird.birdc("show", "protocols", "all", "gannet")).isTrue();
            assertThat(speaker.peer("bird").adminDown()).isTrue();
            assertThat(Gannet.route(speaker, "192.0.2.0/24")).isNull();
            speaker.enable("bird");
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null)).isTrue();
        }
    }

    @Test
    void policyReloadChangesWhatBirdGetsAndWhatWeAcceptWithoutASessionFlap() throws Exception {
        int birdPort = 17918;
        int gannetPort = 17919;
        PeerConfig peer = birdPeer(65002, 65001, birdPort).exportPolicy(Policy.ACCEPT_ALL).build();
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 65002, 65001, ""));
             BgpSpeaker<Rib> speaker = Gannet.start(GANNET, gannetPort, peer, SpeakerOptions.defaults())) {
            Gannet.announce(speaker, "203.0.113.0/25");
            Gannet.announce(speaker, "203.0.113.128/25");
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).as("BIRD log: %s", bird.log()).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> bird.routes("203.0.113.128/25").contains("203.0.113.128/25")))
                    .as(bird.routes("all")).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null)).isTrue();
            PeerStatus before = speaker.peer("bird");

            // Export policy: only the lower half. BIRD loses the other one, the session stays.
            Policy lowerHalf = new Policy("lower-half", List.of(new Policy.Statement("lower",
                    List.of(new Condition.PrefixIn("l", List.of(PrefixListEntry.parse("203.0.113.0/25", null, null)))),
                    List.of(new Action.AddCommunities(List.of(Communities.parse("65001:42")))), Policy.Verdict.ACCEPT)),
                    Policy.Verdict.REJECT);
            speaker.reconfigure(Gannet.config(GANNET, gannetPort,
                    birdPeer(65002, 65001, birdPort).exportPolicy(lowerHalf).build()));
            assertThat(await(Duration.ofSeconds(10), () -> !bird.routes("203.0.113.128/25").contains("203.0.113.128/25")))
                    .as(bird.routes("all")).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> bird.routes("203.0.113.0/25", "all").contains("(65001,42)")))
                    .as(bird.routes("203.0.113.0/25", "all")).isTrue();

            // Import policy: reject all. We keep no pre-policy view, so we ask BIRD to resend
            // (ROUTE-REFRESH) and its route leaves our RIB; accepting again brings it back.
            long refreshes = speaker.peer("bird").messagesOut().routeRefresh();
            speaker.reconfigure(Gannet.config(GANNET, gannetPort,
                    birdPeer(65002, 65001, birdPort).exportPolicy(lowerHalf).importPolicy(Policy.REJECT_ALL).build()));
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") == null)).isTrue();
            assertThat(speaker.peer("bird").messagesOut().routeRefresh()).isGreaterThan(refreshes);
            speaker.reconfigure(Gannet.config(GANNET, gannetPort,
                    birdPeer(65002, 65001, birdPort).exportPolicy(lowerHalf).importPolicy(Policy.ACCEPT_ALL).build()));
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null)).isTrue();

            // One session all along, on both ends.
            PeerStatus after = speaker.peer("bird");
            assertThat(after.state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(after.flaps()).isEqualTo(before.flaps());
            assertThat(after.since()).isEqualTo(before.since());
            assertThat(after.messagesIn().open()).isEqualTo(1);
            assertThat(after.messagesIn().notification()).isZero();
            assertThat(bird.established("gannet")).isTrue();
            assertThat(bird.log()).doesNotContain("Received: Cease");
        }
    }

    @Test
    void twoOctetAsPeerSeesAsTransAndMd5ProtectsTheSession() throws Exception {
        int birdPort = 17912;
        int gannetPort = 17913;
        // BIRD without the 4-octet AS capability (RFC 6793 "OLD" speaker): AS_PATH goes out 2-octet wide.
        String extra = "enable as4 off;\n password \"s3cret-md5\";";
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 65002, 65001, extra));
             BgpSpeaker<Rib> speaker = Gannet.start(GANNET, gannetPort,
                     birdPeer(65002, 65001, birdPort).md5Password("s3cret-md5").build(), SpeakerOptions.defaults())) {
            Gannet.announce(speaker, "203.0.113.0/24");
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).as("BIRD log: %s", bird.log()).isTrue();
            assertThat(speaker.call(() -> speaker.routes().peerCounters("bird").established())).isTrue();
            assertThat(speaker.call(() -> speaker.routes().peerCounters("bird") != null)).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> bird.routes("203.0.113.0/24", "all").contains("BGP.as_path: 65001")))
                    .as(bird.routes("203.0.113.0/24", "all")).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null)).isTrue();
            assertThat(Gannet.route(speaker, "192.0.2.0/24").best().attributes().toString()).contains("65002");
        }
        // Passive: BIRD connects to our listener, which holds the key per peer address.
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 65002, 65001, extra));
             BgpSpeaker<Rib> speaker = Gannet.start(GANNET, gannetPort,
                     birdPeer(65002, 65001, birdPort).md5Password("s3cret-md5").passive(true).build(), SpeakerOptions.defaults())) {
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).as("BIRD log: %s", bird.log()).isTrue();
        }
        // A wrong key never gets a session up (the kernel drops the unsigned segments).
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 65002, 65001, extra));
             BgpSpeaker<Rib> speaker = Gannet.start(GANNET, gannetPort,
                     birdPeer(65002, 65001, birdPort).md5Password("wrong-key").build(), SpeakerOptions.defaults())) {
            assertThat(await(Duration.ofSeconds(4), () -> bird.established("gannet"))).isFalse();
            assertThat(speaker.peer("bird").state()).isNotEqualTo(SessionState.ESTABLISHED);
        }
    }

    @Test
    void ibgpGracefulRestartPeerKeepsOurRoutesAcrossARestartThenGetsEndOfRib() throws Exception {
        int birdPort = 17914;
        int gannetPort = 17915;
        String extra = "graceful restart on;\n graceful restart time 60;";
        // iBGP this time: same AS on both sides.
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 65001, 65001, extra))) {
            PeerConfig peer = birdPeer(65001, 65001, birdPort).gracefulRestart(true).gracefulRestartSeconds(60).build();
            BgpSpeaker<Rib> first = Gannet.start(GANNET, gannetPort, peer, SpeakerOptions.defaults());
            Gannet.announce(first, "203.0.113.0/24");
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).as("BIRD log: %s", bird.log()).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> bird.routes("203.0.113.0/24").contains("203.0.113.0/24"))).isTrue();

            // Stop without NOTIFICATION: BIRD keeps the route while its restart timer runs.
            first.stop(true);
            assertThat(await(Duration.ofSeconds(5), () -> !bird.established("gannet"))).isTrue();
            String during = bird.routes("203.0.113.0/24", "all");
            assertThat(during).contains("203.0.113.0/24");
            assertThat(bird.birdc("show", "protocols", "all", "gannet")).contains("Neighbor graceful restart active");

            // Come back as a restarting speaker: R bit set, table re-sent, then End-of-RIB.
            try (BgpSpeaker<Rib> second = Gannet.start(GANNET, gannetPort, peer, SpeakerOptions.defaults().withRestarting(true))) {
                Gannet.announce(second, "203.0.113.0/24");
                assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).isTrue();
                assertThat(second.call(() -> second.routes().peerCounters("bird").established())).isTrue();
                // BIRD's graceful restart ends with our End-of-RIB; the route stayed all along.
                assertThat(await(Duration.ofSeconds(10),
                        () -> !bird.birdc("show", "protocols", "all", "gannet").contains("graceful restart active")))
                        .as(bird.birdc("show", "protocols", "all", "gannet")).isTrue();
                assertThat(bird.routes("203.0.113.0/24")).contains("203.0.113.0/24");
            }
        }
    }

    @Test
    void gtsmAcceptsTtl255AndDropsAPeerThatSendsLess() throws Exception {
        int birdPort = 17916;
        int gannetPort = 17917;
        PeerConfig peer = birdPeer(65002, 65001, birdPort).ttlSecurityHops(1).build();
        // BIRD with GTSM sends TTL 255: the session comes up through our IP_MINTTL 255.
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 65002, 65001, "ttl security on;"));
             BgpSpeaker<Rib> speaker = Gannet.start(GANNET, gannetPort, peer, SpeakerOptions.defaults())) {
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).as("BIRD log: %s", bird.log()).isTrue();
        }
        // BIRD multihop without GTSM sends TTL 64: the kernel drops its packets before they reach us.
        try (BirdDaemon bird = new BirdDaemon(birdConfig(birdPort, gannetPort, 65002, 65001, ""));
             BgpSpeaker<Rib> speaker = Gannet.start(GANNET, gannetPort, peer, SpeakerOptions.defaults())) {
            assertThat(await(Duration.ofSeconds(4), () -> bird.established("gannet"))).isFalse();
            assertThat(speaker.peer("bird").state()).isNotEqualTo(SessionState.ESTABLISHED);
        }
    }
}
