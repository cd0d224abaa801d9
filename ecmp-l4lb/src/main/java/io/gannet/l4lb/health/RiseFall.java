package io.gannet.l4lb.health;

/**
 * A backend's health from its probe results: healthy after {@code rise} successes in a row,
 * unhealthy after {@code fall} failures in a row; starts unhealthy. Pure, no clock.
 * Not thread-safe: one target's probes run one at a time.
 */
final class RiseFall {
    private final int rise;
    private final int fall;
    private boolean healthy;
    private int streak;

    RiseFall(int rise, int fall) {
        this.rise = rise;
        this.fall = fall;
    }

    /** Records a result; returns true when it changed the health. */
    boolean record(boolean ok) {
        if (ok == healthy) {
            streak = 0;
            return false;
        }
        streak++;
        if (streak >= (ok ? rise : fall)) {
            healthy = ok;
            streak = 0;
            return true;
        }
        return false;
    }

    boolean healthy() {
        return healthy;
    }
}
