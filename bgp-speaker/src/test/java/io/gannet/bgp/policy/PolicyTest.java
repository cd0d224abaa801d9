package io.gannet.bgp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bgp.policy.Policy.Statement;
import io.gannet.bgp.policy.Policy.Verdict;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Policies are data: built from plain values, evaluated per prefix, applied per decision. */
class PolicyTest {
    private final AttributeInterner interner = new AttributeInterner();
    private final AttributesBuilder scratch = new AttributesBuilder();

    private PathAttributes attrs(AttributesBuilder b) {
        return interner.intern(b);
    }

    private static AttributesBuilder base(long... as) {
        return new AttributesBuilder().origin(0).appendSegment(AttributeType.AS_SEQUENCE, as).nextHop(0x0a000001);
    }

    private static int eval(Policy p, String prefix, PathAttributes a, boolean local) {
        Prefix px = Prefix.parse(prefix);
        return p.evaluate(px.ipv6(), px.hi(), px.lo(), px.length(), a, local);
    }

    @Test
    void prefixListEntriesHonourGeAndLe() {
        PrefixListEntry e = PrefixListEntry.parse("10.0.0.0/8", 24, 28);
        Condition c = new Condition.PrefixIn("pods", List.of(e));
        PathAttributes a = attrs(base(65001));
        assertThat(test(c, "10.1.2.0/24", a)).isTrue();
        assertThat(test(c, "10.1.2.16/28", a)).isTrue();
        assertThat(test(c, "10.1.0.0/16", a)).isFalse();   // shorter than ge
        assertThat(test(c, "10.1.2.1/32", a)).isFalse();   // longer than le
        assertThat(test(c, "11.1.2.0/24", a)).isFalse();   // outside
        assertThat(test(new Condition.PrefixIn("exact", List.of(PrefixListEntry.exact(Prefix.parse("192.0.2.0/24")))),
                "192.0.2.0/24", a)).isTrue();
        assertThat(test(new Condition.PrefixIn("v6", List.of(PrefixListEntry.parse("2001:db8::/32", null, 64))),
                "2001:db8:1::/48", a)).isTrue();
        assertThat(test(new Condition.PrefixIn("v6", List.of(PrefixListEntry.parse("2001:db8::/32", null, 64))),
                "10.0.0.0/8", a)).isFalse();
        assertThatThrownBy(() -> PrefixListEntry.parse("10.0.0.0/8", 4, 32)).isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean test(Condition c, String prefix, PathAttributes a) {
        Prefix px = Prefix.parse(prefix);
        return c.test(px.ipv6(), px.hi(), px.lo(), px.length(), a, false);
    }

    @Test
    void firstMatchingStatementDecidesThenTheDefault() {
        Policy p = new Policy("import", List.of(
                new Statement("drop-long-paths", List.of(new Condition.AsPathLength(5, 255)), List.of(), Verdict.REJECT),
                new Statement("prefer-customers", List.of(new Condition.HasCommunity(List.of(Communities.parse("65000:100")))),
                        List.of(new Action.SetLocalPref(200)), Verdict.ACCEPT),
                new Statement("pods", List.of(new Condition.PrefixIn("pods",
                        List.of(PrefixListEntry.parse("10.244.0.0/16", 24, 25)))), List.of(), Verdict.ACCEPT)),
                Verdict.REJECT);
        PathAttributes plain = attrs(base(65001));
        PathAttributes customer = attrs(base(65001).addCommunity(Communities.parse("65000:100")));
        PathAttributes longPath = attrs(base(1, 2, 3, 4, 5).addCommunity(Communities.parse("65000:100")));
        assertThat(eval(p, "10.244.3.0/24", plain, false)).isEqualTo(2);
        assertThat(eval(p, "10.9.0.0/24", plain, false)).isEqualTo(Policy.REJECTED);
        assertThat(eval(p, "10.9.0.0/24", longPath, false)).isEqualTo(Policy.REJECTED);
        int d = eval(p, "10.9.0.0/24", customer, false);
        assertThat(d).isEqualTo(1);
        PathAttributes out = p.apply(d, customer, scratch, interner, null);
        assertThat(out.localPref()).isEqualTo(200);
        assertThat(p.apply(2, plain, scratch, interner, null)).isSameAs(plain); // no actions: unchanged
        assertThat(p.prefixIndependent()).isFalse();
    }

    @Test
    void actionsEditCommunitiesMedNextHopAndPath() {
        int keep = Communities.parse("65000:1");
        int drop = Communities.parse("65000:2");
        Communities.Large big = Communities.Large.parse("65000:7:8");
        Policy p = new Policy("export", List.of(new Statement("all", List.of(), List.of(
                new Action.AddCommunities(List.of(Communities.parse("no-export"))),
                new Action.RemoveCommunities(List.of(drop)),
                new Action.AddLargeCommunities(List.of(big)),
                new Action.SetMed(77),
                new Action.SetNextHop(io.gannet.bgp.rib.LocalRouteTestAccess.ip("203.0.113.1")),
                new Action.PrependAs(65000, 2)), Verdict.ACCEPT)), Verdict.REJECT);
        PathAttributes in = attrs(base(65001).addCommunity(keep).addCommunity(drop));
        PathAttributes out = p.apply(eval(p, "10.0.0.0/24", in, false), in, scratch, interner, null);
        assertThat(out.communities()).containsExactly(keep, AttributeType.NO_EXPORT);
        assertThat(out.largeCommunities()).containsExactly(65000, 7, 8);
        assertThat(out.med()).isEqualTo(77);
        assertThat(out.nextHop()).isEqualTo(0xcb007101);
        assertThat(out.asPathSegments()).containsExactly(2, 3, 65000, 65000, 65001);
        Policy rm = new Policy("rm", List.of(new Statement("rm", List.of(),
                List.of(new Action.RemoveLargeCommunities(List.of(big))), Verdict.ACCEPT)), Verdict.REJECT);
        assertThat(rm.apply(0, out, scratch, interner, null).largeCommunities()).isEmpty();
    }

    @Test
    void largeCommunityAndFamilyAndLocalConditions() {
        PathAttributes a = attrs(base(65001).addLargeCommunity(65000, 1, 2));
        assertThat(test(new Condition.HasLargeCommunity(List.of(Communities.Large.parse("65000:1:2"))), "10.0.0.0/8", a)).isTrue();
        assertThat(test(new Condition.HasLargeCommunity(List.of(Communities.Large.parse("65000:1:3"))), "10.0.0.0/8", a)).isFalse();
        assertThat(test(new Condition.FamilyIs(AddressFamily.IPV6_UNICAST), "10.0.0.0/8", a)).isFalse();
        assertThat(test(new Condition.AsPathContains(65001), "10.0.0.0/8", a)).isTrue();
        assertThat(eval(Policy.EXPORT_LOCAL_ONLY, "10.0.0.0/8", a, true)).isEqualTo(0);
        assertThat(eval(Policy.EXPORT_LOCAL_ONLY, "10.0.0.0/8", a, false)).isEqualTo(Policy.REJECTED);
        assertThat(eval(Policy.REJECT_ALL, "10.0.0.0/8", a, true)).isEqualTo(Policy.REJECTED);
        assertThat(eval(Policy.ACCEPT_ALL, "10.0.0.0/8", a, false)).isEqualTo(Policy.ACCEPTED_BY_DEFAULT);
    }

    @Test
    void communityTextForms() {
        assertThat(Communities.parse("no-advertise")).isEqualTo(AttributeType.NO_ADVERTISE);
        assertThat(Communities.parse("NO_EXPORT_SUBCONFED")).isEqualTo(AttributeType.NO_EXPORT_SUBCONFED);
        assertThat(Communities.format(Communities.parse("65000:100"))).isEqualTo("65000:100");
        assertThatThrownBy(() -> Communities.parse("70000:1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Communities.Large.parse("1:2")).isInstanceOf(IllegalArgumentException.class);
    }
}
