package io.gannet.bgp.interop;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.rib.LocalRoute;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.rib.RibViews;
import io.gannet.bgp.wire.attr.Prefix;
import java.net.InetAddress;
import java.util.List;

/** Helpers to run a real speaker with the real RIB in interop tests. */
final class Gannet {
    static final long ROUTER_ID = 0x0A000001L; // 10.0.0.1
    static final InetAddress DOC_NEXT_HOP = addr("198.51.100.1");
    static final InetAddress DOC_NEXT_HOP6 = addr("2001:db8::1");

    private Gannet() {}

    static BgpSpeaker<Rib> start(InetAddress listen, int port, PeerConfig peer, SpeakerOptions options) {
        return BgpSpeaker.start(config(listen, port, peer), Rib::new, options);
    }

    /** The speaker configuration {@link #start} uses: one peer, our AS from its local AS. */
    static SpeakerConfig config(InetAddress listen, int port, PeerConfig peer) {
        return new SpeakerConfig(peer.localAs(), ROUTER_ID, listen, port, 0, 1, List.of(peer), List.of());
    }

    /** Originates {@code prefix} with a documentation next hop peers accept (they refuse 127/8). */
    static void announce(BgpSpeaker<Rib> speaker, String prefix) {
        Prefix p = Prefix.parse(prefix);
        InetAddress nh = p.ipv6() ? DOC_NEXT_HOP6 : DOC_NEXT_HOP;
        speaker.call(() -> {
            speaker.routes().announce(LocalRoute.of(p).withNextHop(nh));
            return null;
        });
    }

    static void withdraw(BgpSpeaker<Rib> speaker, String prefix) {
        speaker.call(() -> speaker.routes().withdraw(Prefix.parse(prefix)));
    }

    /** The RIB's view of {@code prefix}, or null. */
    static RibViews.RouteView route(BgpSpeaker<Rib> speaker, String prefix) {
        return speaker.call(() -> speaker.routes().route(Prefix.parse(prefix)));
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
