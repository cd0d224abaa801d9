package io.gannet.bgp.session;

import io.gannet.bgp.wire.Negotiated;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * One peer as the operator sees it (`gannet show peers`). Immutable snapshot.
 *
 * @param name        configured name (dynamic neighbors: "dynamic-" plus the address)
 * @param address     the neighbor's address
 * @param remoteAs    configured AS, or the AS its OPEN announced for a dynamic neighbor
 * @param state       FSM state
 * @param since       when the FSM entered {@code state}
 * @param lastError   the last error or reason the session went down, or null
 * @param messagesIn  received messages by type
 * @param messagesOut sent messages by type
 * @param flaps       how often the session left Established
 * @param uptime      time in Established, zero when not established
 * @param adminDown   disabled by the operator
 * @param dynamic     accepted from a dynamic-neighbor range
 * @param transitions FSM transitions so far
 * @param negotiated  what the OPENs agreed on while OpenConfirm or Established, else null
 * @param lastErrorEpochMillis when {@code lastError} was recorded (epoch millis), 0 when never
 */
public record PeerStatus(
        String name,
        InetAddress address,
        long remoteAs,
        SessionState state,
        Instant since,
        String lastError,
        MessageCounts messagesIn,
        MessageCounts messagesOut,
        long flaps,
        Duration uptime,
        boolean adminDown,
        boolean dynamic,
        long transitions,
        Negotiated negotiated,
        long lastErrorEpochMillis) {}
