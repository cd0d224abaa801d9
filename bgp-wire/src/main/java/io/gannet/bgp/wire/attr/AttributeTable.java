package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeSpec.IBGP_ONLY;
import static io.gannet.bgp.wire.attr.AttributeSpec.LOCATES_NLRI;
import static io.gannet.bgp.wire.attr.AttributeSpec.REQUIRED_WITH_IPV4_NLRI;
import static io.gannet.bgp.wire.attr.AttributeSpec.REQUIRED_WITH_NLRI;
import static io.gannet.bgp.wire.attr.AttributeSpec.TWO_OCTET_AS_ONLY;
import static io.gannet.bgp.wire.attr.AttributeType.*;

import io.gannet.bgp.wire.attr.AttributeSpec.Length;
import io.gannet.bgp.wire.attr.AttributeSpec.Malformed;
import java.util.ArrayList;
import java.util.List;

/**
 * The path attribute codec as one table, after BIRD's {@code bgp_attr_table} (proto/bgp/attrs.c):
 * one {@link AttributeSpec} per attribute type Gannet understands, indexed by type code. The
 * decoder looks the type up and lets the row decide the flags it must carry, the lengths it may
 * have, whether it is considered at all from this peer, what RFC 7606 does when it is malformed
 * and how its value is decoded; the encoder walks the rows in type-code order and lets each write
 * itself. A type code without a row is an unknown attribute (RFC 4271 5: passed on when optional
 * transitive, a session reset when it claims to be well-known).
 *
 * <p>Adding an attribute is adding a row here and its decode/encode steps in a codec class.
 *
 * <p>Built once at class initialisation and never changed: safe to read from any thread.
 */
final class AttributeTable {
    private static final int WELL_KNOWN = FLAG_TRANSITIVE;                        // RFC 4271 5: O=0 T=1
    private static final int OPTIONAL = FLAG_OPTIONAL;                            // optional non-transitive
    private static final int OPTIONAL_TRANSITIVE = FLAG_OPTIONAL | FLAG_TRANSITIVE;

    private static final AttributeSpec[] BY_CODE = new AttributeSpec[256];
    /** Rows with an encode step, in type-code order (RFC 4271 5 asks nothing of the order; this is BIRD's and FRR's). */
    static final AttributeSpec[] ENCODED;
    /** Rows of the well-known mandatory attributes, checked in this order (RFC 7606 3.d). */
    static final AttributeSpec[] REQUIRED;

    static {
        // RFC 4271 5.1.1; RFC 7606 7.1: treat-as-withdraw.
        add(new AttributeSpec(ORIGIN, "ORIGIN", WELL_KNOWN, Length.exactly(1), Malformed.WITHDRAW,
                REQUIRED_WITH_NLRI, PathAttributes.HAS_ORIGIN, BasicAttributeCodec::decodeOrigin,
                BasicAttributeCodec::encodeOrigin));
        // RFC 4271 5.1.2, RFC 6793 for 4-octet ASNs; RFC 7606 7.2: treat-as-withdraw.
        add(new AttributeSpec(AS_PATH, "AS_PATH", WELL_KNOWN, Length.any(), Malformed.WITHDRAW,
                REQUIRED_WITH_NLRI, PathAttributes.HAS_AS_PATH, AsPathCodec::decodeAsPath, AsPathCodec::encodeAsPath));
        // RFC 4271 5.1.3; RFC 7606 7.3: treat-as-withdraw. Only IPv4 NLRI needs it (MP_REACH has its own).
        add(new AttributeSpec(NEXT_HOP, "NEXT_HOP", WELL_KNOWN, Length.exactly(4), Malformed.WITHDRAW,
                REQUIRED_WITH_IPV4_NLRI, PathAttributes.HAS_NEXT_HOP, BasicAttributeCodec::decodeNextHop,
                BasicAttributeCodec::encodeNextHop));
        // RFC 4271 5.1.4; RFC 7606 7.4: treat-as-withdraw.
        add(new AttributeSpec(MULTI_EXIT_DISC, "MULTI_EXIT_DISC", OPTIONAL, Length.exactly(4), Malformed.WITHDRAW,
                0, 0, BasicAttributeCodec::decodeMed, BasicAttributeCodec::encodeMed));
        // RFC 4271 5.1.5; RFC 7606 7.5: treat-as-withdraw, and ignored from an external peer.
        add(new AttributeSpec(LOCAL_PREF, "LOCAL_PREF", WELL_KNOWN, Length.exactly(4), Malformed.WITHDRAW,
                IBGP_ONLY, 0, BasicAttributeCodec::decodeLocalPref, BasicAttributeCodec::encodeLocalPref));
        // RFC 4271 5.1.6; RFC 7606 7.6: attribute discard.
        add(new AttributeSpec(ATOMIC_AGGREGATE, "ATOMIC_AGGREGATE", WELL_KNOWN, Length.exactly(0), Malformed.DISCARD,
                0, 0, AggregatorCodec::decodeAtomicAggregate, AggregatorCodec::encodeAtomicAggregate));
        // RFC 4271 5.1.7, 2 + 4 or 4 + 4 octets (RFC 6793); RFC 7606 7.7: attribute discard.
        add(new AttributeSpec(AGGREGATOR, "AGGREGATOR", OPTIONAL_TRANSITIVE, Length.asNumberPlus(4), Malformed.DISCARD,
                0, 0, AggregatorCodec::decodeAggregator, AggregatorCodec::encodeAggregator));
        // RFC 1997; RFC 7606 7.8: treat-as-withdraw.
        add(new AttributeSpec(COMMUNITIES, "COMMUNITIES", OPTIONAL_TRANSITIVE, Length.multipleOf(4), Malformed.WITHDRAW,
                0, 0, CommunityCodec::decodeCommunities, CommunityCodec::encodeCommunities));
        // RFC 4456 8, from internal peers only; RFC 7606 7.9: treat-as-withdraw.
        add(new AttributeSpec(ORIGINATOR_ID, "ORIGINATOR_ID", OPTIONAL, Length.exactly(4), Malformed.WITHDRAW,
                IBGP_ONLY, 0, ReflectionCodec::decodeOriginatorId, ReflectionCodec::encodeOriginatorId));
        // RFC 4456 8, from internal peers only; RFC 7606 7.10: treat-as-withdraw.
        add(new AttributeSpec(CLUSTER_LIST, "CLUSTER_LIST", OPTIONAL, Length.multipleOf(4), Malformed.WITHDRAW,
                IBGP_ONLY, 0, ReflectionCodec::decodeClusterList, ReflectionCodec::encodeClusterList));
        // RFC 4760 3; RFC 7606 7.11 and 5.3: session reset. UpdateWriter writes it around the NLRI.
        add(new AttributeSpec(MP_REACH_NLRI, "MP_REACH_NLRI", OPTIONAL, Length.atLeast(5), Malformed.RESET,
                LOCATES_NLRI, 0, MpNlriCodec::decodeMpReach, null));
        // RFC 4760 4; RFC 7606 7.12 and 5.3: session reset. UpdateWriter writes it around the NLRI.
        add(new AttributeSpec(MP_UNREACH_NLRI, "MP_UNREACH_NLRI", OPTIONAL, Length.atLeast(3), Malformed.RESET,
                LOCATES_NLRI, 0, MpNlriCodec::decodeMpUnreach, null));
        // RFC 4360; RFC 7606 7.14: treat-as-withdraw.
        add(new AttributeSpec(EXTENDED_COMMUNITIES, "EXTENDED_COMMUNITIES", OPTIONAL_TRANSITIVE, Length.multipleOf(8),
                Malformed.WITHDRAW, 0, 0, CommunityCodec::decodeExtended, CommunityCodec::encodeExtended));
        // RFC 6793 3, ignored between 4-octet speakers; RFC 6793 6: attribute discard.
        add(new AttributeSpec(AS4_PATH, "AS4_PATH", OPTIONAL_TRANSITIVE, Length.any(), Malformed.DISCARD_AS4,
                TWO_OCTET_AS_ONLY, 0, AsPathCodec::decodeAs4Path, AsPathCodec::encodeAs4Path));
        // RFC 6793 3, ignored between 4-octet speakers; RFC 6793 6: attribute discard.
        add(new AttributeSpec(AS4_AGGREGATOR, "AS4_AGGREGATOR", OPTIONAL_TRANSITIVE, Length.exactly(8),
                Malformed.DISCARD_AS4, TWO_OCTET_AS_ONLY, 0, AggregatorCodec::decodeAs4Aggregator,
                AggregatorCodec::encodeAs4Aggregator));
        // RFC 8092 2; RFC 8092 5: treat-as-withdraw (RFC 7606 2).
        add(new AttributeSpec(LARGE_COMMUNITY, "LARGE_COMMUNITY", OPTIONAL_TRANSITIVE, Length.multipleOf(12),
                Malformed.WITHDRAW, 0, 0, CommunityCodec::decodeLarge, CommunityCodec::encodeLarge));

        List<AttributeSpec> encoded = new ArrayList<>();
        List<AttributeSpec> required = new ArrayList<>();
        for (AttributeSpec s : BY_CODE) {
            if (s != null && s.encode != null) {
                encoded.add(s);
            }
            if (s != null && s.has(REQUIRED_WITH_NLRI | REQUIRED_WITH_IPV4_NLRI)) {
                required.add(s);
            }
        }
        ENCODED = encoded.toArray(new AttributeSpec[0]);
        REQUIRED = required.toArray(new AttributeSpec[0]);
    }

    private AttributeTable() {
    }

    private static void add(AttributeSpec s) {
        if (BY_CODE[s.code] != null) {
            throw new IllegalStateException("two rows for attribute type " + s.code);
        }
        BY_CODE[s.code] = s;
    }

    /** The row for a type code (0..255), or null for an attribute Gannet does not know. */
    static AttributeSpec spec(int type) {
        return BY_CODE[type];
    }

    /** The IANA name of a known type, else "ATTR" and the code. */
    static String name(int type) {
        AttributeSpec s = type >= 0 && type < BY_CODE.length ? BY_CODE[type] : null;
        return s != null ? s.name : "ATTR" + type;
    }
}
