package io.gannet.bgp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Framing under paranoid leak detection (surefire's argLine): every frame is released here. */
class BgpFrameDecoderTest {
    static final String KEEPALIVE = "ffffffffffffffffffffffffffffffff001304";
    static final String UPDATE_EOR = "ffffffffffffffffffffffffffffffff00170200000000";

    static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(s));
    }

    @Test
    void cutsMessagesAcrossArbitrarySegmentBoundaries() {
        EmbeddedChannel ch = new EmbeddedChannel(new BgpFrameDecoder());
        byte[] stream = HexFormat.of().parseHex(KEEPALIVE + UPDATE_EOR + KEEPALIVE);
        // One byte at a time: nothing comes out until a message is complete.
        for (byte b : stream) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        String[] expected = {KEEPALIVE, UPDATE_EOR, KEEPALIVE};
        for (String e : expected) {
            ByteBuf frame = ch.readInbound();
            assertThat(ByteBufUtil.hexDump(frame)).isEqualTo(e);
            frame.release();
        }
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void badHeaderIsReportedOnceAndTheRestDiscarded() {
        EmbeddedChannel ch = new EmbeddedChannel(new BgpFrameDecoder());
        ch.writeInbound(hex(KEEPALIVE + "ffffffffffffffffffffffffffffffff001309" + KEEPALIVE));
        ByteBuf first = ch.readInbound();
        first.release();
        BgpFrameDecoder.FramingError err = ch.readInbound();
        assertThat(err.error().code()).isEqualTo(1);
        assertThat(err.error().subcode()).isEqualTo(3);
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(hex(KEEPALIVE));
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void extendedMessageLengthOnlyAfterNegotiation() {
        BgpFrameDecoder decoder = new BgpFrameDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        String big = "ffffffffffffffffffffffffffffffff" + "1388" + "02" + "0000" + "1371" + "00".repeat(0x1371);
        decoder.maxLength(65535);
        ch.writeInbound(hex(big));
        ByteBuf frame = ch.readInbound();
        assertThat(frame.readableBytes()).isEqualTo(5000);
        frame.release();
        ch.finishAndReleaseAll();
    }
}
