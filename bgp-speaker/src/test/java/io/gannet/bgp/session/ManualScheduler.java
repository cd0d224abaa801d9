package io.gannet.bgp.session;

import java.util.PriorityQueue;

/** A scheduler whose time only moves when the test says so. */
final class ManualScheduler implements Scheduler {
    private final class Task implements Timer, Comparable<Task> {
        final long at;
        final long seq;
        final Runnable run;
        boolean cancelled;

        Task(long at, long seq, Runnable run) {
            this.at = at;
            this.seq = seq;
            this.run = run;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = 1_000_000;
    private long seq;

    @Override
    public long currentTimeMillis() {
        return now;
    }

    @Override
    public Timer schedule(long delayMillis, Runnable task) {
        Task t = new Task(now + delayMillis, seq++, task);
        tasks.add(t);
        return t;
    }

    @Override
    public void execute(Runnable task) {
        schedule(0, task);
    }

    /** Runs everything due within the next {@code millis}, in time order. */
    void advance(long millis) {
        long target = now + millis;
        Task t;
        while ((t = tasks.peek()) != null && t.at <= target) {
            tasks.poll();
            now = t.at;
            if (!t.cancelled) {
                t.run.run();
            }
        }
        now = target;
    }

    /** Due time of the earliest live timer, relative to now, or -1. */
    long nextDelay() {
        return tasks.stream().filter(t -> !t.cancelled).mapToLong(t -> t.at - now).min().orElse(-1);
    }
}
