package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.UpdateError.OPTIONAL_ATTRIBUTE_ERROR;

import io.netty.buffer.ByteBuf;

/**
 * Decode steps of MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 3 and 4) for IPv4/IPv6 unicast,
 * next hops per RFC 2545 3 and RFC 8950. They locate the prefixes for {@link UpdateDecoder},
 * which delivers them after the attribute pass. Every error here hides NLRI, so each one resets
 * the session (RFC 7606 5.3, 7.11, 7.12), as {@link AttributeTable} says for both.
 *
 * <p>Encoding is {@link UpdateWriter}'s: it writes these attributes around the prefixes it packs.
 */
final class MpNlriCodec {
    private MpNlriCodec() {
    }

    /**
     * <pre>
     * +---------------------------------------------------------+
     * | Address Family Identifier (2 octets)                    |
     * | Subsequent Address Family Identifier (1 octet)          |
     * | Length of Next Hop Network Address (1 octet)            |
     * | Network Address of Next Hop (variable)                  |
     * | Reserved (1 octet)                                      |
     * | Network Layer Reachability Information (variable)       |
     * +---------------------------------------------------------+
     * </pre>
     */
    static void decodeMpReach(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        int afi = b.getUnsignedShort(v);
        int safi = b.getUnsignedByte(v + 2);
        int nhLen = b.getUnsignedByte(v + 3);
        int nlri = v + 4 + nhLen + 1;
        if (nlri > v + len) {
            d.raise(s.malformed.action(), OPTIONAL_ATTRIBUTE_ERROR, UpdateDecoder.slice(b, attrIndex, v + len),
                    "MP_REACH_NLRI next hop overruns the attribute");
            return;
        }
        if (safi == 1 && (afi == 1 || afi == 2)) {
            // RFC 7606 7.11: a next hop length inconsistent with the family hides the NLRI: reset.
            boolean v6NextHop = nhLen == 16 || nhLen == 32;
            boolean ok = afi == 2 ? v6NextHop : nhLen == 4 || (d.ipv4NextHop6 && v6NextHop);
            if (!ok) {
                d.raise(s.malformed.action(), OPTIONAL_ATTRIBUTE_ERROR, UpdateDecoder.slice(b, attrIndex, v + len),
                        "MP_REACH_NLRI next hop length " + nhLen + " invalid for AFI " + afi);
                return;
            }
            if (!UpdateDecoder.validPrefixes(b, nlri, v + len, afi == 2 ? 128 : 32)) {
                d.raise(s.malformed.action(), OPTIONAL_ATTRIBUTE_ERROR, UpdateDecoder.slice(b, attrIndex, v + len),
                        "malformed MP_REACH_NLRI prefix");
                return;
            }
            AttributesBuilder attrs = d.attrs;
            if (nhLen != 4) {  // IPv6 routes, or IPv4 with an IPv6 next hop (RFC 8950)
                attrs.nextHop6Len = nhLen;
                b.getBytes(v + 4, attrs.nextHop6, 0, nhLen);
                attrs.present |= PathAttributes.HAS_NEXT_HOP6;
            } else {
                attrs.nextHop(b.getInt(v + 4));
            }
        }
        d.mpReach(afi == 0 ? -1 : afi, safi, nlri, v + len);
    }

    /** AFI (2 octets), SAFI (1 octet), then the withdrawn prefixes. */
    static void decodeMpUnreach(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        int afi = b.getUnsignedShort(v);
        int safi = b.getUnsignedByte(v + 2);
        if (afi == 0) {
            afi = -1; // keep "present" distinguishable from "absent"
        }
        int maxBits = afi == 2 ? 128 : 32;
        if ((afi == 1 || afi == 2) && !UpdateDecoder.validPrefixes(b, v + 3, v + len, maxBits)) {
            d.raise(s.malformed.action(), OPTIONAL_ATTRIBUTE_ERROR, UpdateDecoder.slice(b, attrIndex, v + len),
                    "malformed MP_UNREACH_NLRI prefix");
            return;
        }
        d.mpUnreach(afi, safi, v + 3, v + len);
    }
}
