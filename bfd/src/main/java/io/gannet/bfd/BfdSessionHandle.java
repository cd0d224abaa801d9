package io.gannet.bfd;

import io.gannet.bfd.wire.BfdState;
import java.time.Duration;

/** A client's hold on a (possibly shared) BFD session. Closing it releases the client's reference. */
public interface BfdSessionHandle extends AutoCloseable {
    BfdPeerSpec.Key key();

    /** Current state (for strict mode: do not let BGP reach Established before Up). */
    BfdState state();

    BfdSessionStatus status();

    /**
     * Changes the session's timers at runtime; a Poll Sequence negotiates them with the peer
     * (RFC 5880 6.8.3). Applies to every client of a shared session.
     */
    void updateTimers(Duration desiredMinTx, Duration requiredMinRx, int detectMult);

    /** AdminDown (diag 7) or back to Down; applies to every client of a shared session. */
    void setAdminDown(boolean adminDown);

    /** Releases this client; the last release sends AdminDown and deletes the session. Idempotent. */
    @Override
    void close();
}
