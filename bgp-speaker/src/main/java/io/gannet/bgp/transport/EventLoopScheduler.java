package io.gannet.bgp.transport;

import io.gannet.bgp.session.Scheduler;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Session timers on the speaker's netty event loop; wall time from an injected clock. */
public final class EventLoopScheduler implements Scheduler {
    private final EventLoop loop;
    private final Clock clock;

    public EventLoopScheduler(EventLoop loop, Clock clock) {
        this.loop = loop;
        this.clock = clock;
    }

    @Override
    public long currentTimeMillis() {
        return clock.millis();
    }

    @Override
    public Timer schedule(long delayMillis, Runnable task) {
        ScheduledFuture<?> f = loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }
}
