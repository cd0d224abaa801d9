package io.gannet.bfd.session;

import static io.gannet.bfd.session.SessionPair.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.ControlPacket;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.bfd.wire.DropReason;
import org.junit.jupiter.api.Test;

/** Every transition of RFC 5880 6.2 / 6.8.6, Poll/Final (6.8.3), detection time (6.8.4), transmission (6.8.7). */
class BfdSessionTest {

    @Test
    void downToInitOnDownThenUpOnUp() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        assertThat(s.send(s.a, s.b)).isNull();
        assertThat(s.b.state()).isEqualTo(BfdState.INIT);
        assertThat(s.rb.changes).containsExactly(new SessionPair.Change(BfdState.DOWN, BfdState.INIT, Diagnostic.NONE, s.now));
        assertThat(s.send(s.b, s.a)).isNull();
        assertThat(s.a.state()).isEqualTo(BfdState.UP); // Down + rx Init -> Up
        assertThat(s.send(s.a, s.b)).isNull();
        assertThat(s.b.state()).isEqualTo(BfdState.UP); // Init + rx Up -> Up
        assertThat(s.a.snapshot().remoteDiscriminator()).isEqualTo(0x2222);
        assertThat(s.b.snapshot().remoteDiscriminator()).isEqualTo(0x1111);
        assertThat(s.a.localDiagnostic()).isEqualTo(Diagnostic.NONE);
    }

    @Test
    void initToUpOnInit() {
        SessionPair v = new SessionPair(50_000, 50_000, 3);
        // Cross the two Down packets: both go Init, then each Init reaches the other.
        v.build(v.a);
        byte[] aDownBytes = v.bytes.clone();
        int aLen = v.lastLength;
        v.send(v.b, v.a); // a: Down + Down -> Init
        System.arraycopy(aDownBytes, 0, v.bytes, 0, aLen);
        v.lastLength = aLen;
        v.deliverLast(v.b); // b: Down + Down -> Init
        assertThat(v.a.state()).isEqualTo(BfdState.INIT);
        assertThat(v.b.state()).isEqualTo(BfdState.INIT);
        v.send(v.a, v.b); // b: Init + Init -> Up
        assertThat(v.b.state()).isEqualTo(BfdState.UP);
        v.send(v.b, v.a); // a: Init + Up -> Up
        assertThat(v.a.state()).isEqualTo(BfdState.UP);
    }

    @Test
    void upToDownWhenNeighborSignalsDown() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.bringUp();
        s.b.setAdminDown(true, s.now);
        s.b.setAdminDown(false, s.now); // b is now Down (diag 7) and says so
        assertThat(s.b.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.send(s.b, s.a)).isNull();
        assertThat(s.a.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.a.localDiagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
        assertThat(s.a.snapshot().flaps()).isEqualTo(1);
    }

    @Test
    void downWithYourDiscriminatorZeroTakesSessionDown() {
        // What a peer sends after its own detection timeout: Down, Your Discriminator 0.
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.bringUp();
        s.advance(200 * MS);
        s.b.pollTimers(s.now); // b times out: Down, remote discriminator reset to 0
        assertThat(s.b.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.b.snapshot().remoteDiscriminator()).isZero();
        s.a.pollTimers(s.now - 1); // not yet at a's deadline? a heard b at the same time; keep a Up
        ControlPacket p = s.build(s.b);
        assertThat(p.yourDiscriminator).isZero();
        assertThat(p.state).isEqualTo(BfdState.DOWN);
        assertThat(p.diagnostic).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED);
    }

    @Test
    void adminDownFromPeerTakesUpAndInitDown() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.bringUp();
        s.b.setAdminDown(true, s.now);
        assertThat(s.b.state()).isEqualTo(BfdState.ADMIN_DOWN);
        assertThat(s.b.localDiagnostic()).isEqualTo(Diagnostic.ADMINISTRATIVELY_DOWN);
        s.send(s.b, s.a);
        assertThat(s.a.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.a.localDiagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
        // Down + rx AdminDown: stays Down, no transition.
        int before = s.ra.changes.size();
        s.send(s.b, s.a);
        assertThat(s.ra.changes).hasSize(before);

        SessionPair t = new SessionPair(50_000, 50_000, 3);
        t.send(t.a, t.b); // b Init
        t.a.setAdminDown(true, t.now);
        t.send(t.a, t.b);
        assertThat(t.b.state()).isEqualTo(BfdState.DOWN); // Init + AdminDown -> Down
        assertThat(t.b.localDiagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
    }

    @Test
    void localAdminDownDiscardsPacketsAndLeavesToDown() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.bringUp();
        s.a.setAdminDown(true, s.now);
        assertThat(s.send(s.b, s.a)).isEqualTo(DropReason.LOCAL_ADMIN_DOWN);
        assertThat(s.a.state()).isEqualTo(BfdState.ADMIN_DOWN);
        assertThat(s.a.snapshot().drops(DropReason.LOCAL_ADMIN_DOWN)).isEqualTo(1);
        s.a.setAdminDown(false, s.now);
        assertThat(s.a.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.ra.changes.get(s.ra.changes.size() - 1).to()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void upAndInitIgnoreTheRightPackets() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.bringUp();
        int before = s.ra.changes.size();
        s.send(s.b, s.a); // Up + Up: nothing
        assertThat(s.a.state()).isEqualTo(BfdState.UP);
        assertThat(s.ra.changes).hasSize(before);
        // Down + rx Up: stays Down (the peer must see our Down first).
        SessionPair t = new SessionPair(50_000, 50_000, 3);
        t.bringUp();
        t.a.setAdminDown(true, t.now);
        t.a.setAdminDown(false, t.now);
        t.send(t.b, t.a);
        assertThat(t.a.state()).isEqualTo(BfdState.DOWN);
        // Init + rx Down: stays Init.
        SessionPair v = new SessionPair(50_000, 50_000, 3);
        v.send(v.a, v.b); // b Init
        v.build(v.a); // another Down from a
        v.deliverLast(v.b);
        assertThat(v.b.state()).isEqualTo(BfdState.INIT);
    }

    // ------------------------------------------------------------ detection time, 6.8.4

    @Test
    void detectionTimeIsRemoteMultTimesAgreedRemoteInterval() {
        // a: rx 30 ms, b: tx 50 ms, mult 4 -> a's detection time = 4 * max(30, 50) = 200 ms.
        SessionPair s = new SessionPair(50_000, 30_000, 4);
        s.bringUp();
        s.b.updateTimers(50_000, 30_000, 4, s.now);
        s.send(s.b, s.a);
        // b advertises 50 ms (Up, poll outstanding), a requires 30 ms.
        assertThat(s.a.snapshot().detectionTimeMicros()).isEqualTo(4 * 50_000);
        long deadline = s.now + 200 * MS;
        assertThat(s.a.snapshot().detectDeadline()).isEqualTo(deadline);
        s.now = deadline - 1;
        s.a.pollTimers(s.now);
        assertThat(s.a.state()).isEqualTo(BfdState.UP);
        s.now = deadline;
        s.a.pollTimers(s.now);
        assertThat(s.a.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.a.localDiagnostic()).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED);
        assertThat(s.a.snapshot().detectionEvents()).isEqualTo(1);
        assertThat(s.a.snapshot().remoteDiscriminator()).isZero();
        assertThat(s.a.snapshot().remoteMinRxMicros()).isEqualTo(1);
        assertThat(s.ra.changes.get(s.ra.changes.size() - 1))
                .isEqualTo(new SessionPair.Change(BfdState.UP, BfdState.DOWN, Diagnostic.CONTROL_DETECTION_TIME_EXPIRED, deadline));
    }

    @Test
    void detectionTimeUsesOurRequiredMinRxWhenLarger() {
        SessionPair s = new SessionPair(10_000, 10_000, 3);
        s.bringUp();
        s.a.updateTimers(10_000, 100_000, 3, s.now); // a needs 100 ms: increase applies at once
        s.send(s.b, s.a);
        assertThat(s.a.snapshot().detectionTimeMicros()).isEqualTo(3 * 100_000);
    }

    @Test
    void initTimesOutToDown() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.send(s.a, s.b); // b Init; a advertises the 1 s slow rate
        assertThat(s.b.snapshot().detectionTimeMicros()).isEqualTo(3 * 1_000_000);
        s.advance(3000 * MS);
        s.b.pollTimers(s.now);
        assertThat(s.b.state()).isEqualTo(BfdState.DOWN);
        assertThat(s.b.localDiagnostic()).isEqualTo(Diagnostic.CONTROL_DETECTION_TIME_EXPIRED);
    }

    @Test
    void downSessionTimeoutResetsRemoteButIsNoTransition() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.bringUp();
        s.b.setAdminDown(true, s.now);
        s.send(s.b, s.a); // a Down
        int before = s.ra.changes.size();
        s.advance(10_000 * MS);
        s.a.pollTimers(s.now);
        assertThat(s.ra.changes).hasSize(before);
        assertThat(s.a.snapshot().remoteDiscriminator()).isZero();
        assertThat(s.a.snapshot().detectionEvents()).isZero();
    }

    // ------------------------------------------------------------ transmission, 6.8.3 / 6.8.7

    @Test
    void slowRateWhileNotUpAndPollWhenGoingUp() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        ControlPacket first = s.build(s.a);
        assertThat(first.desiredMinTxMicros).isEqualTo(1_000_000); // 6.8.3: >= 1 s while not Up
        assertThat(first.requiredMinRxMicros).isEqualTo(50_000);
        assertThat(first.requiredMinEchoRxMicros).isZero();
        assertThat(s.a.snapshot().nextTxAt()).isEqualTo(s.now + 1000 * MS);
        s.deliverLast(s.b);
        s.send(s.b, s.a); // a Up
        assertThat(s.a.state()).isEqualTo(BfdState.UP);
        assertThat(s.a.snapshot().pollActive()).isTrue();
        ControlPacket poll = s.build(s.a);
        assertThat(poll.poll).isTrue();
        assertThat(poll.fin).isFalse();
        assertThat(poll.desiredMinTxMicros).isEqualTo(50_000);
        s.deliverLast(s.b); // b Up, and b owes a Final
        ControlPacket fin = s.build(s.b);
        assertThat(fin.fin).isTrue();
        assertThat(fin.poll).isFalse(); // 6.8.7: never P and F together (b's own poll waits)
        s.deliverLast(s.a);
        assertThat(s.a.snapshot().pollActive()).isFalse();
        assertThat(s.a.snapshot().txIntervalMicros()).isEqualTo(50_000);
    }

    @Test
    void increasedTxIntervalWaitsForFinal() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        upAndSettled(s);
        s.a.updateTimers(300_000, 50_000, 3, s.now);
        assertThat(s.a.snapshot().pollActive()).isTrue();
        // 6.8.3: the actual interval must not change until the Poll Sequence ends.
        assertThat(s.a.snapshot().txIntervalMicros()).isEqualTo(50_000);
        ControlPacket p = s.build(s.a);
        assertThat(p.poll).isTrue();
        assertThat(p.desiredMinTxMicros).isEqualTo(300_000);
        s.deliverLast(s.b);
        assertThat(s.b.snapshot().detectionTimeMicros()).isEqualTo(3 * 300_000); // b adopts the slower rate at once
        s.send(s.b, s.a); // Final
        assertThat(s.a.snapshot().pollActive()).isFalse();
        assertThat(s.a.snapshot().txIntervalMicros()).isEqualTo(300_000);
    }

    @Test
    void reducedRxKeepsOldDetectionTimeUntilFinal() {
        SessionPair s = new SessionPair(50_000, 100_000, 3);
        upAndSettled(s);
        assertThat(s.a.snapshot().detectionTimeMicros()).isEqualTo(3 * 100_000);
        s.a.updateTimers(50_000, 20_000, 3, s.now);
        assertThat(s.a.snapshot().detectionTimeMicros()).isEqualTo(3 * 100_000); // 6.8.3: previous value until Final
        s.send(s.a, s.b); // poll carries rx 20 ms
        assertThat(s.b.snapshot().txIntervalMicros()).isEqualTo(50_000);
        s.send(s.b, s.a); // Final
        assertThat(s.a.snapshot().pollActive()).isFalse();
        assertThat(s.a.snapshot().detectionTimeMicros()).isEqualTo(3 * 50_000);
    }

    @Test
    void secondChangeDuringPollStartsAnotherPollAfterFinal() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        upAndSettled(s);
        s.a.updateTimers(100_000, 50_000, 3, s.now);
        s.a.updateTimers(200_000, 50_000, 3, s.now);
        s.send(s.a, s.b);
        s.send(s.b, s.a); // Final ends the first poll, the pending one starts
        assertThat(s.a.snapshot().pollActive()).isTrue();
        assertThat(s.build(s.a).poll).isTrue();
        s.deliverLast(s.b);
        s.send(s.b, s.a);
        assertThat(s.a.snapshot().pollActive()).isFalse();
        assertThat(s.a.snapshot().txIntervalMicros()).isEqualTo(200_000);
    }

    @Test
    void finalIsSentImmediatelyAndPeriodicScheduleKept() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        upAndSettled(s);
        long periodicAt = s.b.snapshot().nextTxAt();
        s.advance(10 * MS);
        s.a.updateTimers(60_000, 50_000, 3, s.now);
        s.send(s.a, s.b);
        assertThat(s.b.pollTimers(s.now)).isTrue(); // Final due now, not at the periodic time
        ControlPacket fin = s.build(s.b);
        assertThat(fin.fin).isTrue();
        assertThat(s.b.snapshot().nextTxAt()).isEqualTo(periodicAt);
    }

    @Test
    void periodicTransmissionFollowsNegotiatedInterval() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        upAndSettled(s);
        // b requires 200 ms between packets: a's interval is max(50, 200) = 200 ms.
        s.b.updateTimers(50_000, 200_000, 3, s.now);
        s.send(s.b, s.a);
        assertThat(s.a.snapshot().txIntervalMicros()).isEqualTo(200_000);
        s.build(s.a); // Final
        s.advance(s.a.snapshot().nextTxAt() - s.now);
        assertThat(s.a.pollTimers(s.now - 1)).isFalse();
        assertThat(s.a.pollTimers(s.now)).isTrue();
        s.build(s.a);
        assertThat(s.a.snapshot().nextTxAt() - s.now).isEqualTo(200 * MS);
    }

    @Test
    void noPeriodicPacketsWhenRemoteMinRxIsZero() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        s.b.updateTimers(1_000_000, 0, 3, s.now); // b: "do not send me periodic packets" (6.8.7)
        s.send(s.b, s.a);
        assertThat(s.a.snapshot().remoteMinRxMicros()).isZero();
        s.build(s.a); // the pending state-change packet still goes out
        s.advance(2_000 * MS);
        assertThat(s.a.pollTimers(s.now)).isFalse();
        assertThat(s.a.nextDeadline()).isEqualTo(s.a.snapshot().detectDeadline());
    }

    @Test
    void sameDiscriminatorOnBothSidesWorks() {
        // Two FRR daemons may pick the same discriminator; nothing compares My with Your.
        SessionPair.Recorder ra = new SessionPair.Recorder();
        SessionPair.Recorder rb = new SessionPair.Recorder();
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        BfdSession a = new BfdSession("a", 0x4242, 50_000, 50_000, 3, null, ra, TxJitter.fixed(1.0), s.now);
        BfdSession b = new BfdSession("b", 0x4242, 50_000, 50_000, 3, null, rb, TxJitter.fixed(1.0), s.now);
        s.send(a, b);
        s.send(b, a);
        s.send(a, b);
        assertThat(a.state()).isEqualTo(BfdState.UP);
        assertThat(b.state()).isEqualTo(BfdState.UP);
        assertThat(a.snapshot().remoteDiscriminator()).isEqualTo(a.localDiscriminator());
    }

    @Test
    void jitterStaysInRfcRange() {
        TxJitter j = TxJitter.random(42);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 100_000; i++) {
            long v = j.apply(1_000_000, 3);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isBetween(750_000L, 760_000L);
        assertThat(max).isBetween(990_000L, 1_000_000L);
        min = Long.MAX_VALUE;
        max = 0;
        for (int i = 0; i < 100_000; i++) {
            long v = j.apply(1_000_000, 1);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // 6.8.7: with Detect Mult 1, between 75% and 90%.
        assertThat(min).isBetween(750_000L, 760_000L);
        assertThat(max).isBetween(890_000L, 900_000L);
    }

    @Test
    void rejectsInvalidTimers() {
        SessionPair s = new SessionPair(50_000, 50_000, 3);
        assertThatThrownBy(() -> s.a.updateTimers(0, 50_000, 3, s.now)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.a.updateTimers(50_000, 50_000, 0, s.now)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.a.updateTimers(50_000, 50_000, 256, s.now)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Up on both sides with the Up-time poll sequences completed. */
    static void upAndSettled(SessionPair s) {
        s.bringUp();
        for (int i = 0; i < 4; i++) {
            s.send(s.a, s.b);
            s.send(s.b, s.a);
        }
        assertThat(s.a.snapshot().pollActive()).isFalse();
        assertThat(s.b.snapshot().pollActive()).isFalse();
        assertThat(s.a.state()).isEqualTo(BfdState.UP);
        assertThat(s.b.state()).isEqualTo(BfdState.UP);
    }
}
