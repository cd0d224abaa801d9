package io.gannet.l4lb.announce;

import java.time.Duration;

/**
 * Hysteresis for one VIP's route, so a flapping backend does not flap the route:
 * <ul>
 *   <li>a withdrawn VIP is (re-)announced only once it has had a healthy backend for
 *       {@code upHold} without a break;</li>
 *   <li>an announced VIP is withdrawn once it has had no healthy backend for {@code downHold}
 *       (0 = at once: with no backend the datapath could only refuse the flows);</li>
 *   <li>each withdrawal adds 1000 to a penalty that halves every {@code halfLife}
 *       (RFC 2439's figure of merit); above 2000 the VIP stays suppressed (withdrawn) until
 *       the penalty decays below 750.</li>
 * </ul>
 * Pure: time comes in as milliseconds; not thread-safe (the L4LB thread owns it).
 */
public final class RouteDamper {
    static final double PENALTY = 1000;
    static final double SUPPRESS = 2000;
    static final double REUSE = 750;

    /** Tunables (defaults: up 2 s, down 0, half-life 60 s). */
    public record Options(Duration upHold, Duration downHold, Duration halfLife) {
        public static final Options DEFAULTS = new Options(Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(60));
    }

    private final Options options;
    private boolean announced;
    private boolean suppressed;
    private boolean wantUp;
    private long since;
    private double penalty;
    private long penaltyAt;

    public RouteDamper(Options options, long nowMillis) {
        this.options = options;
        this.since = nowMillis;
        this.penaltyAt = nowMillis;
    }

    /**
     * Feeds whether the VIP has a healthy backend now; returns whether it should be
     * announced after this call (the caller announces or withdraws on a change).
     */
    public boolean update(boolean healthy, long now) {
        if (healthy != wantUp) {
            wantUp = healthy;
            since = now;
        }
        double p = penalty(now);
        if (suppressed && p < REUSE) {
            suppressed = false;
        }
        long held = now - since;
        if (announced && !wantUp && held >= options.downHold().toMillis()) {
            announced = false;
            penalty = p + PENALTY;
            penaltyAt = now;
            if (penalty > SUPPRESS) {
                suppressed = true;
            }
        } else if (!announced && wantUp && !suppressed && held >= options.upHold().toMillis()) {
            announced = true;
        }
        return announced;
    }

    public boolean announced() {
        return announced;
    }

    /** True while flaps keep it withdrawn although it has a healthy backend. */
    public boolean suppressed() {
        return suppressed;
    }

    /** The current penalty (for {@code show vips}). */
    public double penalty(long now) {
        double halfLives = (double) (now - penaltyAt) / options.halfLife().toMillis();
        return penalty * Math.pow(0.5, halfLives);
    }
}
