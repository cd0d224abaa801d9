package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One BGP session in full, as {@code gannet show peer NAME} shows it (like BIRD's {@code show
 * protocols all} or FRR's {@code show bgp neighbor}).
 *
 * @param name               the peer's name
 * @param address            the neighbor's address
 * @param state              the FSM state
 * @param adminDisabled      disabled by {@code gannet peer disable}
 * @param sinceEpochMillis   when {@code state} was entered
 * @param uptimeSeconds      seconds in Established, 0 when not Established
 * @param localAs            our AS
 * @param remoteAs           the neighbor's AS
 * @param localRouterId      our BGP identifier (dotted quad), null before OpenConfirm
 * @param remoteRouterId     the neighbor's BGP identifier, null before OpenConfirm
 * @param holdTimeSeconds    the negotiated hold time (RFC 4271 4.2), null before OpenConfirm
 * @param keepaliveSeconds   the keepalive interval: a third of the hold time, null before OpenConfirm
 * @param capabilities       what both OPENs agreed on, in words ("4-octet AS numbers (RFC 6793)")
 * @param families           the address families the session carries
 * @param prefixesReceived   prefixes (not paths) in the Adj-RIB-In
 * @param prefixesAccepted   prefixes the import policy accepted
 * @param prefixesAdvertised prefixes in the Adj-RIB-Out
 * @param messagesIn         messages received, by type
 * @param messagesOut        messages sent, by type
 * @param flaps              transitions out of Established
 * @param lastError          the last error that ended the session, or null
 * @param lastErrorEpochMillis when it happened, or null when there was none
 */
public record PeerDetail(
        String name,
        InetAddress address,
        SessionState state,
        boolean adminDisabled,
        long sinceEpochMillis,
        long uptimeSeconds,
        long localAs,
        long remoteAs,
        String localRouterId,
        String remoteRouterId,
        Integer holdTimeSeconds,
        Integer keepaliveSeconds,
        List<String> capabilities,
        List<String> families,
        long prefixesReceived,
        long prefixesAccepted,
        long prefixesAdvertised,
        MessageCounts messagesIn,
        MessageCounts messagesOut,
        long flaps,
        String lastError,
        Long lastErrorEpochMillis) {

    public PeerDetail {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        capabilities = List.copyOf(capabilities);
        families = List.copyOf(families);
    }
}
