package io.gannet.cluster.store;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with jitter ("equal jitter": half the exponential step fixed, half
 * random), so thousands of clients that lost the store at the same moment do not come back
 * at the same moment. Attempt 0 waits {@code base/2 .. base}; each attempt doubles the
 * ceiling, up to {@code max}.
 */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration max, RandomGenerator random) {
        if (base.toMillis() < 1 || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("back-off needs 1 ms <= base <= max");
        }
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** 100 ms doubling up to 30 s. */
    public static Backoff standard() {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), RandomGenerator.getDefault());
    }

    public Duration delay(int attempt) {
        long ceiling = attempt >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << attempt);
        long half = ceiling / 2;
        return Duration.ofMillis(half + (ceiling - half == 0 ? 0 : random.nextLong(ceiling - half + 1)));
    }

    public Duration max() {
        return Duration.ofMillis(maxMillis);
    }
}
