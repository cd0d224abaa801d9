package io.gannet.agent.logging;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands lines to a writer thread through a bounded queue, so that an event loop logging a
 * state change never waits for the terminal, the journal or a full pipe. A full queue drops
 * the line and counts it; the next line that gets through reports how many were dropped.
 */
public final class AsyncLogSink implements LogSink, AutoCloseable {
    private final BlockingQueue<String> queue;
    private final LogSink target;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    public AsyncLogSink(LogSink target, int capacity) {
        this.target = target;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::drain, "gannet-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void write(String line) {
        if (closed || !queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped because the queue was full or the sink closed. */
    public long dropped() {
        return dropped.get();
    }

    private void drain() {
        long reported = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                String line = queue.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                long d = dropped.get();
                if (d != reported) {
                    target.write(LineEncoder.encode(LogFormat.LOGFMT, java.util.List.of(
                            "level", "warn", "event", "log_lines_dropped", "count", Long.toString(d - reported))));
                    reported = d;
                }
                target.write(line);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes what is queued (up to 2 s), then stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
