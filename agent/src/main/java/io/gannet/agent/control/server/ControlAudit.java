package io.gannet.agent.control.server;

/**
 * Where the control server reports each operator command (every POST: announce, withdraw,
 * peer disable/enable/reset/refresh, reload), including those it refused, as one record: who
 * sent it, what it asked, and the outcome. The daemon writes these as one structured log line
 * each.
 *
 * <p>Threads: called on a control worker thread after the command returned; must not block.
 */
@FunctionalInterface
public interface ControlAudit {
    /** Drops every record (tests and benchmarks). */
    ControlAudit NONE = (caller, action, target, status, outcome) -> { };

    /**
     * @param caller  who (socket peer credentials or token name)
     * @param action  what, in the CLI's words ({@code announce}, {@code peer disable}, ...)
     * @param target  the peer name or prefix the command names, or empty
     * @param status  the HTTP status answered (200 done, 4xx refused and nothing changed, 5xx failed)
     * @param outcome the message the caller was given
     */
    void command(Caller caller, String action, String target, int status, String outcome);
}
