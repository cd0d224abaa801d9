package io.gannet.cluster.k8s.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How an API source hands its informers' objects on: any add, update or delete (or a watch
 * that started or failed) schedules one run of {@code handOn} on a thread of its own, after
 * {@code settle}, so a burst of changes becomes one result; {@code handOn} may ask to run again
 * later ({@link #again}) when its sink refused the result.
 */
public final class SettledHandOn implements AutoCloseable {
    private final ScheduledExecutorService thread;
    private final Duration settle;
    private final Runnable handOn;
    private ScheduledFuture<?> pending; // thread only

    public SettledHandOn(String threadName, Duration settle, Runnable handOn) {
        this.settle = settle;
        this.handOn = handOn;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Something changed: run once the changes have settled (unless a run is already pending). */
    public void changed() {
        thread.execute(() -> {
            if (pending == null || pending.isDone()) {
                pending = thread.schedule(handOn, settle.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** From {@code handOn}: run again in {@code delay}. */
    public void again(Duration delay) {
        pending = thread.schedule(handOn, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** An informer handler that reports every add, update and delete as a change. */
    public ResourceEventHandler<HasMetadata> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                changed();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                changed();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                changed();
            }
        };
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
