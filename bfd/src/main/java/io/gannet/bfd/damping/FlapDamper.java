package io.gannet.bfd.damping;

import io.gannet.bfd.session.BfdClock;
import java.time.Duration;

/**
 * Holds a flapping BFD session "down" for its client with exponential back-off, so a sick
 * link does not churn routes. The client (the BGP binding) feeds every BFD Up/Down and asks
 * {@link #permitted()} before letting its own session come up.
 *
 * <p>Rule: each Down sets the hold-down to {@code initial} if none is in force, else doubles
 * it, capped at {@code max}. The hold-down counts from the latest Up: the client is permitted
 * once BFD has been Up for the whole hold-down. Stability earns forgiveness: for every
 * {@code decayHalfLife} between two Downs the hold-down is halved before the new Down
 * doubles it, and falls to zero once below {@code initial}.
 *
 * <p>Pure logic over an injected clock; thread-safe (synchronized), no threads of its own:
 * the client schedules a re-check at {@link #permittedAtNanos()}.
 */
public final class FlapDamper {
    private final BfdClock clock;
    private final long initialNanos;
    private final long maxNanos;
    private final long halfLifeNanos;

    private boolean up;
    private long holdNanos;
    private long lastUpAt;
    private long lastDownAt;
    private boolean everDown;
    private long flaps;

    public FlapDamper(BfdClock clock, Duration initialHoldDown, Duration maxHoldDown, Duration decayHalfLife) {
        if (initialHoldDown.isNegative() || maxHoldDown.compareTo(initialHoldDown) < 0 || decayHalfLife.isNegative()
                || decayHalfLife.isZero()) {
            throw new IllegalArgumentException("need 0 <= initial <= max hold-down and a positive half-life");
        }
        this.clock = clock;
        this.initialNanos = initialHoldDown.toNanos();
        this.maxNanos = maxHoldDown.toNanos();
        this.halfLifeNanos = decayHalfLife.toNanos();
    }

    /** BFD reported Up. */
    public synchronized void up() {
        if (!up) {
            up = true;
            lastUpAt = clock.nanoTime();
        }
    }

    /** BFD reported Down (or AdminDown, or the session was lost). */
    public synchronized void down() {
        if (!up) {
            return;
        }
        up = false;
        long now = clock.nanoTime();
        flaps++;
        if (everDown && holdNanos > 0) {
            long halvings = (now - lastDownAt) / halfLifeNanos;
            holdNanos = halvings >= 62 ? 0 : holdNanos >> halvings;
            if (holdNanos < initialNanos) {
                holdNanos = 0;
            }
        }
        holdNanos = holdNanos == 0 ? initialNanos : Math.min(holdNanos * 2, maxNanos);
        lastDownAt = now;
        everDown = true;
    }

    /** True when BFD is Up and has stayed Up for the current hold-down. */
    public synchronized boolean permitted() {
        return up && clock.nanoTime() - lastUpAt >= holdNanos;
    }

    /** The clock time at which {@link #permitted()} becomes true if BFD stays Up; Long.MAX_VALUE while Down. */
    public synchronized long permittedAtNanos() {
        return up ? lastUpAt + holdNanos : Long.MAX_VALUE;
    }

    /** The hold-down in force (what the next Up must wait). */
    public synchronized Duration currentHoldDown() {
        return Duration.ofNanos(holdNanos);
    }

    public synchronized long flaps() {
        return flaps;
    }

    public synchronized boolean isUp() {
        return up;
    }
}
