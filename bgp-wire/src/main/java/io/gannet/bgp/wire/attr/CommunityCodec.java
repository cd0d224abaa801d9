package io.gannet.bgp.wire.attr;

import io.netty.buffer.ByteBuf;

/**
 * Decode and encode steps of the community attributes, kept exactly as received (order and
 * duplicates): COMMUNITIES (RFC 1997, 4 octets each), EXTENDED_COMMUNITIES (RFC 4360, 8 octets)
 * and LARGE_COMMUNITY (RFC 8092, 12 octets). {@link AttributeTable} has checked that the length is
 * a non-zero multiple of the member size.
 */
final class CommunityCodec {
    private CommunityCodec() {
    }

    static void decodeCommunities(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        for (int k = 0; k < len; k += 4) {
            d.attrs.rawCommunity(b.getInt(v + k));
        }
    }

    static void encodeCommunities(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nh) {
        if (a.communities.length > 0) {
            s.header(out, 4 * a.communities.length);
            for (int c : a.communities) {
                out.writeInt(c);
            }
        }
    }

    static void decodeExtended(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        for (int k = 0; k < len; k += 8) {
            d.attrs.rawExt(b.getLong(v + k));
        }
    }

    static void encodeExtended(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nh) {
        if (a.extCommunities.length > 0) {
            s.header(out, 8 * a.extCommunities.length);
            for (long c : a.extCommunities) {
                out.writeLong(c);
            }
        }
    }

    static void decodeLarge(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        for (int k = 0; k < len; k += 12) {
            d.attrs.rawLarge(b.getInt(v + k), b.getInt(v + k + 4), b.getInt(v + k + 8));
        }
    }

    static void encodeLarge(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nh) {
        if (a.largeCommunities.length > 0) {
            s.header(out, 4 * a.largeCommunities.length);
            for (int c : a.largeCommunities) {
                out.writeInt(c);
            }
        }
    }
}
