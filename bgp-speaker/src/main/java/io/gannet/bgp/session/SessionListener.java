package io.gannet.bgp.session;

/**
 * Told of every FSM transition, on the speaker's event loop, after it happened. The agent
 * logs and counts these; implementations must not block.
 */
@FunctionalInterface
public interface SessionListener {
    void stateChanged(String peer, SessionState from, SessionState to, String reason);

    SessionListener NONE = (peer, from, to, reason) -> {};
}
