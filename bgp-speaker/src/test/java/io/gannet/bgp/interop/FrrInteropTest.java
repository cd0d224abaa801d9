package io.gannet.bgp.interop;

import static io.gannet.bgp.interop.ExternalDaemon.await;
import static io.gannet.bgp.interop.Gannet.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.session.PeerStatus;
import io.gannet.bgp.session.SessionState;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.testsupport.Requirements;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gannet against a real FRR bgpd (no zebra) on loopback, ports 17920-17939. */
class FrrInteropTest {
    @BeforeAll
    static void requirements() {
        Requirements.requireCommand(FrrDaemon.BGPD);
        Requirements.requireCommand("vtysh");
    }

    @Test
    void ibgpOverIpv6RoutesBothWaysAndWithdraw() throws Exception {
        int frrPort = 17920;
        int gannetPort = 17921;
        String config = """
                frr defaults traditional
                hostname frr
                router bgp 65001
                 bgp router-id 10.0.0.3
                 no bgp ebgp-requires-policy
                 no bgp network import-check
                 neighbor ::1 remote-as 65001
                 neighbor ::1 port %d
                 neighbor ::1 timers 3 9
                 neighbor ::1 timers connect 1
                 address-family ipv4 unicast
                  no neighbor ::1 activate
                 exit-address-family
                 address-family ipv6 unicast
                  neighbor ::1 activate
                  neighbor ::1 route-map other-next-hop out
                  network 2001:db8:99::/48
                 exit-address-family
                route-map other-next-hop permit 10
                 set ipv6 next-hop global 2001:db8::99
                """.formatted(gannetPort);
        // Both ends sit on ::1: FRR's own next hop would be our address, which RFC 4271 6.3
        // has us ignore, so FRR sends another one.
        PeerConfig peer = PeerConfig.builder("frr", addr("::1"), 65001, 65001).port(frrPort).holdTimeSeconds(9)
                .connectRetrySeconds(1).families(Set.of(AddressFamily.IPV6_UNICAST)).importPolicy(Policy.ACCEPT_ALL).build();
        try (FrrDaemon frr = new FrrDaemon(config, "::1", frrPort);
             BgpSpeaker<Rib> speaker = Gannet.start(addr("::1"), gannetPort, peer, SpeakerOptions.defaults())) {
            Gannet.announce(speaker, "2001:db8:1::/48");
            assertThat(await(Duration.ofSeconds(20), () -> frr.established("::1"))).as("FRR log: %s", frr.log()).isTrue();
            PeerStatus st = speaker.peer("frr");
            assertThat(st.state()).isEqualTo(SessionState.ESTABLISHED);
            // Gannet -> FRR over MP_REACH_NLRI (iBGP: LOCAL_PREF 100, empty AS path).
            assertThat(await(Duration.ofSeconds(10), () -> frr.vtysh("show bgp ipv6 unicast 2001:db8:1::/48 json").contains("\"paths\"")))
                    .as(frr.vtysh("show bgp ipv6 unicast json")).isTrue();
            assertThat(frr.vtysh("show bgp ipv6 unicast 2001:db8:1::/48 json")).contains("2001:db8::1");
            // FRR -> Gannet.
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "2001:db8:99::/48") != null)).isTrue();
            // FRR asks for a refresh; with RFC 7313 negotiated we answer BoRR, the table, EoRR, and
            // FRR keeps exactly what we re-advertised.
            assertThat(speaker.peer("frr").negotiated().enhancedRouteRefresh()).isTrue();
            frr.vtysh("clear bgp ipv6 unicast ::1 soft in");
            assertThat(await(Duration.ofSeconds(10), () -> speaker.peer("frr").messagesIn().routeRefresh() >= 1)).isTrue();
            Thread.sleep(500);
            assertThat(frr.vtysh("show bgp ipv6 unicast 2001:db8:1::/48 json")).contains("\"paths\"");
            assertThat(frr.established("::1")).isTrue();
            // Withdraw.
            Gannet.withdraw(speaker, "2001:db8:1::/48");
            assertThat(await(Duration.ofSeconds(10), () -> !frr.vtysh("show bgp ipv6 unicast 2001:db8:1::/48 json").contains("\"paths\"")))
                    .isTrue();
            frr.vtysh("configure terminal\nrouter bgp 65001\naddress-family ipv6 unicast\nno network 2001:db8:99::/48");
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "2001:db8:99::/48") == null)).isTrue();
        }
    }

    @Test
    void ebgpDynamicNeighborWithGracefulRestartAcrossASpeakerRestart() throws Exception {
        int frrPort = 17922;
        int gannetPort = 17923;
        String config = """
                frr defaults traditional
                hostname frr
                router bgp 65003
                 bgp router-id 10.0.0.3
                 bgp graceful-restart
                 no bgp ebgp-requires-policy
                 no bgp network import-check
                 neighbor 127.0.0.1 remote-as 4200000001
                 neighbor 127.0.0.1 port %d
                 neighbor 127.0.0.1 update-source 127.0.0.3
                 neighbor 127.0.0.1 disable-connected-check
                 neighbor 127.0.0.1 timers 3 9
                 neighbor 127.0.0.1 timers connect 1
                 address-family ipv4 unicast
                  network 192.0.2.0/24
                 exit-address-family
                """.formatted(gannetPort);
        // Gannet has no static peer: FRR is accepted from the 127.0.0.0/29 dynamic-neighbor range.
        PeerConfig template = PeerConfig.builder("template", addr("0.0.0.0"), 0, 4200000001L).holdTimeSeconds(9)
                .families(Set.of(AddressFamily.IPV4_UNICAST)).gracefulRestart(true).gracefulRestartSeconds(60)
                .importPolicy(Policy.ACCEPT_ALL).build();
        SpeakerConfig speakerConfig = new SpeakerConfig(4200000001L, Gannet.ROUTER_ID, addr("127.0.0.1"), gannetPort, 0, 1, List.of(),
                List.of(new SpeakerConfig.DynamicNeighborRange(addr("127.0.0.0"), 29, template, 10)));
        try (FrrDaemon frr = new FrrDaemon(config, "127.0.0.3", frrPort)) {
            BgpSpeaker<Rib> first = BgpSpeaker.start(speakerConfig, Rib::new, SpeakerOptions.defaults());
            Gannet.announce(first, "203.0.113.0/24");
            assertThat(await(Duration.ofSeconds(20), () -> frr.established("127.0.0.1"))).as("FRR log: %s", frr.log()).isTrue();
            PeerStatus dyn = first.peers().get(0);
            assertThat(dyn.name()).isEqualTo("dynamic-127.0.0.3");
            assertThat(dyn.dynamic()).isTrue();
            assertThat(dyn.remoteAs()).isEqualTo(65003);
            assertThat(await(Duration.ofSeconds(10), () -> frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json").contains("4200000001")))
                    .as(frr.vtysh("show bgp ipv4 unicast json")).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(first, "192.0.2.0/24") != null)).isTrue();

            // Graceful stop: FRR keeps our route as stale.
            first.stop(true);
            assertThat(await(Duration.ofSeconds(5), () -> frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json").contains("\"stale\":true")))
                    .as(frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json")).isTrue();

            // Restarting speaker: FRR reconnects, gets the table and End-of-RIB, the route is fresh again.
            try (BgpSpeaker<Rib> second = BgpSpeaker.start(speakerConfig, Rib::new, SpeakerOptions.defaults().withRestarting(true))) {
                Gannet.announce(second, "203.0.113.0/24");
                assertThat(await(Duration.ofSeconds(20), () -> frr.established("127.0.0.1"))).isTrue();
                assertThat(await(Duration.ofSeconds(10), () -> {
                    String r = frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json");
                    return r.contains("4200000001") && !r.contains("\"stale\":true");
                })).as(frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json")).isTrue();
                String neighbor = frr.vtysh("show bgp neighbors 127.0.0.1 json");
                assertThat(neighbor).contains("\"endOfRibRecv\":true");
            }
        }
    }
}
