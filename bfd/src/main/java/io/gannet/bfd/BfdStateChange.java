package io.gannet.bfd;

import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.Diagnostic;
import java.time.Instant;

/**
 * A session state change as a client sees it. The first event a listener receives has
 * {@code initial == true} and reports the session's state at subscription.
 *
 * @param key the session
 * @param from previous state
 * @param to new state
 * @param diagnostic bfd.LocalDiag after the change (why the session went down)
 * @param at wall-clock time of the change
 * @param monotonicNanos the service clock's time of the change
 * @param lastReceivedNanos the service clock's time of the last accepted packet
 *     (Long.MIN_VALUE if none): "last packet -> Down" is {@code monotonicNanos - lastReceivedNanos}
 * @param initial true for the snapshot delivered on subscription
 */
public record BfdStateChange(BfdPeerSpec.Key key, BfdState from, BfdState to, Diagnostic diagnostic, Instant at,
        long monotonicNanos, long lastReceivedNanos, boolean initial) {

    public boolean isUp() {
        return to == BfdState.UP;
    }

    /** True for Up -> not Up: what should tear a BGP session down (RFC 5882). */
    public boolean wentDown() {
        return from == BfdState.UP && to != BfdState.UP;
    }
}
