package io.gannet.agent.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket latency histogram the BGP event loop records into without locks or
 * allocation: a short scan of a constant bound table and two atomic adds. Scrapes read it
 * from another thread; buckets and sum may be a few observations apart, never torn.
 */
public final class LatencyHistogram {
    /** Upper bounds in nanoseconds: 10 us .. 1 s, then +Inf. */
    private static final long[] BOUNDS_NANOS = {
        10_000L, 25_000L, 50_000L, 100_000L, 250_000L, 500_000L,
        1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L, 50_000_000L,
        100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L,
    };

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS_NANOS.length + 1);
    private final AtomicLong sumNanos = new AtomicLong();

    /** Records one observation; negative durations (a clock step) count as zero. */
    public void recordNanos(long nanos) {
        long v = Math.max(0, nanos);
        int i = 0;
        while (i < BOUNDS_NANOS.length && v > BOUNDS_NANOS[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sumNanos.addAndGet(v);
    }

    /** Bucket upper bounds in seconds, the last one +Inf. */
    public static double[] upperBoundsSeconds() {
        double[] b = new double[BOUNDS_NANOS.length + 1];
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            b[i] = BOUNDS_NANOS[i] / 1e9;
        }
        b[BOUNDS_NANOS.length] = Double.POSITIVE_INFINITY;
        return b;
    }

    /** Per-bucket (not cumulative) counts, aligned with {@link #upperBoundsSeconds()}. */
    public long[] bucketCounts() {
        long[] c = new long[counts.length()];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts.get(i);
        }
        return c;
    }

    public double sumSeconds() {
        return sumNanos.get() / 1e9;
    }
}
