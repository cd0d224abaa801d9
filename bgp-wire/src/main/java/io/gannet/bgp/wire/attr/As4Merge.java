package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.AS_CONFED_SET;
import static io.gannet.bgp.wire.attr.AttributeType.AS_SEQUENCE;
import static io.gannet.bgp.wire.attr.AttributeType.AS_SET;
import static io.gannet.bgp.wire.attr.AttributeType.AS_TRANS;

import java.util.Arrays;

/**
 * RFC 6793 4.2.3: the true AS path and aggregator of a route sent by a speaker without 4-octet
 * AS support, rebuilt from AS_PATH/AGGREGATOR (2-octet, AS_TRANS standing in) and the AS4_PATH
 * and AS4_AGGREGATOR it passed on. The decoder records the two AS4 attributes here while it
 * parses an UPDATE, then asks for the merge into its attribute builder.
 *
 * <p>Reuses its arrays: no allocation per UPDATE once warmed up. Threading: one per decoder.
 */
final class As4Merge {
    private final AttributesBuilder as4 = new AttributesBuilder();
    private boolean hasPath;
    private boolean hasAggregator;
    private long aggregatorAs;
    private int aggregatorAddress;
    private int[] old = new int[64];

    /** Forgets the previous UPDATE's AS4 attributes. */
    void reset() {
        hasPath = false;
        hasAggregator = false;
        as4.clear();
    }

    /** The builder AS4_PATH is parsed into (cleared). */
    AttributesBuilder pathBuilder() {
        return as4.clear();
    }

    /** AS4_PATH parsed into {@link #pathBuilder()} is valid. */
    void pathParsed() {
        hasPath = true;
    }

    void aggregator(long as, int address) {
        hasAggregator = true;
        aggregatorAs = as;
        aggregatorAddress = address;
    }

    /** Applies RFC 6793 4.2.3 to {@code attrs}, the UPDATE's attributes as received. */
    void mergeInto(AttributesBuilder attrs) {
        if (hasAggregator) {
            if (attrs.has(PathAttributes.HAS_AGGREGATOR) && attrs.aggregatorAs != AS_TRANS) {
                return; // "the AS4_AGGREGATOR and AS4_PATH attributes ... SHALL be ignored"
            }
            if (attrs.has(PathAttributes.HAS_AGGREGATOR)) {
                attrs.aggregator(aggregatorAs, aggregatorAddress);
            }
        }
        if (!hasPath || !attrs.has(PathAttributes.HAS_AS_PATH)) {
            return;
        }
        int[] as4Path = as4.asPath;
        int as4PathLen = as4.asPathLen;
        // Path length as RFC 6793 4.2.3 counts it: sequences by members, sets as one, confed segments not at all.
        int pathLen = PathAttributes.pathLength(attrs.asPath, attrs.asPathLen);
        int as4Len = PathAttributes.pathLength(as4Path, as4PathLen);
        if (pathLen < as4Len) {
            return; // "the AS4_PATH attribute SHALL be ignored"
        }
        int keep = pathLen - as4Len; // leading ASNs of AS_PATH that precede the AS4_PATH part
        int oldLen = attrs.asPathLen;
        if (old.length < oldLen) {
            old = Arrays.copyOf(old, Math.max(oldLen, old.length * 2));
        }
        System.arraycopy(attrs.asPath, 0, old, 0, oldLen);
        attrs.asPathLen = 0;
        int i = 0;
        int lastSegment = -1;
        while (keep > 0 && i + 1 < oldLen) {
            int type = old[i];
            int count = old[i + 1];
            lastSegment = attrs.asPathLen;
            if (type == AS_SET || type == AS_CONFED_SET) {
                copySegment(attrs, old, i, count);
                keep -= 1;
            } else {
                int take = Math.min(count, keep);
                attrs.beginSegment(type);
                int seg = attrs.asPathLen - 2;
                for (int k = 0; k < take; k++) {
                    attrs.appendToSegment(seg, old[i + 2 + k]);
                }
                keep -= take;
            }
            i += 2 + count;
        }
        for (int j = 0; j + 1 < as4PathLen; ) {
            int type = as4Path[j];
            int count = as4Path[j + 1];
            if (type == AS_SEQUENCE && lastSegment >= 0 && attrs.asPath[lastSegment] == AS_SEQUENCE
                    && attrs.asPath[lastSegment + 1] + count <= 255) {
                for (int k = 0; k < count; k++) {
                    attrs.appendToSegment(lastSegment, as4Path[j + 2 + k]); // continue the kept sequence
                }
            } else if (type == AS_SET || type == AS_SEQUENCE) {
                // Confederation segments in AS4_PATH are not carried over (RFC 6793 3).
                lastSegment = attrs.asPathLen;
                copySegment(attrs, as4Path, j, count);
            }
            j += 2 + count;
        }
    }

    private static void copySegment(AttributesBuilder attrs, int[] src, int i, int count) {
        attrs.beginSegment(src[i]);
        int seg = attrs.asPathLen - 2;
        for (int k = 0; k < count; k++) {
            attrs.appendToSegment(seg, src[i + 2 + k]);
        }
    }
}
