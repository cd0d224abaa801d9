package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.AS_CONFED_SEQUENCE;
import static io.gannet.bgp.wire.attr.AttributeType.AS_CONFED_SET;
import static io.gannet.bgp.wire.attr.AttributeType.AS_SEQUENCE;
import static io.gannet.bgp.wire.attr.PathAttributes.ATOMIC_AGGREGATE;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_AGGREGATOR;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_AS_PATH;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_LOCAL_PREF;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_MED;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_NEXT_HOP6;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_NEXT_HOP;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_ORIGIN;
import static io.gannet.bgp.wire.attr.PathAttributes.HAS_ORIGINATOR_ID;

import java.util.Arrays;

/**
 * A reusable, mutable attribute set: the decoder fills one per UPDATE without allocating,
 * export and policy load an interned set into one and change it. Not thread-safe; each
 * owner (the RIB's loop) keeps its own.
 */
public final class AttributesBuilder {
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

    public AttributesBuilder clear() {
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
    public AttributesBuilder load(PathAttributes a) {
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

    public AttributesBuilder origin(int v) {
        origin = v;
        present |= HAS_ORIGIN;
        return this;
    }

    /** Marks an (initially empty) AS_PATH present; locally originated routes carry an empty one. */
    public AttributesBuilder emptyAsPath() {
        asPathLen = 0;
        present |= HAS_AS_PATH;
        return this;
    }

    /** Appends a whole segment; {@code asns} are unsigned 32-bit values. */
    public AttributesBuilder appendSegment(int type, long... asns) {
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
    public AttributesBuilder removeConfedSegments() {
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
    public AttributesBuilder prependAs(long as, int times) {
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

    public AttributesBuilder nextHop(int v) {
        nextHop = v;
        present |= HAS_NEXT_HOP;
        return this;
    }

    public AttributesBuilder clearNextHop() {
        present &= ~HAS_NEXT_HOP;
        nextHop = 0;
        return this;
    }

    /** IPv6 next hop: 16 bytes global, or 32 bytes global + link-local (RFC 2545 3). */
    public AttributesBuilder nextHop6(byte[] v) {
        if (v.length != 16 && v.length != 32) {
            throw new IllegalArgumentException("IPv6 next hop must be 16 or 32 bytes, got " + v.length);
        }
        System.arraycopy(v, 0, nextHop6, 0, nextHop6Len = v.length);
        present |= HAS_NEXT_HOP6;
        return this;
    }

    public AttributesBuilder clearNextHop6() {
        present &= ~HAS_NEXT_HOP6;
        nextHop6Len = 0;
        return this;
    }

    public AttributesBuilder med(long v) {
        med = v;
        present |= HAS_MED;
        return this;
    }

    public AttributesBuilder clearMed() {
        present &= ~HAS_MED;
        med = 0;
        return this;
    }

    public AttributesBuilder localPref(long v) {
        localPref = v;
        present |= HAS_LOCAL_PREF;
        return this;
    }

    public AttributesBuilder clearLocalPref() {
        present &= ~HAS_LOCAL_PREF;
        localPref = 0;
        return this;
    }

    public AttributesBuilder atomicAggregate(boolean v) {
        present = v ? present | ATOMIC_AGGREGATE : present & ~ATOMIC_AGGREGATE;
        return this;
    }

    public AttributesBuilder aggregator(long as, int address) {
        aggregatorAs = as;
        aggregatorAddress = address;
        present |= HAS_AGGREGATOR;
        return this;
    }

    public AttributesBuilder clearAggregator() {
        present &= ~HAS_AGGREGATOR;
        aggregatorAs = 0;
        aggregatorAddress = 0;
        return this;
    }

    public AttributesBuilder addCommunity(int c) {
        for (int i = 0; i < communitiesLen; i++) {
            if (communities[i] == c) {
                return this;
            }
        }
        communities = fit(communities, communitiesLen + 1);
        communities[communitiesLen++] = c;
        return this;
    }

    public AttributesBuilder removeCommunity(int c) {
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

    public AttributesBuilder addExtendedCommunity(long c) {
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

    public AttributesBuilder removeExtendedCommunity(long c) {
        int w = 0;
        for (int i = 0; i < extLen; i++) {
            if (ext[i] != c) {
                ext[w++] = ext[i];
            }
        }
        extLen = w;
        return this;
    }

    public AttributesBuilder addLargeCommunity(int global, int local1, int local2) {
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

    public AttributesBuilder removeLargeCommunity(int global, int local1, int local2) {
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

    public AttributesBuilder originatorId(int v) {
        originatorId = v;
        present |= HAS_ORIGINATOR_ID;
        return this;
    }

    public AttributesBuilder clearOriginatorId() {
        present &= ~HAS_ORIGINATOR_ID;
        originatorId = 0;
        return this;
    }

    /** Prepends our cluster id to CLUSTER_LIST when reflecting (RFC 4456 8). */
    public AttributesBuilder prependClusterId(int id) {
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

    public AttributesBuilder clearClusterList() {
        clusterLen = 0;
        return this;
    }

    /** Drops every unknown attribute (e.g. when originating). */
    public AttributesBuilder clearUnknown() {
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
