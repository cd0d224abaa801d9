package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.AS_CONFED_SEQUENCE;
import static io.gannet.bgp.wire.attr.AttributeType.AS_CONFED_SET;
import static io.gannet.bgp.wire.attr.AttributeType.AS_SEQUENCE;
import static io.gannet.bgp.wire.attr.AttributeType.AS_SET;
import static io.gannet.bgp.wire.attr.AttributeType.AS_TRANS;
import static io.gannet.bgp.wire.attr.UpdateError.MALFORMED_AS_PATH;

import io.gannet.bgp.wire.attr.UpdateError.Action;
import io.netty.buffer.ByteBuf;

/**
 * Decode and encode steps of AS_PATH (RFC 4271 5.1.2; 2- or 4-octet ASNs as the session
 * negotiated, RFC 6793) and AS4_PATH (RFC 6793 3: 4-octet ASNs next to a 2-octet AS_PATH, merged
 * by {@link As4Merge}). Both values are segments:
 *
 * <pre>
 * +-----------------+-----------------+--------------------------------+
 * | type (1 octet)  | count (1 octet) | count ASNs of 2 or 4 octets    |  ... repeated
 * +-----------------+-----------------+--------------------------------+
 * type: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET (RFC 5065)
 * </pre>
 */
final class AsPathCodec {
    private AsPathCodec() {
    }

    static void decodeAsPath(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        AttributesBuilder attrs = d.attrs;
        // RFC 7606 7.2: malformed segments withdraw the routes.
        if (!parseAsPath(b, v, len, d.fourOctetAs ? 4 : 2, attrs)) {
            attrs.asPathLen = 0;
            d.raise(s.malformed.action(), MALFORMED_AS_PATH, null, "malformed AS_PATH");
        } else if (containsAsZero(attrs.asPath, attrs.asPathLen)) {
            // RFC 7607 2: AS 0 in AS_PATH is malformed, handled as RFC 7606 7.2 says.
            d.raise(s.malformed.action(), MALFORMED_AS_PATH, null, "AS 0 in AS_PATH");
        } else if (!d.ibgp && hasConfedSegment(attrs.asPath, attrs.asPathLen)) {
            // RFC 5065 5 / RFC 7606 3: confederation segments from a peer outside our
            // confederation (every external peer: we are in none) are malformed.
            d.raise(s.malformed.action(), MALFORMED_AS_PATH, null,
                    "AS_CONFED segment in AS_PATH from an external peer");
        }
    }

    static void encodeAsPath(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nextHop) {
        if (a.has(PathAttributes.HAS_AS_PATH)) {
            writeAsPath(out, s, a.asPath, fourOctetAs ? 4 : 2, false);
        }
    }

    static void decodeAs4Path(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        AttributesBuilder tmp = d.as4.pathBuilder();
        if (!parseAsPath(b, v, len, 4, tmp)) {
            d.malformedLength(s, b, attrIndex, v + len); // RFC 6793 6: attribute discard
        } else if (containsAsZero(tmp.asPath, tmp.asPathLen)) {
            // RFC 7607 2: AS 0 in AS4_PATH is malformed; the route is withdrawn, never propagated.
            d.raise(Action.TREAT_AS_WITHDRAW, MALFORMED_AS_PATH, UpdateDecoder.slice(b, attrIndex, v + len),
                    "AS 0 in AS4_PATH");
        } else {
            d.as4.pathParsed();
        }
    }

    /** RFC 6793 4.2.2: towards a 2-octet peer, when some AS of the path does not fit 2 octets. */
    static void encodeAs4Path(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nextHop) {
        if (!fourOctetAs && a.has(PathAttributes.HAS_AS_PATH) && hasWideAs(a.asPath)) {
            writeAsPath(out, s, a.asPath, 4, true);
        }
    }

    /** Parses AS_PATH / AS4_PATH segments (RFC 4271 4.3, RFC 6793 3); false when malformed (RFC 7606 7.2). */
    static boolean parseAsPath(ByteBuf b, int v, int len, int asSize, AttributesBuilder into) {
        into.asPathLen = 0;
        into.present |= PathAttributes.HAS_AS_PATH;
        int i = v;
        int end = v + len;
        while (i < end) {
            if (end - i < 2) {
                return false;
            }
            int type = b.getUnsignedByte(i);
            int count = b.getUnsignedByte(i + 1);
            if (type < AS_SET || type > AS_CONFED_SET || count == 0) {
                return false;
            }
            i += 2;
            if (end - i < count * asSize) {
                return false;
            }
            into.beginSegment(type);
            int seg = into.asPathLen - 2;
            for (int k = 0; k < count; k++) {
                into.appendToSegment(seg, asSize == 4 ? b.getInt(i) : b.getUnsignedShort(i));
                i += asSize;
            }
        }
        return true;
    }

    /** RFC 7607 2: whether any segment of a parsed path holds AS 0. */
    static boolean containsAsZero(int[] path, int len) {
        for (int i = 0; i + 1 < len; ) {
            int count = path[i + 1];
            for (int k = 0; k < count; k++) {
                if (path[i + 2 + k] == 0) {
                    return true;
                }
            }
            i += 2 + count;
        }
        return false;
    }

    /** Whether a parsed path holds an AS_CONFED_SEQUENCE or AS_CONFED_SET segment (RFC 5065 3). */
    static boolean hasConfedSegment(int[] path, int len) {
        for (int i = 0; i + 1 < len; i += 2 + path[i + 1]) {
            if (path[i] == AS_CONFED_SEQUENCE || path[i] == AS_CONFED_SET) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasWideAs(int[] path) {
        int i = 0;
        while (i + 1 < path.length) {
            int n = path[i + 1];
            for (int k = 0; k < n; k++) {
                if ((path[i + 2 + k] & 0xFFFFFFFFL) > 0xFFFF) {
                    return true;
                }
            }
            i += 2 + n;
        }
        return false;
    }

    /**
     * Writes the segments with ASNs of {@code asSize} octets (AS_TRANS for those that do not fit
     * 2). AS4_PATH never carries confederation segments (RFC 6793 3): {@code skipConfed}.
     */
    private static void writeAsPath(ByteBuf out, AttributeSpec s, int[] path, int asSize, boolean skipConfed) {
        int len = 0;
        for (int i = 0; i + 1 < path.length; ) {
            int n = path[i + 1];
            if (!(skipConfed && path[i] > AS_SEQUENCE)) {
                len += 2 + n * asSize;
            }
            i += 2 + n;
        }
        s.header(out, len);
        for (int i = 0; i + 1 < path.length; ) {
            int segType = path[i];
            int n = path[i + 1];
            if (!(skipConfed && segType > AS_SEQUENCE)) {
                out.writeByte(segType).writeByte(n);
                for (int k = 0; k < n; k++) {
                    int as = path[i + 2 + k];
                    if (asSize == 4) {
                        out.writeInt(as);
                    } else {
                        out.writeShort((as & 0xFFFFFFFFL) > 0xFFFF ? AS_TRANS : as);
                    }
                }
            }
            i += 2 + n;
        }
    }
}
