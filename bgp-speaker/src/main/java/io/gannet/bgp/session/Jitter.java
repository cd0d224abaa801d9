package io.gannet.bgp.session;

import java.util.random.RandomGenerator;

/**
 * RFC 4271 section 10: ConnectRetry, Keepalive (and MinASOrigination/MinRouteAdvertisement)
 * timers are jittered by a random factor between 0.75 and 1.0 so that sessions do not
 * synchronize. The one place that factor is applied.
 */
public final class Jitter {
    private final RandomGenerator random;

    public Jitter(RandomGenerator random) {
        this.random = random;
    }

    public long apply(long millis) {
        return (long) (millis * (0.75 + 0.25 * random.nextDouble()));
    }
}
