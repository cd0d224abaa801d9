package io.gannet.bgp.interop;

import static io.gannet.bgp.interop.ExternalDaemon.await;
import static io.gannet.bgp.interop.Gannet.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.rib.RibViews;
import io.gannet.bgp.session.SessionState;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.testsupport.Requirements;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gannet against ExaBGP on loopback (ports 17930-17939): a 2-octet-AS peer (asn4 disabled)
 * that sends odd attributes, and a crash of the peer with graceful restart.
 */
class ExaBgpInteropTest {
    @BeforeAll
    static void requirements() {
        Requirements.requireCommand("exabgp");
    }

    static final String CONFIG = """
            neighbor 127.0.0.1 {
              router-id 10.0.0.4;
              local-address 127.0.0.4;
              local-as 65004;
              peer-as 65001;
              hold-time 9;
              capability {
                asn4 disable;
                route-refresh enable;
                graceful-restart 60;
              }
              family {
                ipv4 unicast;
              }
              static {
                route 192.0.2.0/24 next-hop 198.51.100.4;
                # Unknown optional transitive attribute 0x99: kept, passed on with the Partial bit.
                route 192.0.2.128/25 next-hop 198.51.100.4 attribute [ 0x99 0xc0 0xdeadbeef ];
                # MED (type 4) with well-known flags: RFC 7606 7.4 attribute flags error -> treat-as-withdraw.
                route 192.0.2.64/26 next-hop 198.51.100.4 attribute [ 0x04 0x40 0x00000001 ];
              }
            }
            """;

    @Test
    void twoOctetPeerWithOddAttributesAndGracefulRestartHelper() throws Exception {
        int gannetPort = 17931;
        PeerConfig peer = PeerConfig.builder("exabgp", addr("127.0.0.4"), 65004, 65001).passive(true).holdTimeSeconds(9)
                .families(Set.of(AddressFamily.IPV4_UNICAST)).gracefulRestart(true).importPolicy(Policy.ACCEPT_ALL).build();
        try (BgpSpeaker<Rib> speaker = Gannet.start(addr("127.0.0.1"), gannetPort, peer, SpeakerOptions.defaults());
             ExaBgpDaemon exa = new ExaBgpDaemon(CONFIG, gannetPort)) {
            assertThat(await(Duration.ofSeconds(20), () -> speaker.peer("exabgp").state() == SessionState.ESTABLISHED))
                    .as("ExaBGP log: %s", exa.log()).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.128/25") != null)).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null)).isTrue();
            // 2-octet session: the AS path was decoded from 2-octet AS_PATH.
            assertThat(Gannet.route(speaker, "192.0.2.0/24").best().attributes().toString()).contains("65004");
            RibViews.PathView withUnknown = Gannet.route(speaker, "192.0.2.128/25").best();
            assertThat(withUnknown.attributes().unknownAttributes()).isNotEmpty();
            // The malformed MED made its route a withdrawal, and the session stayed up.
            assertThat(Gannet.route(speaker, "192.0.2.64/26")).isNull();
            assertThat(speaker.peer("exabgp").state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(speaker.peer("exabgp").messagesOut().notification()).isZero();

            // ExaBGP crashes: as graceful-restart helper we keep its routes, marked stale.
            exa.kill();
            assertThat(await(Duration.ofSeconds(5), () -> speaker.peer("exabgp").state() != SessionState.ESTABLISHED)).isTrue();
            RibViews.RouteView stale = Gannet.route(speaker, "192.0.2.0/24");
            assertThat(stale).isNotNull();
            assertThat(stale.best().stale()).isTrue();

            // It comes back and re-sends its table with End-of-RIB: the routes are fresh again.
            exa.restart();
            assertThat(await(Duration.ofSeconds(20), () -> speaker.peer("exabgp").state() == SessionState.ESTABLISHED))
                    .as("ExaBGP log: %s", exa.log()).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> {
                RibViews.RouteView v = Gannet.route(speaker, "192.0.2.0/24");
                return v != null && !v.best().stale();
            })).isTrue();
            assertThat(speaker.peer("exabgp").flaps()).isEqualTo(1);
        }
    }
}
