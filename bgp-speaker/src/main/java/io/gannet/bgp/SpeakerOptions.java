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
 */
public record SpeakerOptions(boolean restarting, SessionListener listener, Clock clock, RandomGenerator random) {
    public static SpeakerOptions defaults() {
        return new SpeakerOptions(false, SessionListener.NONE, Clock.systemUTC(), RandomGenerator.getDefault());
    }

    public SpeakerOptions withRestarting(boolean v) {
        return new SpeakerOptions(v, listener, clock, random);
    }

    public SpeakerOptions withListener(SessionListener v) {
        return new SpeakerOptions(restarting, v, clock, random);
    }
}
