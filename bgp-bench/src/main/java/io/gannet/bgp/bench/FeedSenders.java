package io.gannet.bgp.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;

/**
 * Every injector writes its pre-encoded feed on a thread of its own, all released at the same
 * instant ({@link #t0()}), as fast as their sockets take it.
 */
final class FeedSenders {
    private final List<Thread> threads = new ArrayList<>();
    private final long[] sentNanos;
    private final Throwable[] failures;
    private final long t0;

    private FeedSenders(List<InjectorFeed> feeds, List<BenchPeer> injectors, int chunkBytes, LongSupplier clock) {
        sentNanos = new long[injectors.size()];
        failures = new Throwable[injectors.size()];
        CountDownLatch start = new CountDownLatch(1);
        for (int k = 0; k < injectors.size(); k++) {
            int idx = k;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    feeds.get(idx).sendTo(injectors.get(idx), chunkBytes);
                    sentNanos[idx] = clock.getAsLong();
                } catch (IOException | InterruptedException | RuntimeException e) {
                    failures[idx] = e;
                }
            }, "bb-send-" + (k + 1));
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        t0 = clock.getAsLong();
        start.countDown();
    }

    /** Starts one sender per injector ({@code feeds.get(k)} to {@code injectors.get(k)}) and releases them. */
    static FeedSenders start(List<InjectorFeed> feeds, List<BenchPeer> injectors, int chunkBytes, LongSupplier clock) {
        return new FeedSenders(feeds, injectors, chunkBytes, clock);
    }

    /** The clock reading when the senders were released. */
    long t0() {
        return t0;
    }

    /** Waits for every sender; the clock reading when the last one's last write returned. */
    long awaitSent(Duration timeout) throws IOException, InterruptedException {
        for (Thread t : threads) {
            t.join(timeout.toMillis());
        }
        long last = 0;
        for (int k = 0; k < failures.length; k++) {
            if (failures[k] != null) {
                throw new IOException("injector " + (k + 1) + " failed while sending", failures[k]);
            }
            last = Math.max(last, sentNanos[k]);
        }
        return last;
    }
}
