package io.gannet.pod.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.linux.LibC;
import io.gannet.linux.Netns;
import io.gannet.linux.netlink.NextHop;
import io.gannet.linux.netlink.Prefix;
import io.gannet.linux.netlink.Route;
import io.gannet.linux.netlink.RouteType;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gannet's kernel routes in a namespace the test creates, checked with {@code ip route}. */
class KernelRoutesTest {
    private NetworkNamespace ns;
    private KernelRoutes routes;
    private RtNetlink probe;

    @BeforeEach
    void setUp() {
        Requirements.requireNetns();
        ns = NetworkNamespace.create("kr");
        ns.exec("ip", "link", "add", "up0", "type", "veth", "peer", "name", "up0p");
        ns.exec("ip", "addr", "add", "10.77.0.1/24", "dev", "up0");
        ns.exec("ip", "link", "set", "up0", "up");
        ns.exec("ip", "link", "set", "up0p", "up");
        probe = RtNetlink.openIn(Netns.named(ns.name()));
    }

    @AfterEach
    void tearDown() {
        if (routes != null) {
            routes.close();
        }
        if (probe != null) {
            probe.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private static InetAddress ip(String s) {
        return Prefix.literal(s);
    }

    private KernelRoutes start() {
        return KernelRoutes.start(RtNetlink.openIn(Netns.named(ns.name())), KernelRoutes.Options.defaults());
    }

    @Test
    void bgpEcmpBecomesOneMultipathRouteWithin100Ms() {
        routes = start();
        routes.podsRestored();
        long t0 = System.nanoTime();
        routes.bgp(List.of(new KernelRoutes.BgpRoute(Prefix.parse("10.60.0.0/24"), List.of(ip("10.77.0.2"), ip("10.77.0.3")))));
        Route seen = null;
        while (seen == null && System.nanoTime() - t0 < 2_000_000_000L) {
            seen = probe.routes().dump(LibC.AF_INET, 254, KernelRoutes.PROTOCOL).stream()
                    .filter(r -> r.dst().equals(Prefix.parse("10.60.0.0/24"))).findFirst().orElse(null);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(seen).isNotNull();
        assertThat(ms).as("RIB change to kernel route, ms").isLessThan(100);
        assertThat(seen.nextHops()).extracting(NextHop::gateway).containsExactlyInAnyOrder(ip("10.77.0.2"), ip("10.77.0.3"));
        assertThat(ns.exec("ip", "route", "show", "10.60.0.0/24")).contains("proto 201")
                .contains("nexthop via 10.77.0.2").contains("nexthop via 10.77.0.3");

        routes.bgp(List.of(new KernelRoutes.BgpRoute(Prefix.parse("10.60.0.0/24"), List.of(ip("10.77.0.3")))));
        routes.flush();
        assertThat(ns.exec("ip", "route", "show", "10.60.0.0/24")).contains("via 10.77.0.3").doesNotContain("10.77.0.2");
        routes.bgp(List.of(new KernelRoutes.BgpRoute(Prefix.parse("10.60.0.0/24"), List.of())));
        routes.flush();
        assertThat(ns.exec("ip", "route", "show", "10.60.0.0/24")).isBlank();
    }

    @Test
    void churnIsBatchedAndTheLastStateWins() {
        // A long window so that all 200 calls land in one batch even on a loaded machine.
        routes = KernelRoutes.start(RtNetlink.openIn(Netns.named(ns.name())),
                KernelRoutes.Options.defaults().withBatchWindow(java.time.Duration.ofSeconds(2)));
        routes.podsRestored();
        // 20,000 changes in 200 calls, each prefix flapping between one and two next hops.
        for (int round = 0; round < 2; round++) {
            for (int call = 0; call < 100; call++) {
                List<KernelRoutes.BgpRoute> batch = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = call * 100 + i;
                    List<InetAddress> hops = round == 0 ? List.of(ip("10.77.0.2")) : List.of(ip("10.77.0.2"), ip("10.77.0.4"));
                    batch.add(new KernelRoutes.BgpRoute(Prefix.parse("10.61." + (n / 256) + "." + (n % 256) + "/32"), hops));
                }
                routes.bgp(batch);
            }
        }
        routes.flush();
        List<Route> ours = probe.routes().dump(LibC.AF_INET, 254, KernelRoutes.PROTOCOL);
        assertThat(ours).hasSize(10_000).allMatch(r -> r.nextHops().size() == 2);
        // Coalescing: far fewer writes than the 20,000 changes handed in.
        assertThat(routes.writes()).isLessThan(20_000);
        assertThat(routes.failures()).isZero();
    }

    @Test
    void startReconcilesOwnRoutesOnlyAndKeepsBgpRoutesUntilConverged() {
        ns.exec("ip", "route", "add", "10.62.0.0/24", "via", "10.77.0.2", "proto", "201");  // a BGP route of the last daemon
        ns.exec("ip", "route", "add", "10.63.0.5/32", "dev", "up0", "proto", "201");         // a pod that is gone
        ns.exec("ip", "route", "add", "10.64.0.0/24", "via", "10.77.0.2", "proto", "static"); // somebody else's
        ns.exec("ip", "route", "add", "10.65.0.0/24", "via", "10.77.0.2", "proto", "bird");
        routes = start();
        routes.nodeBlock(Prefix.parse("10.63.0.0/24"));
        routes.podsRestored();
        routes.flush();
        String after = ns.exec("ip", "route", "show");
        assertThat(after).doesNotContain("10.63.0.5").contains("unreachable 10.63.0.0/24 proto 201")
                .contains("10.62.0.0/24 via 10.77.0.2 dev up0 proto 201") // graceful restart: kept for now
                .contains("10.64.0.0/24 via 10.77.0.2 dev up0 proto static").contains("10.65.0.0/24 via 10.77.0.2 dev up0 proto bird");
        routes.bgpConverged();
        routes.flush();
        assertThat(ns.exec("ip", "route", "show")).doesNotContain("10.62.0.0/24")
                .contains("proto static").contains("proto bird");
        assertThat(probe.routes().dump(LibC.AF_INET, 254, KernelRoutes.PROTOCOL)).extracting(Route::type)
                .containsExactly(RouteType.UNREACHABLE);
    }

    @Test
    void aRefusedRouteIsReportedWithItsNameAndTheRestIsWritten() {
        routes = start();
        List<String> errors = new ArrayList<>();
        routes.onError(errors::add);
        routes.podsRestored();
        routes.bgp(List.of(new KernelRoutes.BgpRoute(Prefix.parse("10.66.0.0/24"), List.of(ip("10.200.0.1"))),
                new KernelRoutes.BgpRoute(Prefix.parse("10.67.0.0/24"), List.of(ip("10.77.0.2")))));
        routes.flush();
        assertThat(errors).singleElement().asString().contains("replace route 10.66.0.0/24 via 10.200.0.1").contains("ENETUNREACH");
        assertThat(ns.exec("ip", "route", "show", "10.67.0.0/24")).contains("via 10.77.0.2");
        assertThat(routes.failures()).isEqualTo(1);
    }
}
