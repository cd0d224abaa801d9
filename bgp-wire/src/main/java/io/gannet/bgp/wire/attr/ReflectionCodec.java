package io.gannet.bgp.wire.attr;

import io.netty.buffer.ByteBuf;

/**
 * Decode and encode steps of the route reflection attributes (RFC 4456 8): ORIGINATOR_ID (a
 * router id) and CLUSTER_LIST (router ids, 4 octets each). {@link AttributeTable} marks both
 * iBGP-only: an external peer has no business sending them, so they are dropped unread.
 */
final class ReflectionCodec {
    private ReflectionCodec() {
    }

    static void decodeOriginatorId(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        d.attrs.originatorId(b.getInt(v));
    }

    static void encodeOriginatorId(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nh) {
        if (a.has(PathAttributes.HAS_ORIGINATOR_ID)) {
            s.header(out, 4);
            out.writeInt(a.originatorId);
        }
    }

    static void decodeClusterList(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        for (int k = 0; k < len; k += 4) {
            d.attrs.rawCluster(b.getInt(v + k));
        }
    }

    static void encodeClusterList(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nh) {
        if (a.clusterList.length > 0) {
            s.header(out, 4 * a.clusterList.length);
            for (int c : a.clusterList) {
                out.writeInt(c);
            }
        }
    }
}
