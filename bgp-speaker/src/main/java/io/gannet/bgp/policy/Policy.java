package io.gannet.bgp.policy;

import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A named import or export policy as data (STYLE.md habit 10): ordered {@link Statement}s,
 * each a list of {@link Condition}s (all must hold) with {@link Action}s and a verdict; the first
 * statement whose conditions hold decides; when none does, the default verdict applies.
 * Built from plain Java values, so a YAML loader elsewhere can construct one.
 *
 * <p>Evaluation is split in two so the RIB can cache: {@link #evaluate} looks at one prefix and
 * returns which statement decided (no allocation); {@link #apply} turns that decision into the
 * resulting attribute set and depends only on the decision and the input set, so the RIB
 * computes it once per (input set, decision) rather than once per prefix.
 *
 * <p>Immutable and thread-safe.
 */
public final class Policy {
    /** {@link #evaluate} result: rejected. */
    public static final int REJECTED = -2;
    /** {@link #evaluate} result: accepted by the default verdict, attributes unchanged. */
    public static final int ACCEPTED_BY_DEFAULT = -1;

    /** Accepts nothing: the node's default import ("learn nothing back"). */
    public static final Policy REJECT_ALL = new Policy("reject-all", List.of(), Verdict.REJECT);
    /** Accepts everything unchanged. */
    public static final Policy ACCEPT_ALL = new Policy("accept-all", List.of(), Verdict.ACCEPT);
    /** Export only routes this speaker originates (PodCIDR, VIPs): the node's default export. */
    public static final Policy EXPORT_LOCAL_ONLY = new Policy("export-local-only",
            List.of(new Statement("local-routes", List.of(new Condition.LocallyOriginated()), List.of(), Verdict.ACCEPT)),
            Verdict.REJECT);

    private final String name;
    private final List<Statement> statements;
    private final Verdict defaultVerdict;
    private final Statement[] array;

    public Policy(String name, List<Statement> statements, Verdict defaultVerdict) {
        this.name = Objects.requireNonNull(name, "name");
        this.statements = List.copyOf(statements);
        this.defaultVerdict = Objects.requireNonNull(defaultVerdict, "defaultVerdict");
        this.array = this.statements.toArray(new Statement[0]);
    }

    public String name() {
        return name;
    }

    public List<Statement> statements() {
        return statements;
    }

    public Verdict defaultVerdict() {
        return defaultVerdict;
    }

    /** What a statement (or the default) does with a route that reaches it. */
    public enum Verdict { ACCEPT, REJECT }

    /**
     * One rule: when every condition holds (an empty list always holds), apply the actions and
     * take the verdict.
     */
    public record Statement(String name, List<Condition> conditions, List<Action> actions, Verdict verdict) {
        public Statement {
            Objects.requireNonNull(name, "name");
            conditions = List.copyOf(conditions);
            actions = List.copyOf(actions);
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /**
     * Decides one route without allocating.
     *
     * @return {@link #REJECTED}, {@link #ACCEPTED_BY_DEFAULT}, or the index of the accepting statement
     */
    public int evaluate(boolean ipv6, long hi, long lo, int length, PathAttributes attributes, boolean local) {
        for (int i = 0; i < array.length; i++) {
            Statement s = array[i];
            if (matches(s, ipv6, hi, lo, length, attributes, local)) {
                return s.verdict == Verdict.ACCEPT ? i : REJECTED;
            }
        }
        return defaultVerdict == Verdict.ACCEPT ? ACCEPTED_BY_DEFAULT : REJECTED;
    }

    private static boolean matches(Statement s, boolean ipv6, long hi, long lo, int length, PathAttributes a,
                                   boolean local) {
        List<Condition> conditions = s.conditions;
        for (int i = 0, n = conditions.size(); i < n; i++) { // indexed: no iterator under C1 (Condition's comment)
            if (!conditions.get(i).test(ipv6, hi, lo, length, a, local)) {
                return false;
            }
        }
        return true;
    }

    /** True if statement {@code decision} changes attributes (so {@link #apply} is worth calling). */
    public boolean changes(int decision) {
        return decision >= 0 && !array[decision].actions.isEmpty();
    }

    /**
     * The attribute set after the accepting statement's actions.
     *
     * @param decision     a non-negative result of {@link #evaluate}
     * @param localAddress our address on the session, for {@link Action.SetNextHopSelf}; may be null
     */
    public PathAttributes apply(int decision, PathAttributes in, AttributesBuilder scratch,
                                AttributeInterner interner, InetAddress localAddress) {
        if (!changes(decision) || onlyKeepsNextHop(decision)) {
            return in;
        }
        scratch.load(in);
        List<Action> actions = array[decision].actions;
        for (int i = 0, n = actions.size(); i < n; i++) {
            actions.get(i).applyTo(scratch, localAddress);
        }
        return interner.intern(scratch);
    }

    private boolean onlyKeepsNextHop(int decision) {
        List<Action> actions = array[decision].actions;
        return actions.size() == 1 && actions.get(0) instanceof Action.KeepNextHop;
    }

    /** True if the accepting statement asks to keep the next hop ({@link Action.KeepNextHop}). */
    public boolean keepsNextHop(int decision) {
        if (decision < 0) {
            return false;
        }
        List<Action> actions = array[decision].actions;
        for (int i = 0, n = actions.size(); i < n; i++) {
            if (actions.get(i) instanceof Action.KeepNextHop) {
                return true;
            }
        }
        return false;
    }

    /** True when no statement looks at the prefix, so decisions depend on attributes alone. */
    public boolean prefixIndependent() {
        for (Statement s : array) {
            for (Condition c : s.conditions) {
                if (c instanceof Condition.PrefixIn) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Value equality (name, statements, default), so a reload that rebuilds an unchanged policy
     * is recognised as unchanged and does not re-run import or ask the peer for a refresh.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Policy other && name.equals(other.name) && defaultVerdict == other.defaultVerdict
                && statements.equals(other.statements);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, statements, defaultVerdict);
    }

    @Override
    public String toString() {
        return "Policy[" + name + ", " + statements.size() + " statements, default " + defaultVerdict + "]";
    }
}
