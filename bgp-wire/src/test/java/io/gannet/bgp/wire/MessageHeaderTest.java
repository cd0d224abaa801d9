package io.gannet.bgp.wire;

import static io.gannet.bgp.wire.Hex.MARKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** RFC 4271 6.1 header checks: each error with its subcode and data. */
class MessageHeaderTest {
    private static BgpError error(String hex, int max) {
        return catchThrowableOfType(BgpError.class, () -> MessageHeader.check(Hex.buf(hex), max));
    }

    @Test
    void acceptsValidHeaderAndReturnsLength() throws BgpError {
        assertThat(MessageHeader.check(Hex.buf(MARKER + "| 0013 | 04"), 4096)).isEqualTo(19);
        assertThat(MessageHeader.check(Hex.buf(MARKER + "| 1001 | 02"), 65535)).isEqualTo(4097);
    }

    @Test
    void markerNotAllOnesIsConnectionNotSynchronized() {
        BgpError e = error("fffffffffffffffffffffffffffffffe | 0013 | 04", 4096);
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.subcode()).isEqualTo(1);
        assertThat(e.data()).isEmpty();
    }

    @Test
    void badLengthCarriesTheLengthField() {
        BgpError tooShort = error(MARKER + "| 0012 | 04", 4096);
        assertThat(tooShort.code()).isEqualTo(1);
        assertThat(tooShort.subcode()).isEqualTo(2);
        assertThat(tooShort.data()).containsExactly(0x00, 0x12);
        // 4097 is only legal after RFC 8654 negotiation.
        BgpError tooLong = error(MARKER + "| 1001 | 02", 4096);
        assertThat(tooLong.subcode()).isEqualTo(2);
        assertThat(tooLong.data()).containsExactly(0x10, 0x01);
    }

    @Test
    void lengthWrongForTypeIsBadLength() {
        assertThat(error(MARKER + "| 0014 | 04", 4096).data()).containsExactly(0x00, 0x14); // KEEPALIVE must be 19
        assertThat(error(MARKER + "| 001c | 01", 4096).data()).containsExactly(0x00, 0x1c); // OPEN at least 29
        assertThat(error(MARKER + "| 0016 | 02", 4096).data()).containsExactly(0x00, 0x16); // UPDATE at least 23
        assertThat(error(MARKER + "| 0014 | 03", 4096).data()).containsExactly(0x00, 0x14); // NOTIFICATION at least 21
    }

    @Test
    void unknownTypeIsBadMessageTypeWithTheType() {
        BgpError e = error(MARKER + "| 0013 | 07", 4096);
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.subcode()).isEqualTo(3);
        assertThat(e.data()).containsExactly(0x07);
    }

    @Test
    void keepaliveGolden() {
        assertThat(Hex.hex(KeepaliveMessage.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)))
                .isEqualTo(Hex.clean(MARKER + "| 0013 | 04"));
    }
}
