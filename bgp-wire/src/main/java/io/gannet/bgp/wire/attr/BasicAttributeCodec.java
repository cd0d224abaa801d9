package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.ORIGIN_INCOMPLETE;
import static io.gannet.bgp.wire.attr.UpdateError.INVALID_NEXT_HOP;
import static io.gannet.bgp.wire.attr.UpdateError.INVALID_ORIGIN;

import io.netty.buffer.ByteBuf;

/**
 * Decode and encode steps of the fixed-size RFC 4271 5.1 attributes: ORIGIN (1 octet), NEXT_HOP
 * (an IPv4 address), MULTI_EXIT_DISC and LOCAL_PREF (4 octets each). {@link AttributeTable} has
 * checked flags and length before a decode step runs.
 */
final class BasicAttributeCodec {
    private BasicAttributeCodec() {
    }

    static void decodeOrigin(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        if (b.getUnsignedByte(v) > ORIGIN_INCOMPLETE) {
            // RFC 7606 7.1: an undefined value is malformed too.
            d.raise(s.malformed.action(), INVALID_ORIGIN, UpdateDecoder.slice(b, attrIndex, v + len),
                    "ORIGIN value undefined");
        } else {
            d.attrs.origin(b.getUnsignedByte(v));
        }
    }

    static void encodeOrigin(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nextHop) {
        if (a.has(PathAttributes.HAS_ORIGIN)) {
            s.header(out, 1);
            out.writeByte(a.origin);
        }
    }

    static void decodeNextHop(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        if (martian(b.getInt(v))) {
            // RFC 4271 6.3 "syntactically incorrect" next hop; RFC 7606 7.3 treat-as-withdraw.
            d.raise(s.malformed.action(), INVALID_NEXT_HOP, UpdateDecoder.slice(b, attrIndex, v + len),
                    "NEXT_HOP " + PathAttributes.ipv4String(b.getInt(v)) + " is not a unicast address");
        } else {
            d.attrs.nextHop(b.getInt(v));
        }
    }

    /** Only with IPv4 NLRI in the NLRI field; IPv6 (and RFC 8950 IPv4) carry it in MP_REACH_NLRI. */
    static void encodeNextHop(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nextHop) {
        if (nextHop && a.has(PathAttributes.HAS_NEXT_HOP)) {
            s.header(out, 4);
            out.writeInt(a.nextHop);
        }
    }

    /** 0.0.0.0/8, multicast 224/4 and the reserved 240/4 (with broadcast) cannot be a next hop. */
    static boolean martian(int address) {
        int first = address >>> 24;
        return first == 0 || first >= 224;
    }

    static void decodeMed(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        d.attrs.med(b.getUnsignedInt(v));
    }

    static void encodeMed(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nextHop) {
        if (a.has(PathAttributes.HAS_MED)) {
            s.header(out, 4);
            out.writeInt((int) a.med);
        }
    }

    static void decodeLocalPref(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        d.attrs.localPref(b.getUnsignedInt(v));
    }

    static void encodeLocalPref(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nextHop) {
        if (a.has(PathAttributes.HAS_LOCAL_PREF)) {
            s.header(out, 4);
            out.writeInt((int) a.localPref);
        }
    }
}
