package io.gannet.agent.run;

import io.gannet.bgp.policy.Action;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.policy.Condition;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.policy.PrefixListEntry;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.config.PrefixMatch;
import io.gannet.topology.config.RoutePolicy;
import io.gannet.topology.net.Community;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a profile's policy (plain data from topology-profiles) into the speaker's
 * {@link Policy}.
 *
 * <p>The profile has three actions, accept, reject and {@code next} ("apply the sets, go on");
 * the speaker's policy is first-match with a verdict per statement. A {@code next} statement
 * is folded into every later deciding statement: each deciding statement {@code D} becomes
 * two, "N's conditions and D's -> N's sets, then D's sets, D's verdict" first and plain
 * {@code D} after. Folding doubles the statements per {@code next}, so profiles with more than
 * {@value #MAX_NEXT_STATEMENTS} of them are refused. Conditions are tested against the route
 * as received: a later statement does not see communities an earlier {@code next} added.
 */
final class PolicyTranslation {
    static final int MAX_NEXT_STATEMENTS = 8;

    private PolicyTranslation() {}

    static Policy translate(String name, RoutePolicy policy) {
        List<PolicyStatement> pending = new ArrayList<>();
        List<Policy.Statement> out = new ArrayList<>();
        for (PolicyStatement s : policy.statements()) {
            if (s.action() == PolicyStatement.Action.NEXT) {
                pending.add(s);
                if (pending.size() > MAX_NEXT_STATEMENTS) {
                    throw new IllegalArgumentException("policy " + name + " has more than " + MAX_NEXT_STATEMENTS
                            + " 'next' statements; merge some of them");
                }
                continue;
            }
            out.addAll(fold(pending, s));
        }
        // Topology policies always end in a deciding statement; a trailing 'next' changes nothing.
        return new Policy(name, out, Policy.Verdict.REJECT);
    }

    /**
     * One statement per subset of the pending 'next' statements, combined with {@code deciding}.
     * Larger subsets come first, so a route meets exactly the combination of the 'next'
     * statements it matches: any larger one needs a condition it fails.
     */
    private static List<Policy.Statement> fold(List<PolicyStatement> pending, PolicyStatement deciding) {
        int n = pending.size();
        List<Integer> masks = new ArrayList<>();
        for (int mask = 0; mask < (1 << n); mask++) {
            masks.add(mask);
        }
        masks.sort((a, b) -> Integer.bitCount(b) - Integer.bitCount(a));
        Policy.Verdict verdict = deciding.action() == PolicyStatement.Action.ACCEPT ? Policy.Verdict.ACCEPT : Policy.Verdict.REJECT;
        List<Policy.Statement> out = new ArrayList<>();
        for (int mask : masks) {
            List<Condition> conditions = new ArrayList<>();
            List<Action> actions = new ArrayList<>();
            StringBuilder label = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    conditions.addAll(conditions(pending.get(i).match()));
                    actions.addAll(actions(pending.get(i).set()));
                    label.append(pending.get(i).name()).append('+');
                }
            }
            conditions.addAll(conditions(deciding.match()));
            actions.addAll(actions(deciding.set()));
            out.add(new Policy.Statement(label + deciding.name(), conditions, actions, verdict));
        }
        return out;
    }

    static List<Condition> conditions(PolicyStatement.Match match) {
        List<Condition> c = new ArrayList<>();
        if (!match.prefixes().isEmpty()) {
            List<PrefixListEntry> entries = new ArrayList<>();
            for (PrefixMatch m : match.prefixes()) {
                Prefix p = Prefix.of(m.prefix().network(), m.prefix().length());
                entries.add(new PrefixListEntry(p, m.ge(), m.le()));
            }
            c.add(new Condition.PrefixIn("profile", entries));
        }
        List<Integer> standard = new ArrayList<>();
        List<Communities.Large> large = new ArrayList<>();
        split(match.communities(), standard, large);
        if (!standard.isEmpty() && !large.isEmpty()) {
            // "at least one of" across both kinds: keep both tests but as alternatives is not
            // expressible in one conjunction, so profiles mixing kinds in one match are refused.
            throw new IllegalArgumentException("a policy match may list standard or large communities, not both");
        }
        if (!standard.isEmpty()) {
            c.add(new Condition.HasCommunity(standard));
        }
        if (!large.isEmpty()) {
            c.add(new Condition.HasLargeCommunity(large));
        }
        if (match.asPathLengthMin() >= 0 || match.asPathLengthMax() >= 0) {
            int min = Math.max(0, match.asPathLengthMin());
            int max = match.asPathLengthMax() < 0 ? Integer.MAX_VALUE : match.asPathLengthMax();
            c.add(new Condition.AsPathLength(min, max));
        }
        return c;
    }

    static List<Action> actions(PolicyStatement.Set set) {
        List<Action> a = new ArrayList<>();
        if (set.med() != null) {
            a.add(new Action.SetMed(set.med()));
        }
        if (set.localPref() != null) {
            a.add(new Action.SetLocalPref(set.localPref()));
        }
        if (set.nextHop() != null) {
            a.add(new Action.SetNextHop(set.nextHop()));
        } else if (set.nextHopSelf()) {
            a.add(new Action.SetNextHopSelf());
        }
        List<Integer> addStd = new ArrayList<>();
        List<Communities.Large> addLarge = new ArrayList<>();
        split(set.addCommunities(), addStd, addLarge);
        List<Integer> delStd = new ArrayList<>();
        List<Communities.Large> delLarge = new ArrayList<>();
        split(set.removeCommunities(), delStd, delLarge);
        if (!delStd.isEmpty()) {
            a.add(new Action.RemoveCommunities(delStd));
        }
        if (!delLarge.isEmpty()) {
            a.add(new Action.RemoveLargeCommunities(delLarge));
        }
        if (!addStd.isEmpty()) {
            a.add(new Action.AddCommunities(addStd));
        }
        if (!addLarge.isEmpty()) {
            a.add(new Action.AddLargeCommunities(addLarge));
        }
        return a;
    }

    static void split(List<Community> in, List<Integer> standard, List<Communities.Large> large) {
        for (Community c : in) {
            if (c.large()) {
                large.add(new Communities.Large(c.global(), c.local1(), c.local2()));
            } else {
                standard.add((int) ((c.global() << 16) | c.local1()));
            }
        }
    }
}
