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
import io.gannet.bgp.rib.RibViews;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.testsupport.Requirements;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8950 against FRR 8.4's bgpd (no zebra) on ::1, ports 17970-17971: an IPv6 session that
 * carries IPv4 unicast negotiates the Extended Next Hop capability, and IPv4 routes travel both
 * ways in MP_REACH_NLRI with an IPv6 next hop (FRR's {@code capability extended-nexthop}).
 */
class FrrExtendedNextHopTest {
    @BeforeAll
    static void requirements() {
        Requirements.requireCommand(FrrDaemon.BGPD);
        Requirements.requireCommand("vtysh");
    }

    @Test
    void ipv4RoutesWithIpv6NextHopsBothWaysOverAnIpv6Session() throws Exception {
        int frrPort = 17970;
        int gannetPort = 17971;
        String config = """
                frr defaults traditional
                hostname frr
                router bgp 65001
                 bgp router-id 10.0.0.3
                 no bgp ebgp-requires-policy
                 no bgp network import-check
                 neighbor ::1 remote-as 65002
                 neighbor ::1 port %d
                 neighbor ::1 timers 3 9
                 neighbor ::1 timers connect 1
                 neighbor ::1 capability extended-nexthop
                 address-family ipv4 unicast
                  neighbor ::1 activate
                  neighbor ::1 route-map v6-next-hop out
                  network 10.99.0.0/16
                 exit-address-family
                route-map v6-next-hop permit 10
                 set ipv6 next-hop global 2001:db8::99
                """.formatted(gannetPort);
        PeerConfig peer = PeerConfig.builder("frr", addr("::1"), 65001, 65002).port(frrPort).holdTimeSeconds(9)
                .connectRetrySeconds(1).families(Set.of(AddressFamily.IPV4_UNICAST)).importPolicy(Policy.ACCEPT_ALL).build();
        try (FrrDaemon frr = new FrrDaemon(config, "::1", frrPort);
             BgpSpeaker<Rib> speaker = Gannet.start(addr("::1"), gannetPort, peer, SpeakerOptions.defaults())) {
            speaker.call(() -> {
                speaker.routes().announce(LocalRoute.of(Prefix.parse("10.1.0.0/16")).withNextHop(Gannet.DOC_NEXT_HOP6));
                return null;
            });
            assertThat(await(Duration.ofSeconds(20), () -> frr.established("::1"))).as("FRR log: %s", frr.log()).isTrue();
            assertThat(speaker.peer("frr").negotiated().extendedNextHop4()).isTrue();
            assertThat(frr.vtysh("show bgp neighbors ::1 json")).containsPattern("\"extendedNexthop\":\\s*\"advertisedAndReceived\"");

            // Gannet -> FRR: the IPv4 prefix with our IPv6 next hop.
            assertThat(await(Duration.ofSeconds(10), () -> frr.vtysh("show bgp ipv4 unicast 10.1.0.0/16 json").contains("\"paths\"")))
                    .as(frr.vtysh("show bgp ipv4 unicast json")).isTrue();
            String path = frr.vtysh("show bgp ipv4 unicast 10.1.0.0/16 json");
            assertThat(path).contains("\"ip\":\"2001:db8::1\"").contains("\"afi\":\"ipv6\"");

            // FRR -> Gannet: the IPv4 prefix arrives with FRR's IPv6 next hop.
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "10.99.0.0/16") != null))
                    .as("Gannet's routes: %s", speaker.call(() -> speaker.routes().routes(AddressFamily.IPV4_UNICAST))).isTrue();
            RibViews.RouteView got = Gannet.route(speaker, "10.99.0.0/16");
            assertThat(got.toString()).contains("next-hop6=2001:db8:0:0:0:0:0:99").doesNotContain(" next-hop=");

            // Withdrawals both ways.
            Gannet.withdraw(speaker, "10.1.0.0/16");
            assertThat(await(Duration.ofSeconds(10), () -> !frr.vtysh("show bgp ipv4 unicast 10.1.0.0/16 json").contains("\"paths\"")))
                    .isTrue();
            frr.vtysh("configure terminal\nrouter bgp 65001\naddress-family ipv4 unicast\nno network 10.99.0.0/16");
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "10.99.0.0/16") == null)).isTrue();
            assertThat(frr.established("::1")).isTrue();
        }
    }
}
