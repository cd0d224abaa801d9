package io.gannet.agent.run;

import io.gannet.agent.control.PeerDetail;
import io.gannet.bgp.rib.RibViews.PeerCounters;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.session.PeerStatus;
import io.gannet.bgp.wire.AddressFamily;
import java.util.ArrayList;
import java.util.List;

/** Maps the speaker's view of one session to {@code gannet show peer NAME}'s record, capabilities in words. */
final class PeerDetails {
    private PeerDetails() {}

    static PeerDetail of(PeerStatus s, PeerCounters c, long configuredLocalAs) {
        Negotiated n = s.negotiated();
        List<String> caps = new ArrayList<>();
        List<String> families = new ArrayList<>();
        if (n != null) {
            for (AddressFamily f : n.families()) {
                families.add(f.toString());
            }
            families.sort(null);
            caps.add("multiprotocol (RFC 4760): " + String.join(", ", families));
            if (n.fourOctetAs()) {
                caps.add("4-octet AS numbers (RFC 6793)");
            }
            if (n.routeRefresh()) {
                caps.add("route refresh (RFC 2918)");
            }
            if (n.enhancedRouteRefresh()) {
                caps.add("enhanced route refresh (RFC 7313)");
            }
            if (n.extendedNextHop4()) {
                caps.add("extended next hop: IPv4 routes with IPv6 next hops (RFC 8950)");
            }
            if (n.extendedMessage()) {
                caps.add("extended messages up to 65535 octets (RFC 8654)");
            }
            if (n.peerGracefulRestart() != null) {
                Negotiated.GracefulRestartInfo gr = n.peerGracefulRestart();
                caps.add("graceful restart (RFC 4724): peer's restart time " + gr.restartTimeSeconds() + " s"
                        + (gr.restartState() ? ", peer restarting" : ""));
            }
        }
        Integer hold = n == null ? null : n.holdTimeSeconds();
        return new PeerDetail(s.name(), s.address(), SpeakerView.state(s.state()), s.adminDown(), s.since().toEpochMilli(),
                s.uptime().toSeconds(), n == null ? configuredLocalAs : n.localAs(), s.remoteAs(),
                n == null ? null : dotted(n.localRouterId()), n == null ? null : dotted(n.remoteRouterId()),
                hold, hold == null ? null : hold / 3, caps, families,
                c == null ? 0 : c.received(), c == null ? 0 : c.accepted(), c == null ? 0 : c.advertised(),
                SpeakerView.counts(s.messagesIn()), SpeakerView.counts(s.messagesOut()), s.flaps(), s.lastError(),
                s.lastErrorEpochMillis() > 0 ? s.lastErrorEpochMillis() : null);
    }

    private static String dotted(long id) {
        return ((id >>> 24) & 0xff) + "." + ((id >>> 16) & 0xff) + "." + ((id >>> 8) & 0xff) + "." + (id & 0xff);
    }
}
