package io.gannet.bgp;

import io.gannet.bgp.session.SessionListener;
import java.time.Clock;
import java.util.random.RandomGenerator;

/**
 * How a {@link BgpSpeaker} runs, apart from its configuration.
 *
 * @param restarting graceful restart (RFC 4724) as restarting speaker: this process replaces
 *                   one that stopped without NOTIFICATION (the agent knows from its state
 *                   file). For the advertised restart time after start, our OPENs carry the
 *                   Restart State bit and Forwarding State bits.
 * @param listener   told of every session state change with its reason (event loop thread)
 * @param clock      wall clock for status times
 * @param random     source of timer jitter
 * @param warmUp     before any peer starts, run the UPDATE path on a throw-away RIB for up to
 *                   {@link #WARM_UP_MILLIS} ms so the JIT compiles it before the first real table
 *                   ({@link io.gannet.bgp.rib.RibWarmUp}); on by default, unless the system property
 *                   {@code gannet.bgp.warmUp} is {@code false} (the module's unit tests set that)
 */
public record SpeakerOptions(boolean restarting, SessionListener listener, Clock clock, RandomGenerator random,
                             boolean warmUp) {
    /** Wall-time bound of the start-up warm-up. */
    public static final long WARM_UP_MILLIS = 300;

    public SpeakerOptions(boolean restarting, SessionListener listener, Clock clock, RandomGenerator random) {
        this(restarting, listener, clock, random, defaultWarmUp());
    }

    public static SpeakerOptions defaults() {
        return new SpeakerOptions(false, SessionListener.NONE, Clock.systemUTC(), RandomGenerator.getDefault(), defaultWarmUp());
    }

    private static boolean defaultWarmUp() {
        return Boolean.parseBoolean(System.getProperty("gannet.bgp.warmUp", "true"));
    }

    public SpeakerOptions withRestarting(boolean v) {
        return new SpeakerOptions(v, listener, clock, random, warmUp);
    }

    public SpeakerOptions withListener(SessionListener v) {
        return new SpeakerOptions(restarting, v, clock, random, warmUp);
    }

    public SpeakerOptions withWarmUp(boolean v) {
        return new SpeakerOptions(restarting, listener, clock, random, v);
    }
}
