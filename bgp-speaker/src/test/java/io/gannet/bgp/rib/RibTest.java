package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.config.PeerConfig.MaxPrefixAction;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.RibViews.PathView;
import io.gannet.bgp.rib.RibViews.RouteView;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The RIB end to end with fake sessions: import, best path, export rules, packing, GR, refresh, max-prefix. */
class RibTest {
    private static final int NEXT_HOP_SELF_V4 = 0xc00002fe; // 192.0.2.254, the fake links' local address

    /** BIRD's import update counts: rejected (invalid), filtered (policy), ignored (nothing changed), accepted. */
    @Test
    void importUpdatesAreCountedAsBirdCountsThem() {
        RibHarness h = new RibHarness(1);
        io.gannet.bgp.policy.Policy onlyTen = new io.gannet.bgp.policy.Policy("only-10", java.util.List.of(
                new io.gannet.bgp.policy.Policy.Statement("ten",
                        java.util.List.of(new io.gannet.bgp.policy.Condition.PrefixIn("l",
                                java.util.List.of(io.gannet.bgp.policy.PrefixListEntry.parse("10.0.0.0/8", null, 32)))),
                        java.util.List.of(), io.gannet.bgp.policy.Policy.Verdict.ACCEPT)),
                io.gannet.bgp.policy.Policy.Verdict.REJECT);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.importPolicy(onlyTen)));
        h.announce(a, attrs(65001), "10.1.0.0/24");              // accepted
        h.announce(a, attrs(65001), "10.1.0.0/24");              // the same again: ignored
        h.announce(a, attrs(65001).med(5), "10.1.0.0/24");       // changed: accepted
        h.announce(a, attrs(65001), "172.16.0.0/24");            // import policy: filtered
        h.announce(a, attrs(65001, 65000), "10.2.0.0/24");       // our own AS in the path: rejected
        assertThat(h.rib.peerCounters("a").changes()).isEqualTo(new RibViews.PeerCounters.Changes(5, 1, 1, 1, 2, 0, 0, 0, 0));
    }

    @Test
    void ebgpRouteIsPropagatedWithPrependNextHopSelfAndNoMedOrLocalPref() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        assertThat(b.log).containsExactly("EoR 1/1", "EoR 2/1"); // empty table, then End-of-RIB per family
        h.announce(a, attrs(65001).med(50).addCommunity(65001 << 16 | 7), "10.1.0.0/24", "10.2.0.0/24");
        PathAttributes out = b.route("10.1.0.0/24");
        assertThat(out.asPathSegments()).containsExactly(2, 2, 65000, 65001);
        assertThat(out.nextHop()).isEqualTo(NEXT_HOP_SELF_V4);
        assertThat(out.has(PathAttributes.HAS_MED)).isFalse();
        assertThat(out.has(PathAttributes.HAS_LOCAL_PREF)).isFalse();
        assertThat(out.communities()).containsExactly(65001 << 16 | 7);
        assertThat(b.log).endsWith("UPDATE +2 -0"); // both prefixes packed into one UPDATE
        assertThat(a.routes).isEmpty(); // never sent back to the peer it came from
        h.withdraw(a, "10.1.0.0/24");
        assertThat(b.routes).containsOnlyKeys("10.2.0.0/24");
        // received: 10.2.0.0/24 only, 10.1.0.0/24 was withdrawn (pre-policy Adj-RIB-In size)
        // preferred: a's path is the best for 10.2.0.0/24; changes: 2 updates received and accepted,
        // 1 withdraw received and accepted, nothing exported to a (issue 9: these were constants)
        assertThat(h.rib.peerCounters("a")).isEqualTo(new RibViews.PeerCounters("a", 1, 1, 0, true, 1,
                new RibViews.PeerCounters.Changes(2, 0, 0, 0, 2, 1, 1, 0, 0)));
        assertThat(h.rib.peerCounters("b").advertised()).isEqualTo(1);
        assertThat(h.rib.peerCounters("b").changes().exportUpdates()).isEqualTo(2);
        assertThat(h.rib.peerCounters("b").changes().exportWithdraws()).isEqualTo(1);
        assertThat(h.rib.peerCounters("b").preferred()).isZero();
    }

    @Test
    void wholeTableThenEndOfRibWhenAPeerComesUp() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24");
        h.announce(a, attrs(65001), "2001:db8:1::/48");
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        assertThat(b.log).containsExactly("UPDATE +3 -0", "EoR 1/1", "UPDATE +1 -0", "EoR 2/1");
        // IPv6 over an IPv4 session: next hop self as an IPv4-mapped address
        assertThat(io.netty.buffer.ByteBufUtil.hexDump(b.route("2001:db8:1:0:0:0:0:0/48").nextHop6()))
                .isEqualTo("00000000000000000000ffffc00002fe");
    }

    @Test
    void defaultPoliciesLearnNothingAndExportOnlyLocalRoutes() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001,
                c -> c.importPolicy(Policy.REJECT_ALL).exportPolicy(Policy.EXPORT_LOCAL_ONLY)));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, c -> c.exportPolicy(Policy.EXPORT_LOCAL_ONLY)));
        FakePeerLink c = h.up(h.peer("c", "192.0.2.3", 65003, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(1);
        assertThat(h.rib.peerCounters("a").accepted()).isZero();
        h.announce(c, attrs(65003), "10.3.0.0/24");
        assertThat(b.routes).isEmpty(); // learned, not originated: not exported
        h.rib.announce(LocalRoute.of(Prefix.parse("10.244.1.0/24")));
        assertThat(b.routes).containsOnlyKeys("10.244.1.0/24");
        assertThat(a.routes).containsOnlyKeys("10.244.1.0/24");
        assertThat(a.route("10.244.1.0/24").asPathSegments()).containsExactly(2, 1, 65000);
        assertThat(h.rib.withdraw(Prefix.parse("10.244.1.0/24"))).isTrue();
        assertThat(b.routes).isEmpty();
    }

    @Test
    void rejectsPathsWithOurOwnAs() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(65001, 65000, 65009), "10.1.0.0/24");
        assertThat(h.rib.route(Prefix.parse("10.1.0.0/24"))).isNull();
        assertThat(h.rib.peerCounters("a").accepted()).isZero();
    }

    @Test
    void ibgpRoutesAreNotReadvertisedToIbgpPeersWithoutReflection() {
        RibHarness h = new RibHarness(1);
        FakePeerLink i1 = h.up(h.peer("i1", "192.0.2.1", 65000, null));
        FakePeerLink i2 = h.up(h.peer("i2", "192.0.2.2", 65000, null));
        FakePeerLink e = h.up(h.peer("e", "192.0.2.3", 65003, null));
        h.announce(i1, attrs().localPref(200), "10.1.0.0/24");
        assertThat(i2.routes).isEmpty();
        assertThat(e.route("10.1.0.0/24").asPathSegments()).containsExactly(2, 1, 65000);
        h.announce(e, attrs(65003).med(5), "10.3.0.0/24");
        PathAttributes toIbgp = i2.route("10.3.0.0/24");
        assertThat(toIbgp.localPref()).isEqualTo(100); // LOCAL_PREF always sent to internal peers
        assertThat(toIbgp.nextHop()).isEqualTo(0xc6336401); // iBGP keeps the eBGP next hop
        assertThat(toIbgp.med()).isEqualTo(5);
        assertThat(toIbgp.asPathSegments()).containsExactly(2, 1, 65003);
    }

    @Test
    void routeReflectorReflectsWithOriginatorIdAndClusterListAndDropsItsOwnLoops() {
        RibHarness h = new RibHarness(1, 65000, 0x01010101L);
        FakePeerLink client = h.up(h.peer("client", "192.0.2.1", 65000, c -> c.routeReflectorClient(true)));
        FakePeerLink nonClient = h.up(h.peer("non-client", "192.0.2.2", 65000, null));
        FakePeerLink client2 = h.up(h.peer("client2", "192.0.2.3", 65000, c -> c.routeReflectorClient(true)));
        h.announce(client, attrs(), "10.1.0.0/24");
        PathAttributes reflected = nonClient.route("10.1.0.0/24");
        assertThat(reflected.originatorId()).isEqualTo(0xc0000201); // the client's router id
        assertThat(reflected.clusterList()).containsExactly(0x01010101);
        assertThat(client2.route("10.1.0.0/24")).isNotNull();
        // from a non-client: only to clients (RFC 4456 6)
        h.announce(nonClient, attrs(), "10.2.0.0/24");
        assertThat(client.route("10.2.0.0/24")).isNotNull();
        assertThat(client2.route("10.2.0.0/24")).isNotNull();
        // CLUSTER_LIST already holding our cluster id: a loop (RFC 4456 8)
        h.announce(nonClient, attrs().originatorId(0x0a0a0a0a).prependClusterId(0x01010101), "10.3.0.0/24");
        assertThat(h.rib.route(Prefix.parse("10.3.0.0/24"))).isNull();
        // our own ORIGINATOR_ID: a loop
        h.announce(nonClient, attrs().originatorId((int) RibHarness.ROUTER_ID), "10.4.0.0/24");
        assertThat(h.rib.route(Prefix.parse("10.4.0.0/24"))).isNull();
    }

    @Test
    void wellKnownCommunitiesLimitExport() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink e = h.up(h.peer("e", "192.0.2.2", 65002, null));
        FakePeerLink i = h.up(h.peer("i", "192.0.2.3", 65000, null));
        h.announce(a, attrs(65001).addCommunity(AttributeType.NO_EXPORT), "10.1.0.0/24");
        h.announce(a, attrs(65001).addCommunity(AttributeType.NO_ADVERTISE), "10.2.0.0/24");
        h.announce(a, attrs(65001).addCommunity(AttributeType.NO_EXPORT_SUBCONFED), "10.3.0.0/24");
        assertThat(e.routes).isEmpty();
        assertThat(i.routes).containsOnlyKeys("10.1.0.0/24", "10.3.0.0/24");
    }

    @Test
    void ourOwnRoutesTaggedNoExportGoToEbgpPeersWithTheCommunity() {
        RibHarness h = new RibHarness(1);
        FakePeerLink e = h.up(h.peer("e", "192.0.2.2", 65002, null));
        FakePeerLink i = h.up(h.peer("i", "192.0.2.3", 65000, null));
        // As the ebgp-leaf example tags VIPs, and as `gannet announce --community no-export` does.
        h.rib.announce(LocalRoute.of(Prefix.parse("203.0.113.10/32")).withCommunities(List.of(AttributeType.NO_EXPORT)));
        h.rib.announce(LocalRoute.of(Prefix.parse("203.0.113.11/32"))
                .withCommunities(List.of(AttributeType.NO_ADVERTISE, AttributeType.NO_EXPORT_SUBCONFED)));
        assertThat(e.routes).containsOnlyKeys("203.0.113.10/32", "203.0.113.11/32");
        assertThat(e.route("203.0.113.10/32").communities()).containsExactly(AttributeType.NO_EXPORT);
        assertThat(e.route("203.0.113.11/32").communities())
                .containsExactlyInAnyOrder(AttributeType.NO_ADVERTISE, AttributeType.NO_EXPORT_SUBCONFED);
        assertThat(i.route("203.0.113.10/32").communities()).containsExactly(AttributeType.NO_EXPORT);
        // A peer's NO_EXPORT keeps its RFC 1997 meaning: not passed to another AS.
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(65001).addCommunity(AttributeType.NO_EXPORT), "10.1.0.0/24");
        assertThat(e.routes).doesNotContainKey("10.1.0.0/24");
        assertThat(i.routes).containsKey("10.1.0.0/24");
    }

    @Test
    void confederationSegmentsAreNeverSentToAnExternalPeer() {
        RibHarness h = new RibHarness(1);
        FakePeerLink i = h.up(h.peer("i", "192.0.2.1", 65000, null));
        FakePeerLink e = h.up(h.peer("e", "192.0.2.2", 65002, null));
        AttributesBuilder b = new AttributesBuilder().origin(AttributeType.ORIGIN_IGP)
                .appendSegment(AttributeType.AS_CONFED_SEQUENCE, 65010, 65011)
                .appendSegment(AttributeType.AS_SEQUENCE, 65020)
                .appendSegment(AttributeType.AS_CONFED_SET, 65012)
                .nextHop(0xc6336401);
        h.announce(i, b, "10.1.0.0/24");
        assertThat(e.route("10.1.0.0/24").asPathSegments()).containsExactly(2, 2, 65000, 65020); // RFC 5065 4.1 c
    }

    @Test
    void ipv6NextHopSelfCarriesOurLinkLocalAddressToAPeerOnTheLink() {
        RibHarness h = new RibHarness(1);
        byte[] linkLocal = RibHarness.ip("fe80::1:2").getAddress();
        // The peer at 2001:db8::2 shares our link; the one at 2001:db8:9::2 is routed.
        h.rib.linkLocalFinder = (local, remote) -> remote.getHostAddress().startsWith("2001:db8:0:") ? linkLocal : null;
        FakePeerLink onLink = h.up(h.peer("on-link", "2001:db8::2", 65002, null));
        FakePeerLink routed = h.up(h.peer("routed", "2001:db8:9::2", 65003, null));
        h.rib.announce(LocalRoute.of(Prefix.parse("2001:db8:aa::/48")));
        byte[] nh = onLink.route("2001:db8:aa:0:0:0:0:0/48").nextHop6();
        assertThat(nh).hasSize(32); // RFC 2545 3: global, then link-local
        assertThat(java.util.Arrays.copyOfRange(nh, 0, 16)).isEqualTo(RibHarness.ip("2001:db8:ffff::1").getAddress());
        assertThat(java.util.Arrays.copyOfRange(nh, 16, 32)).isEqualTo(linkLocal);
        assertThat(routed.route("2001:db8:aa:0:0:0:0:0/48").nextHop6()).hasSize(16);
    }

    @Test
    void theLinkLocalAddressIsFoundOnTheInterfaceThatHoldsTheSessionsAddress() {
        // Loopback has no link: never a link-local next hop there.
        assertThat(LinkLocalNextHop.find(RibHarness.ip("::1"), RibHarness.ip("::1"))).isNull();
        assertThat(LinkLocalNextHop.samePrefix(RibHarness.ip("2001:db8::1").getAddress(),
                RibHarness.ip("2001:db8::ffff").getAddress(), 64)).isTrue();
        assertThat(LinkLocalNextHop.samePrefix(RibHarness.ip("2001:db8::1").getAddress(),
                RibHarness.ip("2001:db8:0:1::1").getAddress(), 64)).isFalse();
        assertThat(LinkLocalNextHop.samePrefix(RibHarness.ip("2001:db8::1").getAddress(),
                RibHarness.ip("2001:db8:0:1::1").getAddress(), 63)).isTrue();
    }

    @Test
    void packsLargeTablesIntoFullUpdates() {
        RibHarness h = new RibHarness(1);
        List<Runnable> loop = new java.util.ArrayList<>();
        h.rib.deferExports(loop::add); // exports wait until the "loop" has read everything
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        String[] prefixes = new String[6_000];
        for (int i = 0; i < prefixes.length; i++) {
            prefixes[i] = "10." + (i >> 8) + "." + (i & 255) + ".0/24";
        }
        h.announce(a, attrs(65001), prefixes);
        assertThat(loop).hasSize(1); // one export task for all six UPDATEs
        assertThat(b.routes).isEmpty();
        loop.remove(0).run();
        assertThat(b.routes).hasSize(6_000);
        // attributes towards b: ORIGIN 4 + AS_PATH 3+2+8 + NEXT_HOP 7 = 24 octets; 19+2+2+24 = 47 of overhead.
        int perMessage = (4096 - 47) / 4;
        assertThat(b.updates - 2).isEqualTo((6_000 + perMessage - 1) / perMessage); // minus the two End-of-RIBs
        assertThat(b.maxMessage).isLessThanOrEqualTo(4096);
        assertThat(h.rib.attributeSets()).isEqualTo(1); // the learned set: the exported one lives while a drain encodes it
        h.rib.peerDown(a, false);
        assertThat(b.routes).isEmpty();
        assertThat(h.rib.sizes().get(0).prefixes()).isZero();
        assertThat(h.rib.prefixSlots(0)).isZero(); // slots released once the withdrawals went out
        assertThat(h.rib.attributeSets()).isZero();
    }

    @Test
    void holdsBackWhileThePeerIsNotWritable() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        b.writable = false;
        h.announce(a, attrs(65001), "10.1.0.0/24");
        h.announce(a, attrs(65001).med(1), "10.1.0.0/24");
        assertThat(b.routes).isEmpty();
        b.writable = true;
        h.rib.peerWritable(b);
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");
        assertThat(b.log).containsExactly("EoR 1/1", "EoR 2/1", "UPDATE +1 -0"); // latest state, sent once
    }

    @Test
    void gracefulRestartKeepsStaleRoutesUntilEndOfRib() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.gracefulRestart(true)));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24");
        h.rib.peerDown(a, true);
        assertThat(b.routes).hasSize(3); // RFC 4724 4.2: still forwarded while a restarts
        assertThat(h.rib.route(Prefix.parse("10.1.0.0/24")).best().stale()).isTrue();
        FakePeerLink a2 = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.gracefulRestart(true)));
        h.announce(a2, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        assertThat(h.rib.route(Prefix.parse("10.1.0.0/24")).best().stale()).isFalse();
        assertThat(b.routes).hasSize(3);
        h.endOfRib(a2, 1);
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24", "10.2.0.0/24");
        // the stale timer flushes what the peer never re-sent
        h.rib.peerDown(a2, true);
        h.rib.staleTimerExpired(a2);
        assertThat(b.routes).isEmpty();
    }

    @Test
    void routeRefreshResendsTheAdjRibOutAndEnhancedRefreshBracketsIt() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, true,
                Set.of(AddressFamily.IPV4_UNICAST), true, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        b.log.clear();
        h.rib.routeRefreshReceived(b, 1, 1, 0);
        assertThat(b.log).containsExactly("RR subtype=1 1/1", "UPDATE +2 -0", "RR subtype=2 1/1");
        assertThat(h.rib.peerCounters("b").advertised()).isEqualTo(2);
    }

    @Test
    void enhancedRefreshFromThePeerFlushesWhatItDidNotResend() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, true, Set.of(AddressFamily.IPV4_UNICAST), true, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        h.rib.routeRefreshReceived(a, 1, 1, 1); // BoRR (RFC 7313 4)
        h.announce(a, attrs(65001), "10.2.0.0/24");
        h.rib.routeRefreshReceived(a, 1, 1, 2); // EoRR
        assertThat(b.routes).containsOnlyKeys("10.2.0.0/24");
    }

    @Test
    void maxPrefixRestartSendsCeaseWithTheLimit() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.maxPrefixes(2, MaxPrefixAction.RESTART)));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24");
        // RFC 4486: Cease / Maximum Number of Prefixes Reached, data AFI 1, SAFI 1, limit 2
        assertThat(a.resets).containsExactly("6/1 00 01 01 00 00 00 02");
        assertThat(h.rib.peerCounters("a").accepted()).isEqualTo(2);
    }

    @Test
    void maxPrefixDiscardKeepsTheSession() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.maxPrefixes(2, MaxPrefixAction.DISCARD_EXTRA)));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24");
        assertThat(a.resets).isEmpty();
        assertThat(h.rib.sizes().get(0).prefixes()).isEqualTo(2);
    }

    @Test
    void malformedUpdateResetsTheSessionWithTheRfcNotification() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        io.netty.buffer.ByteBuf body = io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 4, 0x40, 99, 0, 0});
        h.rib.updateReceived(a, body);
        assertThat(a.resets).containsExactly("3/2 40 63 00"); // unrecognized well-known attribute
    }

    @Test
    void originatedRoutesCarryTheirAttributes() {
        RibHarness h = new RibHarness(1);
        FakePeerLink e = h.up(h.peer("e", "192.0.2.1", 65001, null));
        FakePeerLink i = h.up(h.peer("i", "192.0.2.2", 65000, null));
        FakePeerLink e6 = h.up(h.peer("e6", "2001:db8::2", 65002, null));
        h.rib.announce(LocalRoute.of(Prefix.parse("203.0.113.10/32")).withMed(10L)
                .withCommunities(List.of(Communities.parse("65000:80")))
                .withLargeCommunities(List.of(Communities.Large.parse("65000:1:2"))));
        h.rib.announce(LocalRoute.of(Prefix.parse("2001:db8:aa::/48")));
        PathAttributes toE = e.route("203.0.113.10/32");
        assertThat(toE.med()).isEqualTo(10); // our own MED is sent to neighbors
        assertThat(toE.nextHop()).isEqualTo(NEXT_HOP_SELF_V4);
        assertThat(toE.communities()).containsExactly(65000 << 16 | 80);
        assertThat(toE.largeCommunities()).containsExactly(65000, 1, 2);
        PathAttributes toI = i.route("203.0.113.10/32");
        assertThat(toI.asPathSegments()).isEmpty();
        assertThat(toI.localPref()).isEqualTo(100);
        assertThat(e6.route("2001:db8:aa:0:0:0:0:0/48").nextHop6()).isEqualTo(RibHarness.ip("2001:db8:ffff::1").getAddress());
        assertThat(h.rib.localRoutes()).hasSize(2);
    }

    @Test
    void twoOctetPeerGetsAsTransAndAs4Path() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 4200000001L, null));
        FakePeerLink old = h.up(h.peer("old", "192.0.2.2", 65002, false, Set.of(AddressFamily.IPV4_UNICAST), false, null));
        h.announce(a, attrs(4200000001L), "10.1.0.0/24");
        // FakePeerLink decodes as the 2-octet peer would and merges AS4_PATH back
        assertThat(old.route("10.1.0.0/24").asPathSegments()).containsExactly(2, 2, 65000, (int) 4200000001L);
    }

    @Test
    void ipv6RoutesUseMpReachWithNextHopSelf() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "2001:db8::1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "2001:db8::2", 65002, null));
        h.announce(a, attrs(65001), "2001:db8:1::/48", "2001:db8:2::/48");
        assertThat(b.routes).hasSize(2);
        assertThat(b.route("2001:db8:1:0:0:0:0:0/48").nextHop6()).isEqualTo(RibHarness.ip("2001:db8:ffff::1").getAddress());
        h.withdraw(a, "2001:db8:1::/48");
        assertThat(b.routes).containsOnlyKeys("2001:db8:2:0:0:0:0:0/48");
        assertThat(h.rib.routes(AddressFamily.IPV6_UNICAST)).extracting(r -> r.prefix().toString())
                .containsExactly("2001:db8:2:0:0:0:0:0/48");
    }

    @Test
    void receivedCountsThePrefixesThePeerAnnouncesNowNotEveryAnnouncement() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(2);
        h.announce(a, attrs(65001).med(5), "10.1.0.0/24"); // re-sent with other attributes
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(2);
        h.withdraw(a, "10.1.0.0/24", "10.9.0.0/24");       // one announced, one never was
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(1);
        h.rib.peerDown(a, false);
        assertThat(h.rib.peerCounters("a").received()).isZero();
        FakePeerLink a2 = h.up(h.peer("a", "192.0.2.1", 65001, null));
        assertThat(h.rib.peerCounters("a").received()).isZero();
        h.announce(a2, attrs(65001), "10.2.0.0/24");
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(1);
    }

    @Test
    void peerDownWithoutGracefulRestartWithdrawsEverything() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");
        h.rib.peerDown(b, false);
        h.rib.peerDown(a, false);
        assertThat(h.rib.routes(AddressFamily.IPV4_UNICAST)).isEmpty();
        assertThat(h.rib.peerCounters("b").established()).isFalse();
        // b comes back: an empty table, then End-of-RIB
        FakePeerLink b2 = h.up(h.peer("b", "192.0.2.2", 65002, null));
        assertThat(b2.log).containsExactly("EoR 1/1", "EoR 2/1");
    }

    @Test
    void routeDetailShowsEveryPathAndWhy() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");
        h.announce(b, attrs(65002, 65009), "10.1.0.0/24");
        RouteView v = h.rib.route(Prefix.parse("10.1.0.0/24"));
        assertThat(v.reason()).isEqualTo(BestPathReason.AS_PATH_LENGTH);
        assertThat(v.paths()).extracting(PathView::peer).containsExactly("a", "b");
        assertThat(v.paths().get(1).lostAt()).isEqualTo(BestPathReason.AS_PATH_LENGTH);
        assertThat(h.rib.sizes().get(0).paths()).isEqualTo(2);
    }

    @Test
    void attributeSetsOfRejectedRoutesDoNotAccumulate() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.importPolicy(Policy.REJECT_ALL)));
        for (int i = 0; i < 5_000; i++) {
            h.announce(a, attrs(65001).med(i), "10.1.0.0/24"); // a new attribute set every time
        }
        assertThat(h.rib.attributeSets()).isLessThan(1000); // swept once past 4096
        assertThat(h.rib.peerCounters("a").received()).isEqualTo(1); // one prefix, announced 5,000 times
    }

    @Test
    void endOfRibWaitsWhileTheRestartingSpeakerReannounces() {
        RibHarness h = new RibHarness(1);
        h.rib.holdEndOfRib(true);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        assertThat(a.log).isEmpty();
        h.rib.announce(LocalRoute.of(Prefix.parse("10.244.1.0/24")));
        h.rib.holdEndOfRib(false);
        assertThat(a.log).containsExactly("UPDATE +1 -0", "EoR 1/1", "EoR 2/1");
    }

    @Test
    void aNewSessionWithoutPeerDownStartsFromAnEmptyAdjRibOut() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");
        FakePeerLink b2 = h.up(h.peer("b", "192.0.2.2", 65002, null));
        assertThat(b2.routes).containsOnlyKeys("10.1.0.0/24");
        assertThat(h.rib.peerCounters("b").advertised()).isEqualTo(1);
        h.rib.peerDown(b, false); // the stale link: ignored
        assertThat(h.rib.peerCounters("b").established()).isTrue();
        h.rib.peerDown(b2, false);
        h.rib.peerDown(a, false);
        assertThat(h.rib.attributeSets()).isZero();
    }
}
