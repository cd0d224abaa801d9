package io.gannet.bgp.wire.attr;

/**
 * Path attribute type codes (IANA "BGP Path Attributes") and the flag bits of RFC 4271 4.3. What
 * each type's flags, lengths and error handling are is {@link AttributeTable}'s.
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Attr. Flags  |Attr. Type Code|   then 1 length octet, or 2 if Extended Length
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  O T P E 0 0 0 0   O = optional, T = transitive, P = partial, E = extended length
 * </pre>
 */
public final class AttributeType {
    public static final int FLAG_OPTIONAL = 0x80;
    public static final int FLAG_TRANSITIVE = 0x40;
    public static final int FLAG_PARTIAL = 0x20;
    public static final int FLAG_EXTENDED_LENGTH = 0x10;

    public static final int ORIGIN = 1;
    public static final int AS_PATH = 2;
    public static final int NEXT_HOP = 3;
    public static final int MULTI_EXIT_DISC = 4;
    public static final int LOCAL_PREF = 5;
    public static final int ATOMIC_AGGREGATE = 6;
    public static final int AGGREGATOR = 7;
    public static final int COMMUNITIES = 8;
    public static final int ORIGINATOR_ID = 9;
    public static final int CLUSTER_LIST = 10;
    public static final int MP_REACH_NLRI = 14;
    public static final int MP_UNREACH_NLRI = 15;
    public static final int EXTENDED_COMMUNITIES = 16;
    public static final int AS4_PATH = 17;
    public static final int AS4_AGGREGATOR = 18;
    public static final int LARGE_COMMUNITY = 32;

    /** AS_TRANS (RFC 6793 section 9): stands in for a 4-octet AS towards 2-octet speakers. */
    public static final int AS_TRANS = 23456;

    /** Well-known communities (RFC 1997). */
    public static final int NO_EXPORT = 0xFFFFFF01;
    public static final int NO_ADVERTISE = 0xFFFFFF02;
    public static final int NO_EXPORT_SUBCONFED = 0xFFFFFF03;

    /** AS_PATH segment types (RFC 4271 4.3; RFC 5065 for the confederation ones). */
    public static final int AS_SET = 1;
    public static final int AS_SEQUENCE = 2;
    public static final int AS_CONFED_SEQUENCE = 3;
    public static final int AS_CONFED_SET = 4;

    /** ORIGIN values (RFC 4271 5.1.1). */
    public static final int ORIGIN_IGP = 0;
    public static final int ORIGIN_EGP = 1;
    public static final int ORIGIN_INCOMPLETE = 2;

    private AttributeType() {
    }

    /**
     * The IANA name of a type code ("ATTR" and the number for one Gannet does not know), from
     * {@link AttributeTable}, which holds everything else Gannet knows per type.
     */
    public static String name(int type) {
        return AttributeTable.name(type);
    }
}
