package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.rib.RibViews.PathView;
import io.gannet.bgp.rib.RibViews.RouteView;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.Prefix;
import org.junit.jupiter.api.Test;

/** RFC 4271 9.1.2.2 and RFC 4456 9, one case per step, each asserting the reason; then multipath. */
class BestPathTest {
    private static final String P = "10.1.0.0/24";

    private static RouteView route(RibHarness h) {
        return h.rib.route(Prefix.parse(P));
    }

    @Test
    void higherLocalPrefWins() {
        RibHarness h = new RibHarness(1);
        FakePeerLink i1 = h.up(h.peer("i1", "192.0.2.1", 65000, null));
        FakePeerLink i2 = h.up(h.peer("i2", "192.0.2.2", 65000, null));
        h.announce(i1, attrs(65009).localPref(100), P);
        h.announce(i2, attrs(65009, 65010).localPref(200), P);
        assertThat(route(h).best().peer()).isEqualTo("i2");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.LOCAL_PREF);
    }

    @Test
    void locallyOriginatedWinsOverLearned() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(), P); // even an (odd) empty AS_PATH from a peer
        h.rib.announce(LocalRoute.of(Prefix.parse(P)));
        assertThat(route(h).best().peer()).isEqualTo("local");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.LOCAL_ORIGIN);
        assertThat(a.route(P)).isNotNull(); // and a now hears our route instead
    }

    @Test
    void shorterAsPathWinsAndAnAsSetCountsOne() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001, 65005).appendSegment(AttributeType.AS_SET, 1, 2, 3), P); // length 3
        h.announce(b, attrs(65002, 65006, 65007, 65008), P);                               // length 4
        assertThat(route(h).best().peer()).isEqualTo("a");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.AS_PATH_LENGTH);
    }

    @Test
    void lowerOriginWins() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001).origin(AttributeType.ORIGIN_INCOMPLETE), P);
        h.announce(b, attrs(65002).origin(AttributeType.ORIGIN_EGP), P);
        assertThat(route(h).best().peer()).isEqualTo("b");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.ORIGIN);
    }

    @Test
    void lowerMedWinsBetweenPathsFromTheSameNeighborAs() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65001, null));
        h.announce(a, attrs(65001).med(20), P);
        h.announce(b, attrs(65001).med(10), P);
        assertThat(route(h).best().peer()).isEqualTo("b");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.MED);
    }

    @Test
    void medIsNotComparedAcrossNeighborAses() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001).med(100), P);
        h.announce(b, attrs(65002).med(10), P);
        assertThat(route(h).best().peer()).isEqualTo("a"); // lower router id 192.0.2.1
        assertThat(route(h).reason()).isEqualTo(BestPathReason.ROUTER_ID);
    }

    @Test
    void ebgpWinsOverIbgp() {
        RibHarness h = new RibHarness(1);
        FakePeerLink i = h.up(h.peer("i", "192.0.2.1", 65000, null));
        FakePeerLink e = h.up(h.peer("e", "192.0.2.2", 65001, null));
        h.announce(i, attrs(65001), P);
        h.announce(e, attrs(65001), P);
        assertThat(route(h).best().peer()).isEqualTo("e");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.EBGP_OVER_IBGP);
    }

    @Test
    void originatorIdStandsInForTheRouterId() {
        RibHarness h = new RibHarness(1);
        FakePeerLink i1 = h.up(h.peer("i1", "192.0.2.1", 65000, null));
        FakePeerLink i2 = h.up(h.peer("i2", "192.0.2.2", 65000, null));
        h.announce(i1, attrs(65009), P);                         // router id 192.0.2.1
        h.announce(i2, attrs(65009).originatorId(0x01000001), P); // reflected from 1.0.0.1
        assertThat(route(h).best().peer()).isEqualTo("i2");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.ROUTER_ID);
    }

    @Test
    void shorterClusterListWins() {
        RibHarness h = new RibHarness(1);
        FakePeerLink i1 = h.up(h.peer("i1", "192.0.2.1", 65000, null));
        FakePeerLink i2 = h.up(h.peer("i2", "192.0.2.2", 65000, null));
        h.announce(i1, attrs(65009).originatorId(0x01000001).prependClusterId(7).prependClusterId(8), P);
        h.announce(i2, attrs(65009).originatorId(0x01000001).prependClusterId(9), P);
        assertThat(route(h).best().peer()).isEqualTo("i2");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.CLUSTER_LIST_LENGTH);
    }

    @Test
    void lowerPeerAddressIsTheLastTieBreak() {
        RibHarness h = new RibHarness(1);
        FakePeerLink i2 = h.up(h.peer("i2", "192.0.2.2", 65000, null));
        FakePeerLink i1 = h.up(h.peer("i1", "192.0.2.1", 65000, null));
        h.announce(i2, attrs(65009).originatorId(0x01000001), P);
        h.announce(i1, attrs(65009).originatorId(0x01000001), P);
        assertThat(route(h).best().peer()).isEqualTo("i1");
        assertThat(route(h).reason()).isEqualTo(BestPathReason.PEER_ADDRESS);
    }

    @Test
    void singlePathIsBestForNoReasonButItself() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(65001), P);
        assertThat(route(h).reason()).isEqualTo(BestPathReason.ONLY_PATH);
    }

    @Test
    void equalPathsFormAnEcmpSetUpToMaxPaths() {
        RibHarness h = new RibHarness(4);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        FakePeerLink c = h.up(h.peer("c", "192.0.2.3", 65003, null));
        FakePeerLink d = h.up(h.peer("d", "192.0.2.4", 65004, null));
        h.announce(a, attrs(65001), P);
        h.announce(b, attrs(65002), P);
        h.announce(c, attrs(65003), P);
        h.announce(d, attrs(65004, 65005), P); // longer: not equal
        RouteView v = route(h);
        assertThat(v.best().peer()).isEqualTo("a");
        assertThat(v.reason()).isEqualTo(BestPathReason.ROUTER_ID); // the strongest competitor, b, lost there
        assertThat(v.multipath()).extracting(PathView::peer).containsExactly("a", "b", "c");
        assertThat(v.paths()).filteredOn(p -> p.peer().equals("d")).extracting(PathView::lostAt)
                .containsExactly(BestPathReason.AS_PATH_LENGTH);
        // b and c lost only at the router id: after the multipath boundary
        assertThat(v.paths()).filteredOn(p -> p.peer().equals("b")).extracting(PathView::lostAt)
                .containsExactly(BestPathReason.ROUTER_ID);
    }

    @Test
    void ecmpSetIsCappedAndRefilledWhenAMemberGoes() {
        RibHarness h = new RibHarness(2);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        FakePeerLink c = h.up(h.peer("c", "192.0.2.3", 65003, null));
        h.announce(a, attrs(65001), P);
        h.announce(b, attrs(65002), P);
        h.announce(c, attrs(65003), P);
        assertThat(route(h).multipath()).extracting(PathView::peer).containsExactly("a", "b");
        h.withdraw(a, P);
        assertThat(route(h).best().peer()).isEqualTo("b");
        assertThat(route(h).multipath()).extracting(PathView::peer).containsExactly("b", "c");
    }

    @Test
    void listenerHearsBestPathAndEcmpChanges() {
        RibHarness h = new RibHarness(2);
        java.util.List<String> heard = new java.util.ArrayList<>();
        h.rib.listen((v6, hi, lo, len, n) -> heard.add((v6 ? Prefix.ipv6(hi, lo, len) : Prefix.ipv4((int) hi, len)) + " x" + n));
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), P);
        h.announce(b, attrs(65002), P);
        h.withdraw(a, P);
        h.withdraw(b, P);
        assertThat(heard).containsExactly(P + " x1", P + " x2", P + " x1", P + " x0");
    }
}
