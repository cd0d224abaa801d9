package io.gannet.bgp.interop;

import static io.gannet.bgp.interop.ExternalDaemon.await;
import static io.gannet.bgp.interop.Gannet.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.LocalRoute;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.testsupport.Requirements;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8950 against BIRD 2.0.12 on ::1, ports 17972-17973: BIRD's {@code extended next hop on}
 * in the IPv4 channel of an IPv6 session; IPv4 routes both ways with IPv6 next hops.
 */
class BirdExtendedNextHopTest {
    @BeforeAll
    static void requirements() {
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
    }

    @Test
    void ipv4RoutesWithIpv6NextHopsBothWaysOverAnIpv6Session() throws Exception {
        int birdPort = 17972;
        int gannetPort = 17973;
        String config = """
                router id 10.0.0.2;
                protocol device {}
                protocol static s4 {
                  ipv4;
                  route 192.0.2.0/24 blackhole;
                }
                protocol bgp gannet {
                  local ::1 port %d as 65002;
                  neighbor ::1 port %d as 65001;
                  multihop;
                  hold time 9;
                  connect retry time 1;
                  error wait time 1, 2;
                  ipv4 {
                    extended next hop on;
                    import all;
                    export filter { if net = 192.0.2.0/24 then { bgp_next_hop = 2001:db8::98; accept; } reject; };
                    gateway recursive;
                    igp table master6;
                  };
                }
                """.formatted(birdPort, gannetPort);
        PeerConfig peer = PeerConfig.builder("bird", addr("::1"), 65002, 65001).port(birdPort).holdTimeSeconds(9)
                .connectRetrySeconds(1).families(Set.of(AddressFamily.IPV4_UNICAST)).importPolicy(Policy.ACCEPT_ALL).build();
        try (BirdDaemon bird = new BirdDaemon(config);
             BgpSpeaker<Rib> speaker = Gannet.start(addr("::1"), gannetPort, peer, SpeakerOptions.defaults())) {
            speaker.call(() -> {
                speaker.routes().announce(LocalRoute.of(Prefix.parse("10.2.0.0/16")).withNextHop(Gannet.DOC_NEXT_HOP6));
                return null;
            });
            assertThat(await(Duration.ofSeconds(20), () -> bird.established("gannet"))).as("BIRD log: %s", bird.log()).isTrue();
            assertThat(speaker.peer("bird").negotiated().extendedNextHop4()).isTrue();
            assertThat(bird.birdc("show", "protocols", "all", "gannet")).contains("Extended next hop");

            // Gannet -> BIRD.
            assertThat(await(Duration.ofSeconds(10), () -> bird.routes("10.2.0.0/16", "all").contains("2001:db8::1")))
                    .as(bird.routes("all")).isTrue();
            // BIRD -> Gannet.
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null))
                    .as("BIRD log: %s", bird.log()).isTrue();
            assertThat(Gannet.route(speaker, "192.0.2.0/24").toString()).contains("next-hop6=2001:db8:0:0:0:0:0:98")
                    .doesNotContain(" next-hop=");

            Gannet.withdraw(speaker, "10.2.0.0/16");
            assertThat(await(Duration.ofSeconds(10), () -> !bird.routes("10.2.0.0/16", "all").contains("2001:db8::1"))).isTrue();
            assertThat(bird.established("gannet")).isTrue();
        }
    }
}
