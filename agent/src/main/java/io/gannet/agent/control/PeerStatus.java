package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One BGP session as {@code gannet show peers} shows it.
 *
 * @param name               the peer's configured (or dynamic-neighbor) name
 * @param address            the neighbor's address; null for an unnumbered neighbor whose
 *                           link-local address is not learned yet (then lastError says so)
 * @param remoteAs           the neighbor's AS
 * @param localAs            our AS on this session
 * @param state              the FSM state (RFC 4271 8.2.2)
 * @param adminDisabled      disabled by {@code gannet peer disable} (then state is Idle)
 * @param sinceEpochMillis   when {@code state} was entered
 * @param prefixesReceived   prefixes in the Adj-RIB-In, before import policy
 * @param prefixesAccepted   prefixes the import policy accepted
 * @param prefixesAdvertised prefixes in this peer's Adj-RIB-Out
 * @param bfdState           the BFD session beside this peer, or {@link BfdState#NONE}
 * @param lastError          the last error that ended the session (for example
 *                           "received NOTIFICATION Cease/Administrative Shutdown: maintenance"),
 *                           or null when there was none
 * @param messagesIn         messages received, by type
 * @param messagesOut        messages sent, by type
 * @param flaps              transitions out of Established since the daemon started
 */
public record PeerStatus(
        String name,
        InetAddress address,
        long remoteAs,
        long localAs,
        SessionState state,
        boolean adminDisabled,
        long sinceEpochMillis,
        long prefixesReceived,
        long prefixesAccepted,
        long prefixesAdvertised,
        BfdState bfdState,
        String lastError,
        MessageCounts messagesIn,
        MessageCounts messagesOut,
        long flaps) {

    public PeerStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(bfdState, "bfdState");
        Objects.requireNonNull(messagesIn, "messagesIn");
        Objects.requireNonNull(messagesOut, "messagesOut");
    }
}
