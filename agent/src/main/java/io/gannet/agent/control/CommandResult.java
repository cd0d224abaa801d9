package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * What a runtime command did.
 *
 * @param changed      false when the daemon already was in the asked-for state (disabling a
 *                     disabled peer, withdrawing twice): the command is idempotent, not an error
 * @param message      one line for the operator ("peer tor1 disabled, Cease sent: maintenance")
 * @param advertisedTo for announce: the peers whose Adj-RIB-Out now holds the route; null for
 *                     other commands
 * @param warning      something the operator should know although the command was done ("no
 *                     peer received the route"), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandResult(boolean changed, String message, List<String> advertisedTo, String warning) {
    public CommandResult {
        Objects.requireNonNull(message, "message");
        advertisedTo = advertisedTo == null ? null : List.copyOf(advertisedTo);
    }

    public CommandResult(boolean changed, String message) {
        this(changed, message, null, null);
    }
}
