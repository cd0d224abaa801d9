package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.policy.Action;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.policy.Condition;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.policy.Policy.Statement;
import io.gannet.bgp.policy.Policy.Verdict;
import io.gannet.bgp.policy.PrefixListEntry;
import io.gannet.bgp.wire.attr.Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Import and export policy applied by the RIB, per peer. */
class PolicyInRibTest {
    @Test
    void importPolicyFiltersAndRewritesExportPolicyTags() {
        Policy in = new Policy("from-leaf", List.of(
                new Statement("pods-only", List.of(new Condition.PrefixIn("pods",
                        List.of(PrefixListEntry.parse("10.244.0.0/16", 24, 25)))),
                        List.of(new Action.SetLocalPref(300)), Verdict.ACCEPT)), Verdict.REJECT);
        Policy out = new Policy("to-core", List.of(
                new Statement("tag", List.of(), List.of(new Action.AddCommunities(List.of(Communities.parse("65000:42"))),
                        new Action.SetMed(5), new Action.SetNextHopSelf()), Verdict.ACCEPT)), Verdict.REJECT);
        RibHarness h = new RibHarness(1);
        FakePeerLink leaf = h.up(h.peer("leaf", "192.0.2.1", 65000, c -> c.importPolicy(in)));
        FakePeerLink core = h.up(h.peer("core", "192.0.2.2", 65002, c -> c.exportPolicy(out)));
        h.announce(leaf, attrs(), "10.244.1.0/24", "10.244.2.0/25", "10.245.0.0/24", "10.244.0.0/16");
        assertThat(h.rib.route(Prefix.parse("10.244.1.0/24")).best().attributes().localPref()).isEqualTo(300);
        assertThat(h.rib.route(Prefix.parse("10.245.0.0/24"))).isNull();
        assertThat(h.rib.peerCounters("leaf").received()).isEqualTo(4);
        assertThat(h.rib.peerCounters("leaf").accepted()).isEqualTo(2);
        assertThat(core.routes).containsOnlyKeys("10.244.1.0/24", "10.244.2.0/25");
        var a = core.route("10.244.1.0/24");
        assertThat(a.communities()).containsExactly(65000 << 16 | 42);
        assertThat(a.med()).isEqualTo(5); // set by export policy after the eBGP rewrite dropped MED
        assertThat(a.nextHop()).isEqualTo(0xc00002fe);
        assertThat(a.has(io.gannet.bgp.wire.attr.PathAttributes.HAS_LOCAL_PREF)).isFalse();
    }

    @Test
    void aPrefixThatBecomesRejectedIsWithdrawn() {
        Policy in = new Policy("no-long", List.of(new Statement("short", List.of(new Condition.AsPathLength(0, 2)),
                List.of(), Verdict.ACCEPT)), Verdict.REJECT);
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.importPolicy(in)));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");
        h.announce(a, attrs(65001, 65003, 65004), "10.1.0.0/24"); // implicit withdraw by policy
        assertThat(b.routes).isEmpty();
    }

    @Test
    void keepNextHopSkipsTheEbgpNextHopSelfRewrite() {
        Policy keep = new Policy("keep", List.of(new Statement("all", List.of(), List.of(new Action.KeepNextHop()),
                Verdict.ACCEPT)), Verdict.REJECT);
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, c -> c.exportPolicy(keep)));
        FakePeerLink c = h.up(h.peer("c", "192.0.2.3", 65003, null));
        h.announce(a, attrs(65001), "10.1.0.0/24");
        assertThat(b.route("10.1.0.0/24").nextHop()).isEqualTo(0xc6336401); // 198.51.100.1 as received
        assertThat(c.route("10.1.0.0/24").nextHop()).isEqualTo(0xc00002fe); // self
        assertThat(b.route("10.1.0.0/24").asPathSegments()).containsExactly(2, 2, 65000, 65001);
    }

    @Test
    void reconfigureReappliesImportFromThePrePolicyViewAndExportInPlace() {
        RibHarness h = new RibHarness(1);
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null)); // up before: no pre-policy view
        h.rib.keepPrePolicy(true);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, c -> c.importPolicy(Policy.REJECT_ALL)));
        h.announce(a, attrs(65001), "10.1.0.0/24", "10.2.0.0/24");
        h.withdraw(a, "10.2.0.0/24");
        assertThat(h.rib.routes(io.gannet.bgp.wire.AddressFamily.IPV4_UNICAST)).isEmpty();
        assertThat(h.rib.receivedRoutes("a", io.gannet.bgp.wire.AddressFamily.IPV4_UNICAST))
                .extracting(e -> e.getKey().toString()).containsExactly("10.1.0.0/24");
        var applied = h.rib.reconfigure(io.gannet.bgp.config.PeerConfig.builder("a", RibHarness.ip("192.0.2.1"), 65001, 65000)
                .importPolicy(Policy.ACCEPT_ALL).exportPolicy(Policy.ACCEPT_ALL).build());
        assertThat(applied).isEqualTo(Rib.Reconfigured.APPLIED);
        assertThat(b.routes).containsOnlyKeys("10.1.0.0/24");
        // export side: b now gets nothing
        assertThat(h.rib.reconfigure(io.gannet.bgp.config.PeerConfig.builder("b", RibHarness.ip("192.0.2.2"), 65002, 65000)
                .importPolicy(Policy.ACCEPT_ALL).exportPolicy(Policy.REJECT_ALL).build())).isEqualTo(Rib.Reconfigured.REFRESH_REQUESTED);
        assertThat(b.routes).isEmpty();
        assertThat(b.log).contains("RR subtype=0 1/1"); // no pre-policy view for b: ask it to resend
        h.rib.peerDown(a, false);
        h.rib.peerDown(b, false);
        assertThat(h.rib.prefixSlots(0)).isZero();
        assertThat(h.rib.attributeSets()).isZero();
    }

    /**
     * The Adj-RIB-Out keeps which prefixes went out, not their attributes: a changed export policy
     * still sends only what it changes (FRR's soft-out with an adj-out), and a change already
     * queued when the policy changes still goes out.
     */
    @Test
    void anExportPolicyChangeSendsOnlyThePrefixesItChanges() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, c -> c.exportPolicy(Policy.ACCEPT_ALL)));
        String[] prefixes = new String[1_000];
        for (int i = 0; i < prefixes.length; i++) {
            prefixes[i] = "10." + (i >> 8) + "." + (i & 255) + ".0/24";
        }
        h.announce(a, attrs(65001), prefixes);
        assertThat(b.routes).hasSize(1_000);
        int announced = b.announced;

        // The first 256 (10.0.0.0/16) are refused, 10.1.0.0/16 is tagged: 256 withdrawals and 256
        // re-announcements; the other 488 are not sent again.
        Policy narrower = new Policy("narrower", List.of(
                new Statement("no-10-0", List.of(new Condition.PrefixIn("p0", List.of(PrefixListEntry.parse("10.0.0.0/16", 16, 32)))),
                        List.of(), Verdict.REJECT),
                new Statement("tag-10-1", List.of(new Condition.PrefixIn("p1", List.of(PrefixListEntry.parse("10.1.0.0/16", 16, 32)))),
                        List.of(new Action.AddCommunities(List.of(Communities.parse("65000:7")))), Verdict.ACCEPT)),
                Verdict.ACCEPT);
        assertThat(h.rib.reconfigure(io.gannet.bgp.config.PeerConfig.builder("b", RibHarness.ip("192.0.2.2"), 65002, 65000)
                .exportPolicy(narrower).build())).isNotNull(); // import is re-applied too: b is asked to resend
        assertThat(b.withdrawn).isEqualTo(256);
        assertThat(b.announced - announced).isEqualTo(256);
        assertThat(b.routes).hasSize(744);
        assertThat(b.route("10.1.5.0/24").communities()).containsExactly(65000 << 16 | 7);
        assertThat(b.route("10.2.5.0/24").communities()).isEmpty();
        assertThat(h.rib.peerCounters("b").advertised()).isEqualTo(744);
        assertThat(h.rib.advertisedRoutes("b", io.gannet.bgp.wire.AddressFamily.IPV4_UNICAST)).hasSize(744)
                .filteredOn(e -> e.getKey().toString().equals("10.1.5.0/24"))
                .allSatisfy(e -> assertThat(e.getValue().communities()).containsExactly(65000 << 16 | 7));

        // A change queued for b (a's new path, not yet exported) when the policy changes back is sent.
        List<Runnable> loop = new java.util.ArrayList<>();
        h.rib.deferExports(loop::add);
        h.announce(a, attrs(65001, 65009), "10.3.0.0/24");
        assertThat(b.route("10.3.0.0/24").asPathSegments()).containsExactly(2, 2, 65000, 65001);
        announced = b.announced;
        assertThat(h.rib.reconfigure(io.gannet.bgp.config.PeerConfig.builder("b", RibHarness.ip("192.0.2.2"), 65002, 65000)
                .exportPolicy(Policy.ACCEPT_ALL).build())).isNotNull();
        loop.forEach(Runnable::run);
        assertThat(b.routes).hasSize(1_000);
        assertThat(b.route("10.3.0.0/24").asPathSegments()).containsExactly(2, 3, 65000, 65001, 65009);
        assertThat(b.route("10.1.5.0/24").communities()).isEmpty();
        assertThat(b.announced - announced).isEqualTo(256 + 256 + 1); // back, untagged, and the queued change
        h.rib.peerDown(a, false);
        h.rib.peerDown(b, false);
        assertThat(h.rib.attributeSets()).isZero();
    }
}
