package io.gannet.l4lb.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP connect checks without a thread per probe: one platform thread ({@code
 * gannet-health-tcp}) starts non-blocking connects, waits for all of them in one epoll
 * selector and times them out from a deadline queue, as HAProxy's checks do. A connect that
 * completes is healthy; the socket is then closed with a RST (SO_LINGER 0), so neither side
 * keeps a TIME_WAIT per probe.
 *
 * <p>Threads: {@link #probe} from any thread (a queue and a selector wakeup); the callback runs
 * on the poller's thread and must only hand the result on.
 */
final class TcpConnectPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpConnectPoller.class);
    static final ProbeResult TIMED_OUT = ProbeResult.failed("timed out");
    static final ProbeResult REFUSED = ProbeResult.failed("connection refused");

    /** One connect in flight. */
    private static final class Pending {
        final InetSocketAddress address;
        final long timeoutNanos;
        final Consumer<ProbeResult> done;
        long deadline;
        SocketChannel channel;
        boolean finished;

        Pending(InetSocketAddress address, long timeoutNanos, Consumer<ProbeResult> done) {
            this.address = address;
            this.timeoutNanos = timeoutNanos;
            this.done = done;
        }
    }

    private final Selector selector;
    private final ConcurrentLinkedQueue<Pending> incoming = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Pending> deadlines = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private final Thread thread;
    private volatile boolean closed;

    TcpConnectPoller() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector for TCP health checks: " + e.getMessage(), e);
        }
        this.thread = Thread.ofPlatform().name("gannet-health-tcp").daemon().unstarted(this::loop);
        thread.start();
    }

    /** Connects to {@code address}; {@code done} gets OK, or why not, within {@code timeoutNanos}. */
    void probe(InetSocketAddress address, long timeoutNanos, Consumer<ProbeResult> done) {
        if (closed) {
            return;
        }
        incoming.add(new Pending(address, timeoutNanos, done));
        selector.wakeup();
    }

    private void loop() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                startIncoming(now);
                expire(now);
                Pending next = deadlines.peek();
                long waitMillis = next == null ? 0 : Math.max(1, (next.deadline - now + 999_999) / 1_000_000);
                selector.select(this::ready, waitMillis);
            }
        } catch (ClosedSelectorException e) {
            // closed
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("TCP health checks stopped: {}", e.toString());
            }
        } finally {
            for (Pending p : deadlines) {
                closeQuietly(p.channel);
            }
        }
    }

    private void startIncoming(long now) {
        Pending p;
        while ((p = incoming.poll()) != null) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                p.channel = ch;
                if (ch.connect(p.address)) {
                    finish(p, ProbeResult.OK);
                    continue;
                }
                ch.register(selector, SelectionKey.OP_CONNECT, p);
                p.deadline = now + p.timeoutNanos;
                deadlines.add(p);
            } catch (IOException | RuntimeException e) {
                p.channel = ch;
                finish(p, failure(e));
            }
        }
    }

    private void ready(SelectionKey key) {
        Pending p = (Pending) key.attachment();
        try {
            if (((SocketChannel) key.channel()).finishConnect()) {
                finish(p, ProbeResult.OK);
            }
        } catch (IOException e) {
            finish(p, failure(e));
        }
    }

    private void expire(long now) {
        Pending p;
        while ((p = deadlines.peek()) != null && (p.finished || p.deadline - now <= 0)) {
            deadlines.poll();
            if (!p.finished) {
                finish(p, TIMED_OUT);
            }
        }
    }

    private void finish(Pending p, ProbeResult r) {
        p.finished = true; // a finished entry leaves the deadline queue at its turn
        closeQuietly(p.channel);
        try {
            p.done.accept(r);
        } catch (RuntimeException e) {
            LOG.warn("health check result for {} not taken: {}", p.address, e.toString());
        }
    }

    private static ProbeResult failure(Exception e) {
        if (e instanceof java.net.ConnectException && (e.getMessage() == null || e.getMessage().contains("refused"))) {
            return REFUSED;
        }
        return ProbeResult.failed(Probe.reason(e));
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close(); // SO_LINGER 0: RST, no TIME_WAIT
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
