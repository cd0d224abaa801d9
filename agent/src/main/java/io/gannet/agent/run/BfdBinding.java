package io.gannet.agent.run;

import io.gannet.agent.control.BfdSessionStatus;
import io.gannet.agent.control.BfdState;
import io.gannet.agent.control.ControlException;
import java.util.List;

/**
 * BFD beside BGP sessions, as the daemon's read model sees it. This build's daemon runs no
 * BFD sessions yet: every peer reports {@link BfdState#NONE} and {@code show bfd} answers
 * "not available" rather than an empty list that would look like healthy BFD.
 */
final class BfdBinding {
    BfdState stateOf(String peerName) {
        return BfdState.NONE;
    }

    List<BfdSessionStatus> sessions() {
        throw ControlException.notAvailable("bfd");
    }
}
