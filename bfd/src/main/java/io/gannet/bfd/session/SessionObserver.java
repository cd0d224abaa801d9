package io.gannet.bfd.session;

import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.Diagnostic;

/** What a {@link BfdSession} tells its owner. Called with the session's lock held: do not block. */
public interface SessionObserver {
    /** A state transition, logged once and counted by the session before this call. */
    void stateChanged(BfdSession session, BfdState from, BfdState to, Diagnostic diagnostic, long atNanos);

    /** The session wants a packet sent before its next periodic one (Final, state change, Poll). */
    void transmitSoon(BfdSession session);
}
