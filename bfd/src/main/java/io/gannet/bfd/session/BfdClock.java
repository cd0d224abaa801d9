package io.gannet.bfd.session;

/** Monotonic time source in nanoseconds. Production uses {@link #SYSTEM}; tests move a manual clock. */
@FunctionalInterface
public interface BfdClock {
    BfdClock SYSTEM = System::nanoTime;

    long nanoTime();
}
