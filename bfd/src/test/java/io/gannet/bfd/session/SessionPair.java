package io.gannet.bfd.session;

import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.ControlPacket;
import io.gannet.bfd.wire.ControlPacketCodec;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.bfd.wire.DropReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Two sessions wired back to back through the real codec, with a time the test moves.
 * Nothing sleeps; packets flow only when the test says so.
 */
final class SessionPair {
    static final long MS = 1_000_000L;

    record Change(BfdState from, BfdState to, Diagnostic diag, long at) {}

    static final class Recorder implements SessionObserver {
        final List<Change> changes = new ArrayList<>();
        int wakeups;

        @Override
        public void stateChanged(BfdSession s, BfdState from, BfdState to, Diagnostic d, long at) {
            changes.add(new Change(from, to, d, at));
        }

        @Override
        public void transmitSoon(BfdSession s) {
            wakeups++;
        }
    }

    long now = 1_000 * MS;
    final Recorder ra = new Recorder();
    final Recorder rb = new Recorder();
    final BfdSession a;
    final BfdSession b;
    final ControlPacket last = new ControlPacket();
    final byte[] bytes = new byte[ControlPacket.MAX_LENGTH];
    int lastLength;

    SessionPair(long txMicros, long rxMicros, int mult, BfdAuthentication authA, BfdAuthentication authB) {
        a = new BfdSession("a", 0x1111, txMicros, rxMicros, mult, authA, ra, TxJitter.fixed(1.0), now);
        b = new BfdSession("b", 0x2222, txMicros, rxMicros, mult, authB, rb, TxJitter.fixed(1.0), now);
    }

    SessionPair(long txMicros, long rxMicros, int mult) {
        this(txMicros, rxMicros, mult, null, null);
    }

    /** Builds {@code from}'s next packet, encodes and signs it; leaves it in {@link #last} and {@link #bytes}. */
    ControlPacket build(BfdSession from) {
        ControlPacket p = new ControlPacket();
        from.nextPacket(p, now);
        ByteBuf out = Unpooled.wrappedBuffer(bytes).clear();
        lastLength = ControlPacketCodec.encode(p, out);
        from.sign(bytes, lastLength);
        return p;
    }

    /** Sends {@code from}'s next packet to {@code to}; returns the drop reason (null when accepted). */
    DropReason send(BfdSession from, BfdSession to) {
        build(from);
        return deliverLast(to);
    }

    DropReason deliverLast(BfdSession to) {
        DropReason r = ControlPacketCodec.decode(Unpooled.wrappedBuffer(bytes, 0, lastLength), last);
        if (r != null) {
            return r;
        }
        return to.receive(last, bytes, lastLength, now);
    }

    /** Three-way handshake: both sessions end Up. */
    void bringUp() {
        send(a, b); // a Down -> b: Down -> Init
        send(b, a); // b Init -> a: Down -> Up
        send(a, b); // a Up -> b: Init -> Up
    }

    void advance(long nanos) {
        now += nanos;
    }
}
