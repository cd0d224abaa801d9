package io.gannet.bgp.wire.attr;

import static io.gannet.bgp.wire.attr.AttributeType.AS_TRANS;
import static io.gannet.bgp.wire.attr.UpdateError.OPTIONAL_ATTRIBUTE_ERROR;

import io.gannet.bgp.wire.attr.UpdateError.Action;
import io.netty.buffer.ByteBuf;

/**
 * Decode and encode steps of the aggregation attributes: ATOMIC_AGGREGATE (RFC 4271 5.1.6, no
 * value), AGGREGATOR (5.1.7: AS and IPv4 address; the AS is 2 or 4 octets as the session
 * negotiated, RFC 6793) and AS4_AGGREGATOR (RFC 6793 3: the true AS next to AS_TRANS, for and from
 * 2-octet speakers only). RFC 7607 2: AS 0 in either aggregator withdraws the routes.
 */
final class AggregatorCodec {
    private AggregatorCodec() {
    }

    static void decodeAtomicAggregate(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        d.attrs.atomicAggregate(true);
    }

    static void encodeAtomicAggregate(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs,
                                      boolean nextHop) {
        if (a.has(PathAttributes.ATOMIC_AGGREGATE)) {
            s.header(out, 0);
        }
    }

    static void decodeAggregator(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        boolean fourOctetAs = d.fourOctetAs;
        if ((fourOctetAs ? b.getInt(v) : b.getUnsignedShort(v)) == 0) {
            // RFC 7607 2: never propagate a route with AS 0 in AGGREGATOR.
            d.raise(Action.TREAT_AS_WITHDRAW, OPTIONAL_ATTRIBUTE_ERROR, UpdateDecoder.slice(b, attrIndex, v + len),
                    "AS 0 in AGGREGATOR");
        } else if (fourOctetAs) {
            d.attrs.aggregator(b.getUnsignedInt(v), b.getInt(v + 4));
        } else {
            d.attrs.aggregator(b.getUnsignedShort(v), b.getInt(v + 2));
        }
    }

    /** Towards a 2-octet peer an AS above 65535 becomes AS_TRANS; AS4_AGGREGATOR then carries it. */
    static void encodeAggregator(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs, boolean nextHop) {
        if (!a.has(PathAttributes.HAS_AGGREGATOR)) {
            return;
        }
        s.header(out, fourOctetAs ? 8 : 6);
        if (fourOctetAs) {
            out.writeInt((int) a.aggregatorAs);
        } else {
            out.writeShort(a.aggregatorAs > 0xFFFF ? AS_TRANS : (int) a.aggregatorAs);
        }
        out.writeInt(a.aggregatorAddress);
    }

    static void decodeAs4Aggregator(AttributeSpec s, UpdateDecoder d, ByteBuf b, int attrIndex, int v, int len) {
        if (b.getInt(v) == 0) {
            d.raise(Action.TREAT_AS_WITHDRAW, OPTIONAL_ATTRIBUTE_ERROR, UpdateDecoder.slice(b, attrIndex, v + len),
                    "AS 0 in AS4_AGGREGATOR"); // RFC 7607 2
        } else {
            d.as4.aggregator(b.getUnsignedInt(v), b.getInt(v + 4));
        }
    }

    /** RFC 6793 4.2.2: only towards a 2-octet peer, and only when AGGREGATOR had to say AS_TRANS. */
    static void encodeAs4Aggregator(AttributeSpec s, ByteBuf out, PathAttributes a, boolean fourOctetAs,
                                    boolean nextHop) {
        if (!fourOctetAs && a.has(PathAttributes.HAS_AGGREGATOR) && a.aggregatorAs > 0xFFFF) {
            s.header(out, 8);
            out.writeInt((int) a.aggregatorAs);
            out.writeInt(a.aggregatorAddress);
        }
    }
}
