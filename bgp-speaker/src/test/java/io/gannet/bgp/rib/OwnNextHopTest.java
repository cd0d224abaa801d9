package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static io.gannet.bgp.rib.RibHarness.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.wire.attr.Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4271 6.3: a route whose NEXT_HOP is one of our own addresses is logged and ignored, the session stays. */
class OwnNextHopTest {
    @Test
    void nextHopOnTheSessionsLocalAddressIsIgnoredWithoutANotification() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");
        assertThat(b.routes).containsKey("10.1.0.0/24");
        // 192.0.2.254 is our end of the session with a: the route now points at us.
        h.announce(a, attrs(65001).nextHop(0xc00002fe), "10.1.0.0/24", "10.2.0.0/24");
        assertThat(h.rib.route(Prefix.parse("10.1.0.0/24"))).isNull();
        assertThat(h.rib.route(Prefix.parse("10.2.0.0/24"))).isNull();
        assertThat(b.routes).doesNotContainKeys("10.1.0.0/24", "10.2.0.0/24");
        assertThat(a.resets).isEmpty();
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(2); // received, not accepted
        assertThat(h.rib.peerCounters("a").accepted()).isZero();
        h.announce(a, attrs(65001), "10.2.0.0/24");
        assertThat(b.routes).containsKey("10.2.0.0/24"); // the session carries on
    }

    @Test
    void nextHopOnAnyAddressOfTheHostIsIgnored() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        // Read from this namespace's interfaces when the session came up: lo holds 127.0.0.1.
        h.announce(a, attrs(65001).nextHop(0x7f000001), "10.1.0.0/24");
        assertThat(h.rib.route(Prefix.parse("10.1.0.0/24"))).isNull();
        h.rib.localAddresses(LocalAddresses.of(List.of(ip("198.51.100.7"), ip("2001:db8:7::7"))));
        h.announce(a, attrs(65001).nextHop(0xc6336407), "10.3.0.0/24");
        h.announce(a, attrs(65001).nextHop6(ip("2001:db8:7::7").getAddress()), "2001:db8:aa::/48");
        h.announce(a, attrs(65001), "10.4.0.0/24");
        assertThat(h.rib.route(Prefix.parse("10.3.0.0/24"))).isNull();
        assertThat(h.rib.route(Prefix.parse("2001:db8:aa::/48"))).isNull();
        assertThat(h.rib.route(Prefix.parse("10.4.0.0/24"))).isNotNull();
        assertThat(a.resets).isEmpty();
    }

    @Test
    void ipv6NextHopOnTheSessionsLocalAddressIsIgnored() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "2001:db8::2", 65001, null));
        h.announce(a, attrs(65001).nextHop6(ip("2001:db8:ffff::1").getAddress()), "2001:db8:1::/48");
        assertThat(h.rib.route(Prefix.parse("2001:db8:1::/48"))).isNull();
        h.announce(a, attrs(65001).nextHop6(ip("2001:db8:ffff::2").getAddress()), "2001:db8:1::/48");
        assertThat(h.rib.route(Prefix.parse("2001:db8:1::/48"))).isNotNull();
        assertThat(a.resets).isEmpty();
    }
}
