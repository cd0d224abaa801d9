package io.gannet.agent.control;

import java.util.Objects;

/**
 * What a runtime command did.
 *
 * @param changed false when the daemon already was in the asked-for state (disabling a
 *                disabled peer, withdrawing twice): the command is idempotent, not an error
 * @param message one line for the operator ("peer tor1 disabled, Cease sent: maintenance")
 */
public record CommandResult(boolean changed, String message) {
    public CommandResult {
        Objects.requireNonNull(message, "message");
    }
}
