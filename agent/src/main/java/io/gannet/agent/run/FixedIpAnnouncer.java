package io.gannet.agent.run;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.rib.LocalRoute;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.pod.fixedip.FixedIpRoutes;
import java.net.InetAddress;

/** Fixed StatefulSet IPs held here, as host routes the speaker originates (on its loop, waiting for the outcome). */
final class FixedIpAnnouncer implements FixedIpRoutes {
    private final BgpSpeaker<Rib> speaker;
    private final SpeakerLoop loop;

    FixedIpAnnouncer(BgpSpeaker<Rib> speaker, SpeakerLoop loop) {
        this.speaker = speaker;
        this.loop = loop;
    }

    private static Prefix host(InetAddress a) {
        return Prefix.of(a, a.getAddress().length * 8);
    }

    @Override
    public void announce(InetAddress address) {
        loop.call(() -> {
            speaker.routes().announce(LocalRoute.of(host(address)));
            return null;
        });
    }

    @Override
    public void withdraw(InetAddress address) {
        loop.call(() -> {
            speaker.routes().withdraw(host(address));
            return null;
        });
    }
}
