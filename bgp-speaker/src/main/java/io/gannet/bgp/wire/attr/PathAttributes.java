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
 * into a {@link Builder}, change it and intern the builder. Arrays are never exposed.
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

    PathAttributes(Builder b) {
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

    /**
     * A reusable, mutable attribute set: the decoder fills one per UPDATE without allocating,
     * export and policy load an interned set into one and change it. Not thread-safe; each
     * owner (the RIB's loop) keeps its own.
     */
    public static final class Builder {
        int present;
        int origin;
        int[] asPath = new int[64];
        int asPathLen;
        int nextHop;
        byte[] nextHop6 = new byte[32];
        int nextHop6Len;
        long med;
        long localPref;
        long aggregatorAs;
        int aggregatorAddress;
        int[] communities = new int[16];
        int communitiesLen;
        long[] ext = new long[8];
        int extLen;
        int[] large = new int[12];
        int largeLen;
        int originatorId;
        int[] cluster = new int[8];
        int clusterLen;
        byte[] unknown = new byte[64];
        int unknownLen;

        public Builder clear() {
            present = 0;
            origin = 0;
            asPathLen = 0;
            nextHop = 0;
            nextHop6Len = 0;
            med = 0;
            localPref = 0;
            aggregatorAs = 0;
            aggregatorAddress = 0;
            communitiesLen = 0;
            extLen = 0;
            largeLen = 0;
            originatorId = 0;
            clusterLen = 0;
            unknownLen = 0;
            return this;
        }

        /** Loads an interned set to derive a changed one from it. */
        public Builder load(PathAttributes a) {
            clear();
            present = a.present;
            origin = a.origin;
            asPath = fit(asPath, a.asPath.length);
            System.arraycopy(a.asPath, 0, asPath, 0, asPathLen = a.asPath.length);
            nextHop = a.nextHop;
            System.arraycopy(a.nextHop6, 0, nextHop6, 0, nextHop6Len = a.nextHop6.length);
            med = a.med;
            localPref = a.localPref;
            aggregatorAs = a.aggregatorAs;
            aggregatorAddress = a.aggregatorAddress;
            communities = fit(communities, a.communities.length);
            System.arraycopy(a.communities, 0, communities, 0, communitiesLen = a.communities.length);
            if (ext.length < a.extCommunities.length) {
                ext = Arrays.copyOf(ext, a.extCommunities.length * 2);
            }
            System.arraycopy(a.extCommunities, 0, ext, 0, extLen = a.extCommunities.length);
            large = fit(large, a.largeCommunities.length);
            System.arraycopy(a.largeCommunities, 0, large, 0, largeLen = a.largeCommunities.length);
            originatorId = a.originatorId;
            cluster = fit(cluster, a.clusterList.length);
            System.arraycopy(a.clusterList, 0, cluster, 0, clusterLen = a.clusterList.length);
            if (unknown.length < a.unknown.length) {
                unknown = Arrays.copyOf(unknown, a.unknown.length * 2);
            }
            System.arraycopy(a.unknown, 0, unknown, 0, unknownLen = a.unknown.length);
            return this;
        }

        private static int[] fit(int[] a, int n) {
            return a.length >= n ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
        }

        public boolean has(int flag) {
            return (present & flag) != 0;
        }

        public Builder origin(int v) {
            origin = v;
            present |= HAS_ORIGIN;
            return this;
        }

        /** Marks an (initially empty) AS_PATH present; locally originated routes carry an empty one. */
        public Builder emptyAsPath() {
            asPathLen = 0;
            present |= HAS_AS_PATH;
            return this;
        }

        /** Appends a whole segment; {@code asns} are unsigned 32-bit values. */
        public Builder appendSegment(int type, long... asns) {
            present |= HAS_AS_PATH;
            asPath = fit(asPath, asPathLen + 2 + asns.length);
            asPath[asPathLen++] = type;
            asPath[asPathLen++] = asns.length;
            for (long as : asns) {
                asPath[asPathLen++] = (int) as;
            }
            return this;
        }

        void beginSegment(int type) {
            present |= HAS_AS_PATH;
            asPath = fit(asPath, asPathLen + 2);
            asPath[asPathLen++] = type;
            asPath[asPathLen++] = 0;
        }

        void appendToSegment(int segStart, int as) {
            asPath = fit(asPath, asPathLen + 1);
            asPath[asPathLen++] = as;
            asPath[segStart + 1]++;
        }

        /** Drops AS_CONFED_SEQUENCE and AS_CONFED_SET segments (RFC 5065 4.1 c, before sending to another AS). */
        public Builder removeConfedSegments() {
            int w = 0;
            for (int i = 0; i + 1 < asPathLen; ) {
                int type = asPath[i];
                int n = 2 + asPath[i + 1];
                if (type != AttributeType.AS_CONFED_SEQUENCE && type != AttributeType.AS_CONFED_SET) {
                    System.arraycopy(asPath, i, asPath, w, n);
                    w += n;
                }
                i += n;
            }
            asPathLen = w;
            return this;
        }

        /** Prepends {@code as} {@code times} times (RFC 4271 5.1.2 b, eBGP export). */
        public Builder prependAs(long as, int times) {
            present |= HAS_AS_PATH;
            if (times <= 0) {
                return this;
            }
            // Join the leading AS_SEQUENCE when there is room (a segment holds at most 255 ASNs).
            if (asPathLen >= 2 && asPath[0] == AS_SEQUENCE && asPath[1] + times <= 255) {
                asPath = fit(asPath, asPathLen + times);
                System.arraycopy(asPath, 2, asPath, 2 + times, asPathLen - 2);
                for (int k = 0; k < times; k++) {
                    asPath[2 + k] = (int) as;
                }
                asPath[1] += times;
                asPathLen += times;
            } else {
                asPath = fit(asPath, asPathLen + 2 + times);
                System.arraycopy(asPath, 0, asPath, 2 + times, asPathLen);
                asPath[0] = AS_SEQUENCE;
                asPath[1] = times;
                for (int k = 0; k < times; k++) {
                    asPath[2 + k] = (int) as;
                }
                asPathLen += 2 + times;
            }
            return this;
        }

        public Builder nextHop(int v) {
            nextHop = v;
            present |= HAS_NEXT_HOP;
            return this;
        }

        public Builder clearNextHop() {
            present &= ~HAS_NEXT_HOP;
            nextHop = 0;
            return this;
        }

        /** IPv6 next hop: 16 bytes global, or 32 bytes global + link-local (RFC 2545 3). */
        public Builder nextHop6(byte[] v) {
            if (v.length != 16 && v.length != 32) {
                throw new IllegalArgumentException("IPv6 next hop must be 16 or 32 bytes, got " + v.length);
            }
            System.arraycopy(v, 0, nextHop6, 0, nextHop6Len = v.length);
            present |= HAS_NEXT_HOP6;
            return this;
        }

        public Builder clearNextHop6() {
            present &= ~HAS_NEXT_HOP6;
            nextHop6Len = 0;
            return this;
        }

        public Builder med(long v) {
            med = v;
            present |= HAS_MED;
            return this;
        }

        public Builder clearMed() {
            present &= ~HAS_MED;
            med = 0;
            return this;
        }

        public Builder localPref(long v) {
            localPref = v;
            present |= HAS_LOCAL_PREF;
            return this;
        }

        public Builder clearLocalPref() {
            present &= ~HAS_LOCAL_PREF;
            localPref = 0;
            return this;
        }

        public Builder atomicAggregate(boolean v) {
            present = v ? present | ATOMIC_AGGREGATE : present & ~ATOMIC_AGGREGATE;
            return this;
        }

        public Builder aggregator(long as, int address) {
            aggregatorAs = as;
            aggregatorAddress = address;
            present |= HAS_AGGREGATOR;
            return this;
        }

        public Builder clearAggregator() {
            present &= ~HAS_AGGREGATOR;
            aggregatorAs = 0;
            aggregatorAddress = 0;
            return this;
        }

        public Builder addCommunity(int c) {
            for (int i = 0; i < communitiesLen; i++) {
                if (communities[i] == c) {
                    return this;
                }
            }
            communities = fit(communities, communitiesLen + 1);
            communities[communitiesLen++] = c;
            return this;
        }

        public Builder removeCommunity(int c) {
            int w = 0;
            for (int i = 0; i < communitiesLen; i++) {
                if (communities[i] != c) {
                    communities[w++] = communities[i];
                }
            }
            communitiesLen = w;
            return this;
        }

        public boolean hasCommunity(int c) {
            for (int i = 0; i < communitiesLen; i++) {
                if (communities[i] == c) {
                    return true;
                }
            }
            return false;
        }

        /** Appends a community exactly as received (duplicates kept, order kept). */
        void rawCommunity(int c) {
            communities = fit(communities, communitiesLen + 1);
            communities[communitiesLen++] = c;
        }

        public Builder addExtendedCommunity(long c) {
            for (int i = 0; i < extLen; i++) {
                if (ext[i] == c) {
                    return this;
                }
            }
            rawExt(c);
            return this;
        }

        void rawExt(long c) {
            if (ext.length < extLen + 1) {
                ext = Arrays.copyOf(ext, ext.length * 2);
            }
            ext[extLen++] = c;
        }

        public Builder removeExtendedCommunity(long c) {
            int w = 0;
            for (int i = 0; i < extLen; i++) {
                if (ext[i] != c) {
                    ext[w++] = ext[i];
                }
            }
            extLen = w;
            return this;
        }

        public Builder addLargeCommunity(int global, int local1, int local2) {
            for (int i = 0; i + 2 < largeLen; i += 3) {
                if (large[i] == global && large[i + 1] == local1 && large[i + 2] == local2) {
                    return this;
                }
            }
            rawLarge(global, local1, local2);
            return this;
        }

        void rawLarge(int global, int local1, int local2) {
            large = fit(large, largeLen + 3);
            large[largeLen++] = global;
            large[largeLen++] = local1;
            large[largeLen++] = local2;
        }

        public Builder removeLargeCommunity(int global, int local1, int local2) {
            int w = 0;
            for (int i = 0; i + 2 < largeLen; i += 3) {
                if (!(large[i] == global && large[i + 1] == local1 && large[i + 2] == local2)) {
                    large[w++] = large[i];
                    large[w++] = large[i + 1];
                    large[w++] = large[i + 2];
                }
            }
            largeLen = w;
            return this;
        }

        public Builder originatorId(int v) {
            originatorId = v;
            present |= HAS_ORIGINATOR_ID;
            return this;
        }

        public Builder clearOriginatorId() {
            present &= ~HAS_ORIGINATOR_ID;
            originatorId = 0;
            return this;
        }

        /** Prepends our cluster id to CLUSTER_LIST when reflecting (RFC 4456 8). */
        public Builder prependClusterId(int id) {
            cluster = fit(cluster, clusterLen + 1);
            System.arraycopy(cluster, 0, cluster, 1, clusterLen);
            cluster[0] = id;
            clusterLen++;
            return this;
        }

        void rawCluster(int id) {
            cluster = fit(cluster, clusterLen + 1);
            cluster[clusterLen++] = id;
        }

        public Builder clearClusterList() {
            clusterLen = 0;
            return this;
        }

        /** Drops every unknown attribute (e.g. when originating). */
        public Builder clearUnknown() {
            unknownLen = 0;
            return this;
        }

        /** Keeps an unknown optional transitive attribute's value, re-encoded with the Partial bit (RFC 4271 5). */
        void unknownTransitive(int flags, int type, io.netty.buffer.ByteBuf buf, int valueIndex, int length) {
            int f = (flags | AttributeType.FLAG_PARTIAL) & ~AttributeType.FLAG_EXTENDED_LENGTH;
            boolean ext = length > 255;
            int need = unknownLen + 4 + length;
            if (unknown.length < need) {
                unknown = Arrays.copyOf(unknown, Math.max(need, unknown.length * 2));
            }
            unknown[unknownLen++] = (byte) (ext ? f | AttributeType.FLAG_EXTENDED_LENGTH : f);
            unknown[unknownLen++] = (byte) type;
            if (ext) {
                unknown[unknownLen++] = (byte) (length >>> 8);
            }
            unknown[unknownLen++] = (byte) length;
            buf.getBytes(valueIndex, unknown, unknownLen, length);
            unknownLen += length;
        }

        int hash() {
            int h = present;
            h = 31 * h + origin;
            for (int i = 0; i < asPathLen; i++) {
                h = 31 * h + asPath[i];
            }
            h = 31 * h + nextHop;
            for (int i = 0; i < nextHop6Len; i++) {
                h = 31 * h + nextHop6[i];
            }
            h = 31 * h + Long.hashCode(med);
            h = 31 * h + Long.hashCode(localPref);
            h = 31 * h + Long.hashCode(aggregatorAs);
            h = 31 * h + aggregatorAddress;
            for (int i = 0; i < communitiesLen; i++) {
                h = 31 * h + communities[i];
            }
            for (int i = 0; i < extLen; i++) {
                h = 31 * h + Long.hashCode(ext[i]);
            }
            for (int i = 0; i < largeLen; i++) {
                h = 31 * h + large[i];
            }
            h = 31 * h + originatorId;
            for (int i = 0; i < clusterLen; i++) {
                h = 31 * h + cluster[i];
            }
            for (int i = 0; i < unknownLen; i++) {
                h = 31 * h + unknown[i];
            }
            return h ^ (h >>> 16);
        }

        boolean matches(PathAttributes p) {
            return present == p.present && origin == p.origin && nextHop == p.nextHop && med == p.med
                    && localPref == p.localPref && aggregatorAs == p.aggregatorAs
                    && aggregatorAddress == p.aggregatorAddress && originatorId == p.originatorId
                    && Arrays.equals(asPath, 0, asPathLen, p.asPath, 0, p.asPath.length)
                    && Arrays.equals(nextHop6, 0, nextHop6Len, p.nextHop6, 0, p.nextHop6.length)
                    && Arrays.equals(communities, 0, communitiesLen, p.communities, 0, p.communities.length)
                    && Arrays.equals(ext, 0, extLen, p.extCommunities, 0, p.extCommunities.length)
                    && Arrays.equals(large, 0, largeLen, p.largeCommunities, 0, p.largeCommunities.length)
                    && Arrays.equals(cluster, 0, clusterLen, p.clusterList, 0, p.clusterList.length)
                    && Arrays.equals(unknown, 0, unknownLen, p.unknown, 0, p.unknown.length);
        }
    }
}
