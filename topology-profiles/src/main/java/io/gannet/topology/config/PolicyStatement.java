package io.gannet.topology.config;

import io.gannet.topology.net.Community;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One statement of an import or export policy: if every condition of {@code match} holds,
 * apply {@code set} and then the {@code action}. Statements are evaluated in order; the first
 * statement whose action is not {@link Action#NEXT} decides. Plain data: the speaker's policy
 * engine interprets it; nothing here touches routes.
 */
public record PolicyStatement(String name, Match match, Set set, Action action) {

    public PolicyStatement {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(set, "set");
        Objects.requireNonNull(action, "action");
    }

    public enum Action {
        ACCEPT("accept"), REJECT("reject"), NEXT("next");

        private final String yamlName;

        Action(String yamlName) {
            this.yamlName = yamlName;
        }

        public String yamlName() {
            return yamlName;
        }
    }

    /**
     * Conditions, all of which must hold; an empty match matches every route.
     *
     * @param prefixes      the route matches if any entry matches (empty = any prefix)
     * @param communities   the route carries at least one of these (empty = no condition)
     * @param asPathLengthMin minimum AS_PATH length, or -1
     * @param asPathLengthMax maximum AS_PATH length, or -1
     */
    public record Match(List<PrefixMatch> prefixes, List<Community> communities, int asPathLengthMin, int asPathLengthMax) {
        public static final Match ANY = new Match(List.of(), List.of(), -1, -1);

        public Match {
            prefixes = List.copyOf(prefixes);
            communities = List.copyOf(communities);
        }

        public boolean isAny() {
            return prefixes.isEmpty() && communities.isEmpty() && asPathLengthMin < 0 && asPathLengthMax < 0;
        }
    }

    /**
     * Modifications; null or empty means "leave as is".
     *
     * @param med              MULTI_EXIT_DISC to set, or null
     * @param localPref        LOCAL_PREF to set, or null
     * @param nextHopSelf      rewrite the next hop to our own address
     * @param nextHop          explicit next hop, or null
     * @param addCommunities   communities to add
     * @param removeCommunities communities to remove
     */
    public record Set(Long med, Long localPref, boolean nextHopSelf, InetAddress nextHop,
            List<Community> addCommunities, List<Community> removeCommunities) {
        public static final Set NOTHING = new Set(null, null, false, null, List.of(), List.of());

        public Set {
            addCommunities = List.copyOf(addCommunities);
            removeCommunities = List.copyOf(removeCommunities);
        }

        public boolean isNothing() {
            return med == null && localPref == null && !nextHopSelf && nextHop == null
                    && addCommunities.isEmpty() && removeCommunities.isEmpty();
        }
    }
}
