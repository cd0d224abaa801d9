package io.gannet.bgp.rib;

/**
 * The step of the decision process (RFC 4271 9.1.2.2 plus the usual deterministic tie-breaks)
 * at which one path beat another, in the order the steps are applied. Steps up to and including
 * {@link #IGP_COST} decide preference; paths equal through it may share an ECMP set.
 */
public enum BestPathReason {
    /** No competitor: the only path. */
    ONLY_PATH,
    /** Higher LOCAL_PREF (RFC 4271 9.1.1; 100 when absent). */
    LOCAL_PREF,
    /** Originated by this speaker, preferred over learned paths. */
    LOCAL_ORIGIN,
    /** Shorter AS_PATH (RFC 4271 9.1.2.2 a; an AS_SET counts 1). */
    AS_PATH_LENGTH,
    /** Lower ORIGIN: IGP < EGP < INCOMPLETE (9.1.2.2 b). */
    ORIGIN,
    /** Lower MULTI_EXIT_DISC between paths from the same neighbor AS (9.1.2.2 c; absent = 0). */
    MED,
    /** Learned over eBGP rather than iBGP (9.1.2.2 d). */
    EBGP_OVER_IBGP,
    /** Lower interior cost to the next hop (9.1.2.2 e); not known to this speaker, so never decisive. */
    IGP_COST,
    /** Lower BGP identifier, or ORIGINATOR_ID when reflected (9.1.2.2 f, RFC 4456 9). */
    ROUTER_ID,
    /** Shorter CLUSTER_LIST (RFC 4456 9). */
    CLUSTER_LIST_LENGTH,
    /** Lower peer address (9.1.2.2 g). */
    PEER_ADDRESS,
    /** Every step equal (two paths from one peer cannot exist; kept for completeness). */
    EQUAL;

    /** Whether paths that first differ at this step are still equal enough to share an ECMP set. */
    public boolean multipathEqual() {
        return ordinal() > IGP_COST.ordinal();
    }
}
