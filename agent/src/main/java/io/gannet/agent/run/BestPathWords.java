package io.gannet.agent.run;

import io.gannet.bgp.rib.BestPathReason;

/**
 * The decision-process steps (RFC 4271 9.1.2.2, RFC 4456 9) in an operator's words, for {@code
 * gannet show route PREFIX --detail}: why the best path won, and where each other path lost.
 */
final class BestPathWords {
    private BestPathWords() {}

    /** Why the best path won: "shorter AS_PATH (RFC 4271 9.1.2.2 a)". */
    static String won(BestPathReason r) {
        return switch (r) {
            case ONLY_PATH -> "the only path";
            case LOCAL_PREF -> "higher LOCAL_PREF (RFC 4271 9.1.1)";
            case LOCAL_ORIGIN -> "originated by this daemon (preferred over learned paths)";
            case AS_PATH_LENGTH -> "shorter AS_PATH (RFC 4271 9.1.2.2 a)";
            case ORIGIN -> "lower ORIGIN, IGP < EGP < INCOMPLETE (RFC 4271 9.1.2.2 b)";
            case MED -> "lower MED from the same neighbor AS (RFC 4271 9.1.2.2 c)";
            case EBGP_OVER_IBGP -> "learned over eBGP rather than iBGP (RFC 4271 9.1.2.2 d)";
            case IGP_COST -> "lower IGP cost to the next hop (RFC 4271 9.1.2.2 e)";
            case ROUTER_ID -> "lower router id or ORIGINATOR_ID (RFC 4271 9.1.2.2 f, RFC 4456 9)";
            case CLUSTER_LIST_LENGTH -> "shorter CLUSTER_LIST (RFC 4456 9)";
            case PEER_ADDRESS -> "lower peer address (RFC 4271 9.1.2.2 g)";
            case EQUAL -> "every step equal";
        };
    }

    /** Where another path lost: "lost to the best path: shorter AS_PATH (RFC 4271 9.1.2.2 a)". */
    static String lost(BestPathReason r) {
        return "lost to the best path: " + won(r);
    }
}
