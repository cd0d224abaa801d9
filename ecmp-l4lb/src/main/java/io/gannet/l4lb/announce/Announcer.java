package io.gannet.l4lb.announce;

import java.util.List;

/**
 * How the L4LB announces and withdraws its VIPs: implemented by the agent on the BGP
 * speaker's loop, so this module never sees BGP classes. Both calls are idempotent; they
 * may block briefly (a hop onto the speaker loop) and throw {@link IllegalStateException}
 * when the speaker did not take the change (the caller retries on its next tick).
 */
public interface Announcer {
    /**
     * Originates {@code prefix} ("203.0.113.10/32" or "2001:db8::7/128") with next hop self
     * and the given communities ("65000:100", "no-export", "65000:1:2" large).
     */
    void announce(String prefix, List<String> communities);

    /** Withdraws {@code prefix}; a prefix not announced is a no-op. */
    void withdraw(String prefix);

    /**
     * Called once per start, when every VIP this run is going to announce has been announced
     * (or is known not to be: no healthy backend, drained): the daemon holds End-of-RIB
     * (RFC 4724 4.1) until then, so after a restart peers keep the earlier run's stale VIP routes,
     * and the flows on them, instead of flushing them for the seconds health checks take to rise.
     */
    default void settled() {}
}
