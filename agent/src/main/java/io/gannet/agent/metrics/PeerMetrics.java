package io.gannet.agent.metrics;

import io.gannet.agent.control.MessageCounts;
import io.gannet.agent.control.SessionState;
import java.util.List;
import java.util.Objects;

/**
 * One BGP session's metrics at the moment of a snapshot. Counters are totals since the daemon
 * started and never go down.
 *
 * @param name                   peer name (the {@code peer} label)
 * @param address                neighbor address as text (the {@code neighbor} label)
 * @param remoteAs               the neighbor's AS
 * @param localAs                our AS on the session
 * @param state                  FSM state
 * @param adminDisabled          disabled by an operator
 * @param stateSinceEpochMillis  when {@code state} was entered (uptime while Established)
 * @param establishedTransitions times the session entered Established
 * @param flaps                  times the session left Established
 * @param messagesIn             received messages by type
 * @param messagesOut            sent messages by type
 * @param lastError              the last error that ended the session, or null
 * @param lastErrorEpochMillis   when it happened, 0 when never
 * @param importPolicy           import policy name (bird_exporter's {@code import_filter} label)
 * @param exportPolicy           export policy name ({@code export_filter})
 * @param families               per-family counters
 */
public record PeerMetrics(
        String name,
        String address,
        long remoteAs,
        long localAs,
        SessionState state,
        boolean adminDisabled,
        long stateSinceEpochMillis,
        long establishedTransitions,
        long flaps,
        MessageCounts messagesIn,
        MessageCounts messagesOut,
        String lastError,
        long lastErrorEpochMillis,
        String importPolicy,
        String exportPolicy,
        List<FamilyMetrics> families) {

    public PeerMetrics {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(messagesIn, "messagesIn");
        Objects.requireNonNull(messagesOut, "messagesOut");
        Objects.requireNonNull(importPolicy, "importPolicy");
        Objects.requireNonNull(exportPolicy, "exportPolicy");
        families = List.copyOf(families);
    }
}
