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
 * RFC 8538 (graceful restart for NOTIFICATION, the N bit) and DelayOpen (RFC 4271 8.1.1)
 * against a real FRR bgpd that does both, on loopback, ports 17960-17961: both sides delay
 * their OPEN; an Administrative Reset from either side keeps the routes as stale instead of
 * withdrawing them; an Administrative Shutdown goes out as a Hard Reset and FRR drops our routes.
 */
class FrrGracefulNotificationTest {
    @BeforeAll
    static void requirements() {
        Requirements.requireCommand(FrrDaemon.BGPD);
        Requirements.requireCommand("vtysh");
    }

    @Test
    void notificationsKeepRoutesAsStaleWithTheNBitAndDelayOpenInteroperates() throws Exception {
        int frrPort = 17960;
        int gannetPort = 17961;
        String config = """
                frr defaults traditional
                hostname frr
                router bgp 65003
                 bgp router-id 10.0.0.3
                 bgp graceful-restart
                 bgp graceful-restart notification
                 no bgp hard-administrative-reset
                 no bgp ebgp-requires-policy
                 no bgp network import-check
                 neighbor 127.0.0.1 remote-as 65001
                 neighbor 127.0.0.1 port %d
                 neighbor 127.0.0.1 update-source 127.0.0.3
                 neighbor 127.0.0.1 disable-connected-check
                 neighbor 127.0.0.1 timers 3 9
                 neighbor 127.0.0.1 timers connect 1
                 neighbor 127.0.0.1 timers delayopen 4
                 address-family ipv4 unicast
                  network 192.0.2.0/24
                 exit-address-family
                """.formatted(gannetPort);
        PeerConfig peer = PeerConfig.builder("frr", addr("127.0.0.3"), 65003, 65001).port(frrPort).holdTimeSeconds(9)
                .connectRetrySeconds(1).families(Set.of(AddressFamily.IPV4_UNICAST)).gracefulRestart(true)
                .gracefulRestartSeconds(60).importPolicy(Policy.ACCEPT_ALL).delayOpenSeconds(2).build();
        try (FrrDaemon frr = new FrrDaemon(config, "127.0.0.3", frrPort);
             BgpSpeaker<Rib> speaker = Gannet.start(addr("127.0.0.1"), gannetPort, peer, SpeakerOptions.defaults())) {
            Gannet.announce(speaker, "203.0.113.0/24");
            // Both sides hold their OPEN back (FRR 4 s, us 2 s); ours goes first and FRR answers.
            assertThat(await(Duration.ofSeconds(30), () -> frr.established("127.0.0.1"))).as("FRR log: %s", frr.log()).isTrue();
            assertThat(speaker.peer("frr").negotiated().gracefulNotification()).as("both set the N bit").isTrue();
            String neighbor = frr.vtysh("show bgp neighbors 127.0.0.1 json");
            assertThat(neighbor).contains("\"bgpTimerDelayOpenTimeMsecs\":4000");
            assertThat(await(Duration.ofSeconds(10), () -> frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json").contains("65001")))
                    .isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> Gannet.route(speaker, "192.0.2.0/24") != null)).isTrue();

            // We reset the session (Cease / Administrative Reset): FRR keeps our route as stale.
            speaker.reset("frr", "soft reset");
            assertThat(await(Duration.ofSeconds(5), () -> frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json").contains("\"stale\":true")))
                    .as(frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json") + frr.log()).isTrue();
            assertThat(await(Duration.ofSeconds(30), () -> frr.established("127.0.0.1")
                    && !frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json").contains("\"stale\":true")
                    && frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json").contains("65001"))).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> speaker.peer("frr").state() == SessionState.ESTABLISHED)).isTrue();

            // FRR resets the session (its Administrative Reset, not a Hard Reset): we keep its route as stale.
            frr.vtysh("clear bgp ipv4 unicast 127.0.0.1");
            assertThat(await(Duration.ofSeconds(5), () -> {
                RibViews.RouteView r = Gannet.route(speaker, "192.0.2.0/24");
                return r != null && r.paths().stream().anyMatch(RibViews.PathView::stale);
            })).as("FRR's route kept as stale").isTrue();
            assertThat(await(Duration.ofSeconds(30), () -> {
                RibViews.RouteView r = Gannet.route(speaker, "192.0.2.0/24");
                return speaker.peer("frr").state() == SessionState.ESTABLISHED && r != null
                        && r.paths().stream().noneMatch(RibViews.PathView::stale);
            })).as("refreshed after the new session's End-of-RIB").isTrue();

            // Administrative Shutdown goes out as a Hard Reset: FRR drops our route at once.
            speaker.disable("frr", "maintenance");
            assertThat(await(Duration.ofSeconds(5), () -> !frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json").contains("65001")))
                    .as(frr.vtysh("show bgp ipv4 unicast 203.0.113.0/24 json")).isTrue();
            // FRR unwraps the Hard Reset (RFC 8538 3) and shows the NOTIFICATION it carried.
            assertThat(frr.vtysh("show bgp neighbors 127.0.0.1 json")).contains("\"lastNotificationHardReset\":true")
                    .contains("Cease\\/Administrative Shutdown");
        }
    }
}
