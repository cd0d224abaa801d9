package io.gannet.bpf.lb;

/**
 * CLOCK_MONOTONIC in seconds, the clock bpf_ktime_get_ns() reads and conntrack expiry is
 * expressed in. Injected so tests move time instead of sleeping.
 */
@FunctionalInterface
public interface Clock {
    long monotonicSeconds();

    /** HotSpot's System.nanoTime() reads CLOCK_MONOTONIC on Linux. */
    Clock SYSTEM = () -> System.nanoTime() / 1_000_000_000L;
}
