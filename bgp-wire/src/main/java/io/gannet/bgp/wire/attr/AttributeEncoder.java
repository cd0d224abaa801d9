package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.*;

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
     * @param includeNextHop write NEXT_HOP (IPv4 NLRI); IPv6 carries it in MP_REACH instead
     */
    public static void write(ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean includeNextHop) {
        if (a.has(PathAttributes.HAS_ORIGIN)) {
            header(out, FLAG_TRANSITIVE, ORIGIN, 1);
            out.writeByte(a.origin);
        }
        if (a.has(PathAttributes.HAS_AS_PATH)) {
            writeAsPath(out, AS_PATH, FLAG_TRANSITIVE, a.asPath, fourOctetAs ? 4 : 2, false);
        }
        if (includeNextHop && a.has(PathAttributes.HAS_NEXT_HOP)) {
            header(out, FLAG_TRANSITIVE, NEXT_HOP, 4);
            out.writeInt(a.nextHop);
        }
        if (a.has(PathAttributes.HAS_MED)) {
            header(out, FLAG_OPTIONAL, MULTI_EXIT_DISC, 4);
            out.writeInt((int) a.med);
        }
        if (a.has(PathAttributes.HAS_LOCAL_PREF)) {
            header(out, FLAG_TRANSITIVE, LOCAL_PREF, 4);
            out.writeInt((int) a.localPref);
        }
        if (a.has(PathAttributes.ATOMIC_AGGREGATE)) {
            header(out, FLAG_TRANSITIVE, ATOMIC_AGGREGATE, 0);
        }
        boolean needAs4Aggregator = false;
        if (a.has(PathAttributes.HAS_AGGREGATOR)) {
            header(out, FLAG_OPTIONAL | FLAG_TRANSITIVE, AGGREGATOR, fourOctetAs ? 8 : 6);
            if (fourOctetAs) {
                out.writeInt((int) a.aggregatorAs);
            } else {
                needAs4Aggregator = a.aggregatorAs > 0xFFFF;
                out.writeShort(needAs4Aggregator ? AS_TRANS : (int) a.aggregatorAs);
            }
            out.writeInt(a.aggregatorAddress);
        }
        if (a.communities.length > 0) {
            header(out, FLAG_OPTIONAL | FLAG_TRANSITIVE, COMMUNITIES, 4 * a.communities.length);
            for (int c : a.communities) {
                out.writeInt(c);
            }
        }
        if (a.has(PathAttributes.HAS_ORIGINATOR_ID)) {
            header(out, FLAG_OPTIONAL, ORIGINATOR_ID, 4);
            out.writeInt(a.originatorId);
        }
        if (a.clusterList.length > 0) {
            header(out, FLAG_OPTIONAL, CLUSTER_LIST, 4 * a.clusterList.length);
            for (int c : a.clusterList) {
                out.writeInt(c);
            }
        }
        if (a.extCommunities.length > 0) {
            header(out, FLAG_OPTIONAL | FLAG_TRANSITIVE, EXTENDED_COMMUNITIES, 8 * a.extCommunities.length);
            for (long c : a.extCommunities) {
                out.writeLong(c);
            }
        }
        if (!fourOctetAs && a.has(PathAttributes.HAS_AS_PATH) && hasWideAs(a.asPath)) {
            writeAsPath(out, AS4_PATH, FLAG_OPTIONAL | FLAG_TRANSITIVE, a.asPath, 4, true);
        }
        if (needAs4Aggregator) {
            header(out, FLAG_OPTIONAL | FLAG_TRANSITIVE, AS4_AGGREGATOR, 8);
            out.writeInt((int) a.aggregatorAs);
            out.writeInt(a.aggregatorAddress);
        }
        if (a.largeCommunities.length > 0) {
            header(out, FLAG_OPTIONAL | FLAG_TRANSITIVE, LARGE_COMMUNITY, 4 * a.largeCommunities.length);
            for (int c : a.largeCommunities) {
                out.writeInt(c);
            }
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
     * AS_PATH / AS4_PATH value: segments of type (1 octet), count (1 octet), ASNs of
     * {@code asSize} octets. AS4_PATH never carries confederation segments (RFC 6793 3).
     */
    private static void writeAsPath(ByteBuf out, int type, int flags, int[] path, int asSize, boolean skipConfed) {
        int len = 0;
        for (int i = 0; i + 1 < path.length; ) {
            int n = path[i + 1];
            if (!(skipConfed && path[i] > AS_SEQUENCE)) {
                len += 2 + n * asSize;
            }
            i += 2 + n;
        }
        header(out, flags, type, len);
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
