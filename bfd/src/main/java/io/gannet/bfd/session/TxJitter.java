package io.gannet.bfd.session;

/**
 * RFC 5880 6.8.7 transmit jitter: "the interval MUST be reduced by a random value of 0 to
 * 25%" and, when bfd.DetectMult is 1, "MUST be no more than 90% of the negotiated transmit
 * interval, and MUST be no less than 75%".
 */
public interface TxJitter {
    /** The interval to wait before the next periodic packet, in nanoseconds. */
    long apply(long intervalNanos, int detectMult);

    /** Uniform jitter from a xorshift generator: no allocation, not thread-safe (one per timer thread). */
    static TxJitter random(long seed) {
        return new TxJitter() {
            private long s = seed == 0 ? 0x9E3779B97F4A7C15L : seed;

            @Override
            public long apply(long intervalNanos, int detectMult) {
                s ^= s << 13;
                s ^= s >>> 7;
                s ^= s << 17;
                double u = (s >>> 11) * 0x1.0p-53; // [0, 1)
                double low = 0.75;
                double high = detectMult == 1 ? 0.90 : 1.0;
                return (long) (intervalNanos * (low + (high - low) * u));
            }
        };
    }

    /** Fixed fraction of the interval (tests): 1.0 means no reduction; clamped to the RFC range. */
    static TxJitter fixed(double fraction) {
        return (intervalNanos, detectMult) -> {
            double f = Math.max(0.75, Math.min(detectMult == 1 ? 0.90 : 1.0, fraction));
            return (long) (intervalNanos * f);
        };
    }
}
