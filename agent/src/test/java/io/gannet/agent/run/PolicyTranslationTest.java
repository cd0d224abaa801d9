package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.config.PolicyStatement.Action;
import io.gannet.topology.config.PolicyStatement.Match;
import io.gannet.topology.config.PrefixMatch;
import io.gannet.topology.config.RoutePolicy;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.Community;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTranslationTest {
    private final AttributeInterner interner = new AttributeInterner();

    private static PolicyStatement.Set sets(Long med, List<Community> add) {
        return new PolicyStatement.Set(med, null, false, null, add, List.of());
    }

    private static Match prefixes(String... cidrs) {
        List<PrefixMatch> m = new ArrayList<>();
        for (String c : cidrs) {
            m.add(PrefixMatch.exact(Cidr.of(c)));
        }
        return new Match(m, List.of(), -1, -1);
    }

    private PathAttributes evaluate(Policy policy, String prefix) {
        Prefix p = Prefix.parse(prefix);
        PathAttributes in = interner.intern(new AttributesBuilder().clear().origin(0).emptyAsPath());
        int decision = policy.evaluate(p.ipv6(), p.hi(), p.lo(), p.length(), in, true);
        if (decision == Policy.REJECTED) {
            return null;
        }
        return policy.apply(decision, in, new AttributesBuilder(), interner, InetAddress.getLoopbackAddress());
    }

    @Test
    void nextStatementsApplyTheirSetsOnlyToRoutesTheyMatchThenTheDecidingStatementDecides() {
        RoutePolicy profile = new RoutePolicy(List.of(
                new PolicyStatement("med-for-a", prefixes("10.0.1.0/24"), sets(50L, List.of()), Action.NEXT),
                new PolicyStatement("tag-all", Match.ANY, sets(null, List.of(Community.standard(65000, 7))), Action.NEXT),
                new PolicyStatement("own", prefixes("10.0.1.0/24", "10.0.2.0/24"), PolicyStatement.Set.NOTHING, Action.ACCEPT),
                new PolicyStatement("default-reject", Match.ANY, PolicyStatement.Set.NOTHING, Action.REJECT)));
        Policy policy = PolicyTranslation.translate("t", profile);

        PathAttributes a = evaluate(policy, "10.0.1.0/24");
        assertThat(a).isNotNull();
        assertThat(a.med()).isEqualTo(50);
        assertThat(a.hasCommunity(65000 << 16 | 7)).isTrue();

        PathAttributes b = evaluate(policy, "10.0.2.0/24");
        assertThat(b).isNotNull();
        assertThat(b.has(PathAttributes.HAS_MED)).isFalse();
        assertThat(b.hasCommunity(65000 << 16 | 7)).isTrue();

        assertThat(evaluate(policy, "10.0.3.0/24")).isNull();
    }

    @Test
    void aProfileWithoutNextStatementsTranslatesOneToOne() {
        RoutePolicy profile = new RoutePolicy(List.of(
                new PolicyStatement("own", prefixes("10.0.1.0/24"), PolicyStatement.Set.NOTHING, Action.ACCEPT),
                new PolicyStatement("default-reject", Match.ANY, PolicyStatement.Set.NOTHING, Action.REJECT)));
        Policy policy = PolicyTranslation.translate("t", profile);
        assertThat(policy.statements()).hasSize(2);
        assertThat(evaluate(policy, "10.0.1.0/24")).isNotNull();
        assertThat(evaluate(policy, "10.0.1.0/25")).isNull();
    }

    @Test
    void tooManyNextStatementsAreRefusedRatherThanExpandedWithoutBound() {
        List<PolicyStatement> s = new ArrayList<>();
        for (int i = 0; i <= PolicyTranslation.MAX_NEXT_STATEMENTS; i++) {
            s.add(new PolicyStatement("n" + i, Match.ANY, sets((long) i, List.of()), Action.NEXT));
        }
        s.add(new PolicyStatement("default-reject", Match.ANY, PolicyStatement.Set.NOTHING, Action.REJECT));
        assertThatThrownBy(() -> PolicyTranslation.translate("t", new RoutePolicy(s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'next' statements");
    }
}
