package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.AS_SEQUENCE;
import static io.gannet.bgp.wire.attr.AttributeType.AS_SET;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One immutable, interned set of path attributes (RFC 4271 5): everything a route carries
 * except its prefix. Identical sets are one object with one small integer {@link #id()}, so a
 * million prefixes sharing attributes cost one of these; the RIB stores only the id.
 *
 * <p>Instances come only from {@link AttributeInterner#intern}; to derive a changed set, load it
 * into an {@link AttributesBuilder}, change it and intern the builder. Arrays are never exposed.
 *
 * <p>Representation: the AS_PATH is a flat int array of segments {@code [type, count, asn...]}
 * with 4-octet ASNs as unsigned ints (AS4_PATH already merged, RFC 6793 4.2.3); communities
 * are ints, extended communities longs, large communities int triples (RFC 8092); unknown
 * optional transitive attributes are kept as their raw encoding with the Partial bit set.
 */
public final class PathAttributes {
    public static final int HAS_ORIGIN = 1;
    public static final int HAS_AS_PATH = 1 << 1;
    public static final int HAS_NEXT_HOP = 1 << 2;
    public static final int HAS_MED = 1 << 3;
    public static final int HAS_LOCAL_PREF = 1 << 4;
    public static final int ATOMIC_AGGREGATE = 1 << 5;
    public static final int HAS_AGGREGATOR = 1 << 6;
    public static final int HAS_ORIGINATOR_ID = 1 << 7;
    public static final int HAS_NEXT_HOP6 = 1 << 8;

    private static final int[] NO_INTS = new int[0];
    private static final long[] NO_LONGS = new long[0];
    private static final byte[] NO_BYTES = new byte[0];

    final int present;
    final int origin;
    final int[] asPath;
    final int nextHop;
    final byte[] nextHop6;
    final long med;
    final long localPref;
    final long aggregatorAs;
    final int aggregatorAddress;
    final int[] communities;
    final long[] extCommunities;
    final int[] largeCommunities;
    final int originatorId;
    final int[] clusterList;
    final byte[] unknown;
    final int hash;
    final int asPathLength;
    int id = -1;

    PathAttributes(AttributesBuilder b) {
        present = b.present;
        origin = b.origin;
        asPath = b.asPathLen == 0 ? NO_INTS : Arrays.copyOf(b.asPath, b.asPathLen);
        nextHop = b.nextHop;
        nextHop6 = b.nextHop6Len == 0 ? NO_BYTES : Arrays.copyOf(b.nextHop6, b.nextHop6Len);
        med = b.med;
        localPref = b.localPref;
        aggregatorAs = b.aggregatorAs;
        aggregatorAddress = b.aggregatorAddress;
        communities = b.communitiesLen == 0 ? NO_INTS : Arrays.copyOf(b.communities, b.communitiesLen);
        extCommunities = b.extLen == 0 ? NO_LONGS : Arrays.copyOf(b.ext, b.extLen);
        largeCommunities = b.largeLen == 0 ? NO_INTS : Arrays.copyOf(b.large, b.largeLen);
        originatorId = b.originatorId;
        clusterList = b.clusterLen == 0 ? NO_INTS : Arrays.copyOf(b.cluster, b.clusterLen);
        unknown = b.unknownLen == 0 ? NO_BYTES : Arrays.copyOf(b.unknown, b.unknownLen);
        hash = b.hash();
        asPathLength = pathLength(asPath, asPath.length);
    }

    /** Dense id, unique among live interned sets; reused after the set is released. */
    public int id() {
        return id;
    }

    public boolean has(int flag) {
        return (present & flag) != 0;
    }

    public int origin() {
        return origin;
    }

    /** AS_PATH length for best-path selection: each AS_SEQUENCE member counts, an AS_SET counts 1 (RFC 4271 9.1.2.2 a). */
    public int asPathLength() {
        return asPathLength;
    }

    /** The neighbor AS a route came from (first AS of a leading AS_SEQUENCE), or 0; compared for MED (RFC 4271 9.1.2.2 c). */
    public long firstAs() {
        if (asPath.length >= 3 && asPath[0] == AS_SEQUENCE && asPath[1] > 0) {
            return asPath[2] & 0xFFFFFFFFL;
        }
        return 0;
    }

    /** True if {@code as} appears anywhere in the AS_PATH (loop detection, RFC 4271 9.1.2). */
    public boolean containsAs(long as) {
        int i = 0;
        while (i + 1 < asPath.length) {
            int n = asPath[i + 1];
            for (int k = 0; k < n; k++) {
                if ((asPath[i + 2 + k] & 0xFFFFFFFFL) == as) {
                    return true;
                }
            }
            i += 2 + n;
        }
        return false;
    }

    /** A copy of the AS_PATH segments as {@code [type, count, asn...]*}. */
    public int[] asPathSegments() {
        return asPath.clone();
    }

    /** IPv4 NEXT_HOP as int bits. */
    public int nextHop() {
        return nextHop;
    }

    /** MP_REACH next hop (16 bytes global, or 32 with a link-local), a copy. */
    public byte[] nextHop6() {
        return nextHop6.clone();
    }

    /** The global IPv6 next hop's first 8 octets as a big-endian long, without a copy (0 when absent). */
    public long nextHop6Hi() {
        return nextHop6.length < 16 ? 0 : bits(nextHop6, 0);
    }

    /** The global IPv6 next hop's last 8 octets. */
    public long nextHop6Lo() {
        return nextHop6.length < 16 ? 0 : bits(nextHop6, 8);
    }

    private static long bits(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    public long med() {
        return med;
    }

    public long localPref() {
        return localPref;
    }

    public long aggregatorAs() {
        return aggregatorAs;
    }

    public int aggregatorAddress() {
        return aggregatorAddress;
    }

    public int originatorId() {
        return originatorId;
    }

    public int clusterListLength() {
        return clusterList.length;
    }

    public boolean clusterListContains(int clusterId) {
        for (int c : clusterList) {
            if (c == clusterId) {
                return true;
            }
        }
        return false;
    }

    public int[] clusterList() {
        return clusterList.clone();
    }

    public boolean hasCommunity(int community) {
        for (int c : communities) {
            if (c == community) {
                return true;
            }
        }
        return false;
    }

    public int[] communities() {
        return communities.clone();
    }

    public long[] extendedCommunities() {
        return extCommunities.clone();
    }

    public boolean hasLargeCommunity(int global, int local1, int local2) {
        for (int i = 0; i + 2 < largeCommunities.length; i += 3) {
            if (largeCommunities[i] == global && largeCommunities[i + 1] == local1 && largeCommunities[i + 2] == local2) {
                return true;
            }
        }
        return false;
    }

    /** Large communities as consecutive (global, local1, local2) int triples, a copy. */
    public int[] largeCommunities() {
        return largeCommunities.clone();
    }

    /** Raw unknown optional transitive attributes, passed on with the Partial bit set (RFC 4271 5). */
    public byte[] unknownAttributes() {
        return unknown.clone();
    }

    static int pathLength(int[] path, int len) {
        int n = 0;
        int i = 0;
        while (i + 1 < len) {
            int type = path[i];
            int count = path[i + 1];
            if (type == AS_SEQUENCE) {
                n += count;
            } else if (type == AS_SET) {
                n += 1;
            }
            // Confederation segments do not count (RFC 5065 5.3).
            i += 2 + count;
        }
        return n;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof PathAttributes p && hash == p.hash && sameAs(p);
    }

    private boolean sameAs(PathAttributes p) {
        return present == p.present && origin == p.origin && nextHop == p.nextHop && med == p.med
                && localPref == p.localPref && aggregatorAs == p.aggregatorAs
                && aggregatorAddress == p.aggregatorAddress && originatorId == p.originatorId
                && Arrays.equals(asPath, p.asPath) && Arrays.equals(nextHop6, p.nextHop6)
                && Arrays.equals(communities, p.communities) && Arrays.equals(extCommunities, p.extCommunities)
                && Arrays.equals(largeCommunities, p.largeCommunities) && Arrays.equals(clusterList, p.clusterList)
                && Arrays.equals(unknown, p.unknown);
    }

    public String asPathString() {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i + 1 < asPath.length) {
            int type = asPath[i];
            int n = asPath[i + 1];
            if (sb.length() > 0) {
                sb.append(' ');
            }
            String open = type == AS_SET ? "{" : type == AS_SEQUENCE ? "" : "(";
            String close = type == AS_SET ? "}" : type == AS_SEQUENCE ? "" : ")";
            sb.append(open);
            for (int k = 0; k < n; k++) {
                sb.append(k > 0 ? (type == AS_SET ? "," : " ") : "").append(asPath[i + 2 + k] & 0xFFFFFFFFL);
            }
            sb.append(close);
            i += 2 + n;
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        if (has(HAS_ORIGIN)) {
            sb.append("origin=").append(origin == 0 ? "igp" : origin == 1 ? "egp" : "incomplete");
        }
        sb.append(" as-path=[").append(asPathString()).append(']');
        if (has(HAS_NEXT_HOP)) {
            sb.append(" next-hop=").append(ipv4String(nextHop));
        }
        if (has(HAS_NEXT_HOP6)) {
            sb.append(" next-hop6=").append(ipv6String(nextHop6, 0));
            if (nextHop6.length == 32) {
                sb.append(",").append(ipv6String(nextHop6, 16));
            }
        }
        if (has(HAS_MED)) {
            sb.append(" med=").append(med);
        }
        if (has(HAS_LOCAL_PREF)) {
            sb.append(" local-pref=").append(localPref);
        }
        if (has(ATOMIC_AGGREGATE)) {
            sb.append(" atomic-aggregate");
        }
        if (has(HAS_AGGREGATOR)) {
            sb.append(" aggregator=").append(aggregatorAs).append(':').append(ipv4String(aggregatorAddress));
        }
        if (communities.length > 0) {
            sb.append(" communities=");
            for (int i = 0; i < communities.length; i++) {
                sb.append(i > 0 ? "," : "").append(communities[i] >>> 16).append(':').append(communities[i] & 0xFFFF);
            }
        }
        if (extCommunities.length > 0) {
            sb.append(" ext-communities=");
            for (int i = 0; i < extCommunities.length; i++) {
                sb.append(i > 0 ? "," : "").append(String.format("%016x", extCommunities[i]));
            }
        }
        if (largeCommunities.length > 0) {
            sb.append(" large-communities=");
            for (int i = 0; i + 2 < largeCommunities.length; i += 3) {
                sb.append(i > 0 ? "," : "").append(largeCommunities[i] & 0xFFFFFFFFL).append(':')
                        .append(largeCommunities[i + 1] & 0xFFFFFFFFL).append(':')
                        .append(largeCommunities[i + 2] & 0xFFFFFFFFL);
            }
        }
        if (has(HAS_ORIGINATOR_ID)) {
            sb.append(" originator-id=").append(ipv4String(originatorId));
        }
        if (clusterList.length > 0) {
            sb.append(" cluster-list=");
            for (int i = 0; i < clusterList.length; i++) {
                sb.append(i > 0 ? "," : "").append(ipv4String(clusterList[i]));
            }
        }
        if (unknown.length > 0) {
            sb.append(" unknown-bytes=").append(unknown.length);
        }
        return sb.append('}').toString();
    }

    static String ipv4String(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    static String ipv6String(byte[] b, int off) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, off, off + 16)).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
