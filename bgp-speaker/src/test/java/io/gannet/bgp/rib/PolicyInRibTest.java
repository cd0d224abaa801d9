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
}
