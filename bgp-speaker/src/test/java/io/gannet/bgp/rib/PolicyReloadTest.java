package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.policy.Action;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.policy.Condition;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.policy.Policy.Statement;
import io.gannet.bgp.policy.Policy.Verdict;
import io.gannet.bgp.policy.PrefixListEntry;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.AddressFamily;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Configuration reload of a live session ({@link Rib#peerPolicyChanged}): the session stays up,
 * export is recomputed and only differences go out, a changed import policy is re-applied from the
 * pre-policy view or by ROUTE-REFRESH (RFC 2918), and a peer that can do neither is reset.
 */
class PolicyReloadTest {
    private static Policy only(String prefix) {
        return new Policy("only-" + prefix, List.of(new Statement("list", List.of(new Condition.PrefixIn("l",
                List.of(PrefixListEntry.parse(prefix, null, null)))), List.of(), Verdict.ACCEPT)), Verdict.REJECT);
    }

    private static List<String> prefixes(List<? extends java.util.Map.Entry<io.gannet.bgp.wire.attr.Prefix, ?>> routes) {
        return routes.stream().map(e -> e.getKey().toString()).toList();
    }

    /** What the session layer does on reload: swap the link's configuration, then tell the RIB. */
    private static boolean reload(RibHarness h, FakePeerLink link, UnaryOperator<PeerConfig.Builder> change) {
        PeerConfig c = link.config;
        PeerConfig.Builder b = PeerConfig.builder(c.name(), c.address(), c.remoteAs(), c.localAs())
                .families(c.families()).importPolicy(c.importPolicy()).exportPolicy(c.exportPolicy())
                .routeReflectorClient(c.routeReflectorClient()).nextHopSelf(c.nextHopSelf())
                .maxPrefixes(c.maxPrefixes(), c.maxPrefixAction()).keepReceived(c.keepReceived());
        PeerConfig previous = link.config;
        link.config = change.apply(b).build();
        boolean applied = h.rib.peerPolicyChanged(link, link.config);
        if (!applied) {
            link.config = previous; // as the session does: the reset starts the next one with it
        }
        return applied;
    }

    @Test
    void exportPolicyChangeSendsOnlyTheDifferencesAndNoRefresh() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24", "10.2.0.0/24");
        int before = b.log.size();

        assertThat(reload(h, b, c -> c.exportPolicy(only("10.1.0.0/24")))).isTrue();
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");
        assertThat(b.log.subList(before, b.log.size())).containsExactly("UPDATE +0 -1");

        Policy tag = new Policy("tag", List.of(new Statement("all", List.of(),
                List.of(new Action.AddCommunities(List.of(Communities.parse("65000:7")))), Verdict.ACCEPT)), Verdict.REJECT);
        assertThat(reload(h, b, c -> c.exportPolicy(tag))).isTrue();
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24", "10.2.0.0/24");
        assertThat(b.route("10.2.0.0/24").communities()).containsExactly(65000 << 16 | 7);
        assertThat(a.log).noneMatch(m -> m.startsWith("RR")).noneMatch(m -> m.startsWith("UPDATE"));
        assertThat(a.resets).isEmpty();
        assertThat(b.resets).isEmpty();
        // the new export policy also decides routes that arrive later
        h.announce(a, attrs(65001), "10.3.0.0/24");
        assertThat(b.route("10.3.0.0/24").communities()).containsExactly(65000 << 16 | 7);
    }

    @Test
    void importPolicyChangeIsReappliedFromThePrePolicyView() {
        RibHarness h = new RibHarness(1);
        h.rib.keepPrePolicy(true);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.importPolicy(only("10.1.0.0/24"))));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");

        assertThat(prefixes(h.rib.receivedRoutes("a", AddressFamily.IPV4_UNICAST))).containsExactly("10.1.0.0/24", "10.2.0.0/24");
        assertThat(prefixes(h.rib.rejectedRoutes("a", AddressFamily.IPV4_UNICAST))).containsExactly("10.2.0.0/24");

        assertThat(reload(h, a, c -> c.importPolicy(only("10.2.0.0/24")))).isTrue();
        assertThat(b.routes).containsOnlyKeys("10.2.0.0/24");
        assertThat(prefixes(h.rib.rejectedRoutes("a", AddressFamily.IPV4_UNICAST))).as("the other one now")
                .containsExactly("10.1.0.0/24");
        h.withdraw(a, "10.1.0.0/24");
        assertThat(h.rib.rejectedRoutes("a", AddressFamily.IPV4_UNICAST)).as("a withdrawn route is no longer rejected").isEmpty();
        assertThat(h.rib.rejectedRoutes("b", AddressFamily.IPV4_UNICAST)).isEmpty();
        assertThat(h.rib.rejectedRoutes("nobody", AddressFamily.IPV4_UNICAST)).isEmpty();
        assertThat(h.rib.peerCounters("a").accepted()).isEqualTo(1);
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(1); // nothing re-received; one withdrawn
        assertThat(a.log).noneMatch(m -> m.startsWith("RR"));
        h.rib.peerDown(a, false);
        h.rib.peerDown(b, false);
        assertThat(h.rib.prefixSlots(0)).isZero();
        assertThat(h.rib.attributeSets()).isZero();
    }

    @Test
    void keepReceivedIsPerPeerFilledByARefreshWhenTurnedOnAndDroppedWhenTurnedOff() {
        AddressFamily v4 = AddressFamily.IPV4_UNICAST;
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.importPolicy(only("10.1.0.0/24"))));
        FakePeerLink k = h.up(h.peer("k", "192.0.2.3", 65003, c -> c.importPolicy(only("10.1.0.0/24")).keepReceived(true)));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        h.announce(k, attrs(65003), "10.1.0.0/24", "10.2.0.0/24");
        assertThat(h.rib.keepsReceived("a")).isFalse();
        assertThat(h.rib.receivedRoutes("a", v4)).as("not kept: nothing to show").isEmpty();
        assertThat(h.rib.keepsReceived("k")).isTrue();
        assertThat(prefixes(h.rib.rejectedRoutes("k", v4))).containsExactly("10.2.0.0/24");
        assertThat(h.rib.keepsReceived("nobody")).isFalse();

        // On: the peer is asked to resend (RFC 2918), and what it resends is kept.
        assertThat(reload(h, a, c -> c.keepReceived(true))).isTrue();
        assertThat(a.log).filteredOn(m -> m.startsWith("RR")).containsExactly("RR subtype=0 1/1", "RR subtype=0 2/1");
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        assertThat(prefixes(h.rib.receivedRoutes("a", v4))).containsExactly("10.1.0.0/24", "10.2.0.0/24");
        assertThat(prefixes(h.rib.rejectedRoutes("a", v4))).containsExactly("10.2.0.0/24");

        // Off: dropped at once, without a refresh; the routes themselves stay.
        assertThat(reload(h, k, c -> c.keepReceived(false))).isTrue();
        assertThat(h.rib.keepsReceived("k")).isFalse();
        assertThat(h.rib.receivedRoutes("k", v4)).isEmpty();
        assertThat(k.log).noneMatch(m -> m.startsWith("RR"));
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");
        // ... and a later import policy change asks k to resend, as for any peer that keeps nothing.
        assertThat(reload(h, k, c -> c.importPolicy(only("10.2.0.0/24")))).isTrue();
        assertThat(k.log).filteredOn(m -> m.startsWith("RR")).hasSize(2);
        assertThat(a.resets).isEmpty();
        assertThat(k.resets).isEmpty();

        h.rib.peerDown(a, false);
        h.rib.peerDown(k, false);
        h.rib.peerDown(b, false);
        assertThat(h.rib.prefixSlots(0)).isZero();
        assertThat(h.rib.attributeSets()).as("the dropped view released its attributes").isZero();
    }

    @Test
    void importPolicyChangeWithoutPrePolicyViewAsksThePeerToResend() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        h.announce(a, attrs(65001), "2001:db8:1::/48");

        assertThat(reload(h, a, c -> c.importPolicy(only("10.1.0.0/24")))).isTrue();
        assertThat(a.log).filteredOn(m -> m.startsWith("RR"))
                .containsExactly("RR subtype=0 1/1", "RR subtype=0 2/1"); // RFC 2918, each family
        // the peer re-sends its table (as BIRD or FRR would): the new policy decides each route
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        h.announce(a, attrs(65001), "2001:db8:1::/48");
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");

        // an equal policy rebuilt by a reload is no change: no second refresh
        assertThat(reload(h, a, c -> c.importPolicy(only("10.1.0.0/24")))).isTrue();
        assertThat(a.log).filteredOn(m -> m.startsWith("RR")).hasSize(2);
        assertThat(a.resets).isEmpty();
    }

    @Test
    void importPolicyChangeOnAPeerThatCannotRefreshResetsTheSessionAndChangesNothing() {
        RibHarness h = new RibHarness(1);
        PeerConfig config = PeerConfig.builder("a", RibHarness.ip("192.0.2.1"), 65001, RibHarness.LOCAL_AS)
                .importPolicy(Policy.ACCEPT_ALL).exportPolicy(Policy.ACCEPT_ALL).build();
        Negotiated noRefresh = new Negotiated(true, Set.of(AddressFamily.IPV4_UNICAST), false, false, false, null, 90,
                RibHarness.LOCAL_AS, 65001, RibHarness.ROUTER_ID, 0xc0000201L);
        FakePeerLink a = h.up(new FakePeerLink(7, config, noRefresh, RibHarness.ip("192.0.2.254")));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");

        assertThat(reload(h, a, c -> c.importPolicy(Policy.REJECT_ALL).exportPolicy(Policy.REJECT_ALL))).isFalse();
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");
        h.announce(a, attrs(65001), "10.2.0.0/24"); // still the old import policy
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24", "10.2.0.0/24");
        // an export-only change needs no refresh, so it applies even here
        assertThat(reload(h, a, c -> c.exportPolicy(Policy.REJECT_ALL))).isTrue();
    }

    @Test
    void routeReflectorClientChangeRecomputesWhatIsReflectedToOtherPeers() {
        RibHarness h = new RibHarness(1);
        FakePeerLink x = h.up(h.peer("x", "192.0.2.1", RibHarness.LOCAL_AS, null));
        FakePeerLink y = h.up(h.peer("y", "192.0.2.2", RibHarness.LOCAL_AS, null));
        h.announce(x, attrs(), "10.1.0.0/24");
        assertThat(y.routes).isEmpty(); // RFC 4271 9.2: no iBGP to iBGP

        assertThat(reload(h, x, c -> c.routeReflectorClient(true))).isTrue();
        assertThat(y.routes).containsOnlyKeys("10.1.0.0/24"); // RFC 4456 8: a client's route is reflected
        assertThat(y.route("10.1.0.0/24").originatorId()).isEqualTo(0xc0000201); // x's router id

        assertThat(reload(h, x, c -> c.routeReflectorClient(false))).isTrue();
        assertThat(y.routes).isEmpty();
        assertThat(x.resets).isEmpty();
        assertThat(y.resets).isEmpty();
    }

    @Test
    void nextHopSelfChangeRewritesTheNextHopTowardsAnIbgpPeer() {
        RibHarness h = new RibHarness(1);
        FakePeerLink e = h.up(h.peer("e", "192.0.2.1", 65001, null));
        FakePeerLink i = h.up(h.peer("i", "192.0.2.2", RibHarness.LOCAL_AS, null));
        h.announce(e, attrs(65001), "10.1.0.0/24");
        assertThat(i.route("10.1.0.0/24").nextHop()).isEqualTo(0xc6336401); // unchanged towards iBGP

        assertThat(reload(h, i, c -> c.nextHopSelf(true))).isTrue();
        assertThat(i.route("10.1.0.0/24").nextHop()).isEqualTo(0xc00002fe); // our address on the session
    }

    @Test
    void maxPrefixLoweredBelowWhatThePeerHoldsActsAsIfCrossed() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24");

        assertThat(reload(h, a, c -> c.maxPrefixes(2, PeerConfig.MaxPrefixAction.WARN))).isTrue();
        assertThat(a.resets).isEmpty();
        assertThat(reload(h, a, c -> c.maxPrefixes(10, PeerConfig.MaxPrefixAction.RESTART))).isTrue();
        assertThat(a.resets).isEmpty();
        assertThat(reload(h, a, c -> c.maxPrefixes(2, PeerConfig.MaxPrefixAction.RESTART))).isTrue();
        // Cease / Maximum Number of Prefixes Reached, AFI 1 SAFI 1, limit 2 (RFC 4486 4)
        assertThat(a.resets).containsExactly("6/1 00 01 01 00 00 00 02");
    }

    @Test
    void unknownOrStaleLinkIsNotApplied() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.peer("a", "192.0.2.1", 65001, null); // never established
        assertThat(h.rib.peerPolicyChanged(a, a.config)).isFalse();
        h.up(a);
        h.rib.peerDown(a, false);
        assertThat(h.rib.peerPolicyChanged(a, a.config)).isFalse();
    }
}
