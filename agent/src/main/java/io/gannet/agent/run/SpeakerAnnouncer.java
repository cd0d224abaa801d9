package io.gannet.agent.run;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.rib.LocalRoute;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.l4lb.announce.Announcer;
import io.gannet.topology.net.Community;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The L4LB's {@link Announcer} on the BGP speaker: each call hops onto the speaker's loop
 * (the RIB's owner) through {@link SpeakerLoop} and originates or withdraws the prefix with
 * next hop self. Also used by the ExaBGP-style API, with its optional attributes.
 */
final class SpeakerAnnouncer implements Announcer {
    private final BgpSpeaker<Rib> speaker;
    private final SpeakerLoop loop;
    private final Runnable settled;

    /** {@code settled}: what the L4LB's {@link #settled} does (the daemon's release of a held End-of-RIB). */
    SpeakerAnnouncer(BgpSpeaker<Rib> speaker, SpeakerLoop loop, Runnable settled) {
        this.speaker = speaker;
        this.loop = loop;
        this.settled = settled;
    }

    @Override
    public void settled() {
        settled.run();
    }

    @Override
    public void announce(String prefix, List<String> communities) {
        announce(prefix, null, communities, null, null, null);
    }

    /** Originates {@code prefix}; {@code nextHop} null = self. */
    void announce(String prefix, InetAddress nextHop, List<String> communities, Long med, Long localPref, String origin) {
        List<Integer> standard = new ArrayList<>();
        List<Communities.Large> large = new ArrayList<>();
        List<Community> parsed = new ArrayList<>();
        for (String c : communities) {
            parsed.add(Community.parse(c).orElseThrow(() -> new IllegalArgumentException("'" + c + "' is not a community")));
        }
        PolicyTranslation.split(parsed, standard, large);
        LocalRoute r = LocalRoute.of(Prefix.parse(prefix)).withCommunities(standard).withLargeCommunities(large)
                .withMed(med).withLocalPref(localPref);
        if (nextHop != null) {
            r = r.withNextHop(nextHop);
        }
        if (origin != null) {
            r = r.withOrigin(switch (origin) {
                case "igp" -> 0;
                case "egp" -> 1;
                default -> 2;
            });
        }
        LocalRoute route = r;
        loop.call(() -> {
            speaker.routes().announce(route);
            return null;
        });
    }

    @Override
    public void withdraw(String prefix) {
        Prefix p = Prefix.parse(prefix);
        loop.call(() -> speaker.routes().withdraw(p));
    }
}
