package io.gannet.bgp;

import io.gannet.bgp.session.SessionListener;
import io.gannet.bgp.wire.AddressFamily;
import java.time.Clock;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * How a {@link BgpSpeaker} runs, apart from its configuration.
 *
 * @param restarting graceful restart (RFC 4724) as restarting speaker: this process replaces
 *                   an earlier one whose peers may still hold its routes (the agent knows from
 *                   its state file, or from the forwarding state the earlier run left). For the
 *                   advertised restart time after start, our OPENs carry the Restart State bit
 *                   and the Forwarding State bit of each family in {@code forwardingKept}.
 * @param forwardingKept the families whose forwarding state survived the restart (F bit set);
 *                   ignored when not restarting
 * @param listener   told of every session state change with its reason (event loop thread)
 * @param clock      wall clock for status times
 * @param random     source of timer jitter
 * @param warmUp     before any peer starts, run the UPDATE path on a throw-away RIB for up to
 *                   {@link #WARM_UP_MILLIS} ms so the JIT compiles it before the first real table
 *                   ({@link io.gannet.bgp.rib.RibWarmUp}); on by default, unless the system property
 *                   {@code gannet.bgp.warmUp} is {@code false} (the module's unit tests set that)
 */
public record SpeakerOptions(boolean restarting, Set<AddressFamily> forwardingKept, SessionListener listener, Clock clock,
                             RandomGenerator random, boolean warmUp) {
    /** Wall-time bound of the start-up warm-up. */
    public static final long WARM_UP_MILLIS = 300;
    /** The families the speaker does: a restart that kept all forwarding keeps these. */
    public static final Set<AddressFamily> EVERY_FAMILY = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

    public SpeakerOptions {
        forwardingKept = Set.copyOf(forwardingKept);
    }

    public SpeakerOptions(boolean restarting, SessionListener listener, Clock clock, RandomGenerator random) {
        this(restarting, EVERY_FAMILY, listener, clock, random, defaultWarmUp());
    }

    public static SpeakerOptions defaults() {
        return new SpeakerOptions(false, EVERY_FAMILY, SessionListener.NONE, Clock.systemUTC(), RandomGenerator.getDefault(),
                defaultWarmUp());
    }

    private static boolean defaultWarmUp() {
        return Boolean.parseBoolean(System.getProperty("gannet.bgp.warmUp", "true"));
    }

    /** Restarting (or not) with every family's forwarding kept. */
    public SpeakerOptions withRestarting(boolean v) {
        return new SpeakerOptions(v, EVERY_FAMILY, listener, clock, random, warmUp);
    }

    /** Restarting, with the forwarding state of {@code kept} only preserved (F bit set for those). */
    public SpeakerOptions withRestarting(Set<AddressFamily> kept) {
        return new SpeakerOptions(true, kept, listener, clock, random, warmUp);
    }

    public SpeakerOptions withListener(SessionListener v) {
        return new SpeakerOptions(restarting, forwardingKept, v, clock, random, warmUp);
    }

    public SpeakerOptions withWarmUp(boolean v) {
        return new SpeakerOptions(restarting, forwardingKept, listener, clock, random, v);
    }
}
