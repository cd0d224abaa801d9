package io.gannet.agent.run;

import io.gannet.agent.control.ControlException;
import io.gannet.bgp.BgpSpeaker;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs control-plane requests on the speaker's event loop, the one thread that owns the RIB
 * and sessions, with a bounded wait. A request that has not started when the wait expires is
 * cancelled, so a command that timed out never runs later (the control API promises that a
 * failed call changed nothing).
 */
final class SpeakerLoop {
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLED = 2;

    private final BgpSpeaker<?> speaker;
    private final Duration timeout;

    SpeakerLoop(BgpSpeaker<?> speaker, Duration timeout) {
        this.speaker = speaker;
        this.timeout = timeout;
    }

    <T> T call(Callable<T> task) {
        AtomicInteger state = new AtomicInteger(PENDING);
        CompletableFuture<T> result = new CompletableFuture<>();
        speaker.execute(() -> {
            if (!state.compareAndSet(PENDING, RUNNING)) {
                return;
            }
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (state.compareAndSet(PENDING, CANCELLED)) {
                    throw new ControlException(ControlException.Kind.UNAVAILABLE,
                            "the BGP speaker did not answer within " + timeout.toMillis() + " ms; nothing was changed");
                }
                // Already running on the loop: it finishes quickly, and its outcome is the answer.
                return result.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.compareAndSet(PENDING, CANCELLED);
            throw new ControlException(ControlException.Kind.UNAVAILABLE, "interrupted while waiting for the BGP speaker");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ControlException ce) {
                throw ce;
            }
            if (cause instanceof IllegalArgumentException iae) {
                throw ControlException.badRequest(iae.getMessage());
            }
            throw new IllegalStateException("speaker request failed: " + cause, cause);
        }
    }
}
