package io.gannet.bgp.wire;

import static io.gannet.bgp.wire.Hex.MARKER;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class NotificationMessageTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void holdTimerExpiredGolden() {
        assertThat(Hex.hex(new NotificationMessage(4, 0).encode(ALLOC)))
                .isEqualTo(Hex.clean(MARKER + "| 0015 | 03 | 04 | 00"));
    }

    @Test
    void adminShutdownWithCommunicationGolden() {
        // RFC 9003 2: length octet 3, then "bye" in UTF-8.
        String golden = MARKER + "| 0019 | 03 | 06 | 02 | 03 | 627965";
        assertThat(Hex.hex(NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_SHUTDOWN, "bye").encode(ALLOC)))
                .isEqualTo(Hex.clean(golden));
        var body = Hex.buf(golden).skipBytes(19);
        assertThat(decode(body).communication()).isEqualTo("bye");
        assertThat(decode(Hex.buf("06 04 03 627965")).toString()).isEqualTo("6/4 Cease/Administrative Reset \"bye\"");
    }

    @Test
    void sendHoldTimerExpiredIsCode8() {
        assertThat(Hex.hex(new NotificationMessage(NotificationMessage.SEND_HOLD_TIMER_EXPIRED, 0).encode(ALLOC)))
                .isEqualTo(Hex.clean(MARKER + "| 0015 | 03 | 08 | 00"));
    }

    @Test
    void communicationIsCutAt255BytesOnACharacterBoundary() {
        String text = "é".repeat(200); // 400 bytes of UTF-8
        NotificationMessage n = NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_SHUTDOWN, text);
        assertThat(n.data()[0] & 0xff).isEqualTo(254);
        assertThat(n.communication()).isEqualTo("é".repeat(127));
    }

    @Test
    void malformedCommunicationIsNotText() {
        assertThat(decode(Hex.buf("06 02 09 6162")).communication()).isNull(); // length beyond data
        assertThat(decode(Hex.buf("06 02 02 c328")).communication()).isNull(); // invalid UTF-8
        assertThat(decode(Hex.buf("06 03 03 627965")).communication()).isNull(); // not shutdown/reset
    }

    @Test
    void everySubcodeHasAName() {
        assertThat(new NotificationMessage(1, 1).toString()).isEqualTo("1/1 Message Header Error/Connection Not Synchronized");
        assertThat(new NotificationMessage(2, 7).toString()).isEqualTo("2/7 OPEN Message Error/Unsupported Capability");
        assertThat(new NotificationMessage(3, 11).toString()).isEqualTo("3/11 UPDATE Message Error/Malformed AS_PATH");
        assertThat(new NotificationMessage(5, 3).toString()).isEqualTo("5/3 Finite State Machine Error/Unexpected Message in Established");
        assertThat(new NotificationMessage(6, 7).toString()).isEqualTo("6/7 Cease/Connection Collision Resolution");
        assertThat(new NotificationMessage(7, 1).toString()).isEqualTo("7/1 ROUTE-REFRESH Message Error/Invalid Message Length");
        for (int sub = 1; sub <= 10; sub++) {
            assertThat(NotificationMessage.subcodeName(6, sub)).doesNotStartWith("subcode");
        }
        for (int sub = 1; sub <= 11; sub++) {
            assertThat(NotificationMessage.subcodeName(3, sub)).doesNotStartWith("subcode");
        }
    }

    @Test
    void shortBodyIsBadLength() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NotificationMessage.decode(Hex.buf("06")))
                .isInstanceOf(BgpError.class);
    }

    private static NotificationMessage decode(io.netty.buffer.ByteBuf body) {
        try {
            return NotificationMessage.decode(body);
        } catch (BgpError e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shutdownCommunicationsAreSanitisedLikeOurLogs() {
        // Issue 9: an operator's --message reaches the peer's logs and CLI; no line break, escape
        // sequence or bidi override may travel in it.
        NotificationMessage n = NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_SHUTDOWN,
                "maintenance\nstate=Established\u001b[31m \u202Eevil\u2028x\u0085y\tz");
        assertThat(n.communication()).isEqualTo("maintenance\\nstate=Established\\u001b[31m \\u202eevil\\u2028x\\u0085y\\tz");
        assertThat(n.communication()).doesNotContain("\n").doesNotContain("\u001b").doesNotContain("\u202E");
        // Plain text, accents and CJK pass unchanged.
        assertThat(NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_RESET, "Wartung: Rack 3 — 交換").communication())
                .isEqualTo("Wartung: Rack 3 — 交換");
    }
}
