package io.gannet.bgp.session;

/**
 * Time for sessions: the wall clock and one-shot timers, all on the speaker's event loop.
 * Production wraps the netty event loop; FSM tests drive a manual implementation and move
 * time forward instead of sleeping.
 */
public interface Scheduler {
    /** Wall-clock milliseconds since the epoch, for "since" and uptime in status. */
    long currentTimeMillis();

    /** Runs {@code task} on the owner thread after {@code delayMillis}. */
    Timer schedule(long delayMillis, Runnable task);

    /** Runs {@code task} on the owner thread after the current task. */
    void execute(Runnable task);

    /** A pending one-shot timer. Cancelling a fired or cancelled timer does nothing. */
    interface Timer {
        void cancel();
    }
}
