package io.gannet.bgp.wire.attr;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** RFC 6793: AS4_PATH / AS4_AGGREGATOR with 2-octet ("OLD") speakers, both directions. */
class As4ConversionTest {
    private final AttributeInterner interner = new AttributeInterner();
    private final UpdateDecoder decoder = new UpdateDecoder(interner);

    private PathAttributes decode2(String attrs) {
        RecordingHandler h = new RecordingHandler();
        UpdateError e = decoder.decode(UpdateErrorHandlingTest.body("", attrs, "08 0a"), false, false, h);
        assertThat(e).isNull();
        return h.attributes;
    }

    @Test
    void mergesAs4PathFromATwoOctetPeer() {
        PathAttributes a = decode2("""
                40 01 01 00
                40 02 08 02 03 fde8 5ba0 5ba0      # AS_PATH (2-octet): 65000 AS_TRANS AS_TRANS
                40 03 04 0a000001
                c0 11 0a 02 02 00011170 00011171   # AS4_PATH: 70000 70001
                """);
        assertThat(a.asPathSegments()).containsExactly(2, 3, 65000, 70000, 70001); // RFC 6793 4.2.3
    }

    @Test
    void ignoresAs4PathLongerThanAsPath() {
        PathAttributes a = decode2("""
                40 01 01 00
                40 02 04 02 01 5ba0
                40 03 04 0a000001
                c0 11 0a 02 02 00011170 00011171
                """);
        assertThat(a.asPathSegments()).containsExactly(2, 1, 23456);
    }

    @Test
    void as4AggregatorReplacesAsTransAggregator() {
        PathAttributes a = decode2("""
                40 01 01 00
                40 02 04 02 01 5ba0
                40 03 04 0a000001
                c0 07 06 5ba0 c0000201             # AGGREGATOR AS_TRANS 192.0.2.1
                c0 11 06 02 01 00011170            # AS4_PATH 70000
                c0 12 08 00011170 c0000201         # AS4_AGGREGATOR 70000 192.0.2.1
                """);
        assertThat(a.aggregatorAs()).isEqualTo(70000);
        assertThat(a.asPathSegments()).containsExactly(2, 1, 70000);
    }

    @Test
    void realAggregatorMeansAs4AttributesAreIgnored() {
        PathAttributes a = decode2("""
                40 01 01 00
                40 02 04 02 01 5ba0
                40 03 04 0a000001
                c0 07 06 fde8 c0000201             # AGGREGATOR 65000: a real 2-octet aggregator
                c0 11 06 02 01 00011170
                c0 12 08 00011170 c0000201
                """);
        assertThat(a.aggregatorAs()).isEqualTo(65000);
        assertThat(a.asPathSegments()).containsExactly(2, 1, 23456);
    }

    @Test
    void encodesAsTransAndAs4PathTowardsATwoOctetPeer() {
        PathAttributes a = interner.intern(new AttributesBuilder().origin(0)
                .appendSegment(AttributeType.AS_SEQUENCE, 70000, 65000).nextHop(0x0a000001).aggregator(70000, 0xc0000201));
        ByteBuf out = Unpooled.buffer();
        AttributeEncoder.write(out, a, false, true);
        assertThat(Hex.hex(out)).isEqualTo(Hex.hex(Hex.bytes("""
                40 01 01 00                        # ORIGIN
                40 02 06 02 02 5ba0 fde8           # AS_PATH: AS_TRANS 65000
                40 03 04 0a000001                  # NEXT_HOP
                c0 07 06 5ba0 c0000201             # AGGREGATOR AS_TRANS
                c0 11 0a 02 02 00011170 0000fde8   # AS4_PATH: 70000 65000
                c0 12 08 00011170 c0000201         # AS4_AGGREGATOR 70000
                """)));
        // and a 2-octet peer's view decodes back to the true path
        RecordingHandler h = new RecordingHandler();
        ByteBuf body = Unpooled.buffer().writeShort(0).writeShort(out.readableBytes()).writeBytes(out).writeBytes(Hex.bytes("08 0a"));
        assertThat(decoder.decode(body, false, false, h)).isNull();
        assertThat(h.attributes).isSameAs(a);
    }

    @Test
    void noAs4PathWhenEveryAsFitsTwoOctets() {
        PathAttributes a = interner.intern(new AttributesBuilder().origin(0)
                .appendSegment(AttributeType.AS_SEQUENCE, 65000).nextHop(0x0a000001));
        ByteBuf out = Unpooled.buffer();
        AttributeEncoder.write(out, a, false, true);
        assertThat(Hex.hex(out)).isEqualTo("40010100" + "40020402" + "01fde8" + "4003040a000001");
    }
}
