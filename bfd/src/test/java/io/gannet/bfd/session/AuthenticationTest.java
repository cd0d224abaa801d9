package io.gannet.bfd.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bfd.wire.AuthType;
import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.DropReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 5880 6.7: each bad authentication is dropped, counted, and never changes state. */
class AuthenticationTest {

    @ParameterizedTest
    @EnumSource(value = AuthType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void matchingAuthenticationComesUp(AuthType type) {
        BfdAuthentication auth = BfdAuthentication.of(type, 3, "k3y");
        SessionPair s = new SessionPair(50_000, 50_000, 3, auth, auth);
        s.bringUp();
        assertThat(s.a.state()).isEqualTo(BfdState.UP);
        assertThat(s.b.state()).isEqualTo(BfdState.UP);
        for (int i = 0; i < 10; i++) {
            assertThat(s.send(s.a, s.b)).isNull();
            assertThat(s.send(s.b, s.a)).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(value = AuthType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void wrongKeyIsDroppedWithoutStateChange(AuthType type) {
        SessionPair s = new SessionPair(50_000, 50_000, 3, BfdAuthentication.of(type, 3, "right"),
                BfdAuthentication.of(type, 3, "wrong"));
        DropReason expected = type == AuthType.SIMPLE_PASSWORD ? DropReason.AUTH_BAD_PASSWORD : DropReason.AUTH_BAD_DIGEST;
        assertThat(s.send(s.a, s.b)).isEqualTo(expected);
        assertThat(s.b.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.rb.changes).isEmpty();
        assertThat(s.b.snapshot().drops(expected)).isEqualTo(1);
        assertThat(s.b.snapshot().rxPackets()).isZero();
    }

    @Test
    void keyIdOrTypeMismatchIsDropped() {
        SessionPair s = new SessionPair(50_000, 50_000, 3, BfdAuthentication.of(AuthType.KEYED_SHA1, 1, "k"),
                BfdAuthentication.of(AuthType.KEYED_SHA1, 2, "k"));
        assertThat(s.send(s.a, s.b)).isEqualTo(DropReason.AUTH_TYPE_OR_KEY_MISMATCH);
        SessionPair t = new SessionPair(50_000, 50_000, 3, BfdAuthentication.of(AuthType.KEYED_MD5, 1, "k"),
                BfdAuthentication.of(AuthType.KEYED_SHA1, 1, "k"));
        assertThat(t.send(t.a, t.b)).isEqualTo(DropReason.AUTH_TYPE_OR_KEY_MISMATCH);
        assertThat(t.b.state()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void missingOrUnexpectedAuthenticationIsDropped() {
        SessionPair s = new SessionPair(50_000, 50_000, 3, null, BfdAuthentication.of(AuthType.KEYED_MD5, 1, "k"));
        assertThat(s.send(s.a, s.b)).isEqualTo(DropReason.AUTH_MISSING);
        assertThat(s.send(s.b, s.a)).isEqualTo(DropReason.AUTH_UNEXPECTED);
        assertThat(s.a.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.b.state()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void tamperedPacketFailsDigest() {
        BfdAuthentication auth = BfdAuthentication.of(AuthType.METICULOUS_KEYED_MD5, 9, "k");
        SessionPair s = new SessionPair(50_000, 50_000, 3, auth, auth);
        s.build(s.a);
        s.bytes[19] ^= 0x01; // flip a bit of Required Min RX after signing
        assertThat(s.deliverLast(s.b)).isEqualTo(DropReason.AUTH_BAD_DIGEST);
        assertThat(s.b.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.rb.changes).isEmpty();
    }

    @Test
    void meticulousRejectsReplayedSequenceNumber() {
        BfdAuthentication auth = BfdAuthentication.of(AuthType.METICULOUS_KEYED_SHA1, 9, "k");
        SessionPair s = new SessionPair(50_000, 50_000, 3, auth, auth);
        assertThat(s.send(s.a, s.b)).isNull();
        // Replay the very same packet: meticulous needs a strictly larger sequence number.
        assertThat(s.deliverLast(s.b)).isEqualTo(DropReason.AUTH_BAD_SEQUENCE);
        assertThat(s.b.snapshot().drops(DropReason.AUTH_BAD_SEQUENCE)).isEqualTo(1);
        assertThat(s.b.state()).isEqualTo(BfdState.INIT);
    }

    @Test
    void keyedAcceptsSameSequenceButNotFarAhead() {
        BfdAuthentication auth = BfdAuthentication.of(AuthType.KEYED_MD5, 9, "k");
        SessionPair s = new SessionPair(50_000, 50_000, 3, auth, auth);
        assertThat(s.send(s.a, s.b)).isNull();
        assertThat(s.deliverLast(s.b)).isNull(); // keyed: the same number is inside the window
        // Skip far ahead: more than 3 * Detect Mult beyond the last one.
        for (int i = 0; i < 10; i++) {
            s.build(s.a);
        }
        assertThat(s.deliverLast(s.b)).isEqualTo(DropReason.AUTH_BAD_SEQUENCE);
        // Sequence knowledge expires after twice the detection time without packets (6.7.3).
        s.advance(10_000 * SessionPair.MS);
        assertThat(s.send(s.a, s.b)).isNull();
    }
}
