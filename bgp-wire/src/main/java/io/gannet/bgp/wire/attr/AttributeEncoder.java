package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.FLAG_EXTENDED_LENGTH;

import io.netty.buffer.ByteBuf;

/**
 * Writes a {@link PathAttributes} as the Path Attributes field of an UPDATE (RFC 4271 4.3), in
 * type-code order, the Extended Length flag set exactly when a value exceeds 255 octets.
 * MP_REACH/MP_UNREACH are written by {@link UpdateWriter}, which owns the NLRI.
 *
 * <p>Towards a 2-octet peer (RFC 6793 4.2.2): ASNs above 65535 become AS_TRANS in AS_PATH and
 * AGGREGATOR, and the true values travel in AS4_PATH / AS4_AGGREGATOR.
 */
public final class AttributeEncoder {
    private AttributeEncoder() {
    }

    /**
     * Lets each row of {@link AttributeTable} with an encode step write its attribute, in
     * type-code order, then the unknown optional transitive attributes kept as received.
     *
     * @param includeNextHop write NEXT_HOP (IPv4 NLRI); IPv6 carries it in MP_REACH instead
     */
    public static void write(ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean includeNextHop) {
        for (AttributeSpec s : AttributeTable.ENCODED) {
            s.encode.encode(s, out, a, fourOctetAs, includeNextHop);
        }
        if (a.unknown.length > 0) {
            out.writeBytes(a.unknown);
        }
    }

    /** Writes flags, type and length, choosing the Extended Length form only when needed. */
    static void header(ByteBuf out, int flags, int type, int length) {
        if (length > 255) {
            out.writeByte(flags | FLAG_EXTENDED_LENGTH).writeByte(type).writeShort(length);
        } else {
            out.writeByte(flags).writeByte(type).writeByte(length);
        }
    }
}
