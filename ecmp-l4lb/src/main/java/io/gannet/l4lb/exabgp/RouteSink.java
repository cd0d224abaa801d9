package io.gannet.l4lb.exabgp;

/**
 * Where the ExaBGP-style API's routes go: implemented by the agent on the speaker loop.
 * A call that throws {@link IllegalArgumentException} or {@link IllegalStateException} changed
 * nothing; its message is the reason.
 */
public interface RouteSink {
    void announce(ExaCommand route);

    void withdraw(String prefix);
}
