package io.gannet.cluster.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store client that rides out outages politely: every request first takes a token from a
 * rate limiter, an {@code UNAVAILABLE} failure is retried after an exponential back-off with
 * jitter, and a call gives up (with the last error) after its deadline. Other failures
 * (corrupt data, a bad request) are never retried.
 *
 * <p>A transaction retried after a failure whose outcome is unknown may have been applied
 * already; callers write transactions whose compares make a second application fail
 * harmlessly and read back the outcome (see {@code BlockAllocator}).
 *
 * <p>Counts every attempt, so a test (and {@code show}) can see that an outage causes no
 * retry storm.
 */
public final class RetryingStore implements ClusterStore {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingStore.class);

    private final ClusterStore inner;
    private final Backoff backoff;
    private final RateLimiter limiter;
    private final Duration deadline;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public RetryingStore(ClusterStore inner, Backoff backoff, RateLimiter limiter, Duration deadline) {
        this.inner = inner;
        this.backoff = backoff;
        this.limiter = limiter;
        this.deadline = deadline;
    }

    /** Defaults for a node: 50 requests/s (burst 100), back-off 100 ms .. 30 s, 60 s per call. */
    public static RetryingStore of(ClusterStore inner) {
        return new RetryingStore(inner, Backoff.standard(), RateLimiter.perSecond(50, 100), Duration.ofSeconds(60));
    }

    /** Every request sent, first tries and retries. */
    public long attempts() {
        return attempts.get();
    }

    /** Requests that failed as unavailable. */
    public long failures() {
        return failures.get();
    }

    public ClusterStore inner() {
        return inner;
    }

    private <T> T call(String what, Supplier<T> op) {
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            try {
                limiter.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(StoreException.Reason.UNAVAILABLE, what + " was interrupted");
            }
            attempts.incrementAndGet();
            try {
                return op.get();
            } catch (StoreException e) {
                if (!e.retryable()) {
                    throw e;
                }
                failures.incrementAndGet();
                Duration wait = backoff.delay(attempt);
                long elapsed = System.nanoTime() - start;
                if (elapsed + wait.toNanos() > deadline.toNanos()) {
                    throw new StoreException(StoreException.Reason.UNAVAILABLE, e.getMessage() + " (gave up after " + (attempt + 1) + " tries in "
                            + elapsed / 1_000_000 + " ms)", e);
                }
                if (attempt == 0) {
                    LOG.info("store: {} failed, retrying with back-off: {}", what, e.getMessage());
                }
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        return call("reading " + key, () -> inner.get(key));
    }

    @Override
    public List<KeyValue> list(String prefix) {
        return call("listing " + prefix, () -> inner.list(prefix));
    }

    @Override
    public TxnResult commit(Txn txn) {
        return call("a transaction", () -> inner.commit(txn));
    }

    @Override
    public Lease grantLease(Duration ttl) {
        return call("a lease grant", () -> inner.grantLease(ttl));
    }

    @Override
    public AutoCloseable watch(String prefix, WatchListener listener) {
        return inner.watch(prefix, listener);
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        inner.close();
    }
}
