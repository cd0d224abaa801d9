package io.gannet.bgp.session;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.BgpError;
import io.gannet.bgp.wire.Capability;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.NotificationMessage;
import io.gannet.bgp.wire.OpenMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds our OPEN for a peer and checks the peer's OPEN against it (RFC 4271 6.2, RFC 5492,
 * RFC 6793), producing what the session agreed on. Pure: no state, no I/O.
 */
public final class OpenNegotiation {
    private OpenNegotiation() {}

    /**
     * Our OPEN. {@code restarting}: RFC 4724 restarting speaker, sets the Restart State bit
     * and the Forwarding State bit of each family (the kernel kept our forwarding state).
     */
    public static OpenMessage ourOpen(PeerConfig config, long routerId, boolean restarting) {
        return ourOpen(config, routerId, restarting, restarting ? config.families() : Set.of());
    }

    /**
     * Our OPEN. {@code restarting}: RFC 4724 restarting speaker, sets the Restart State bit (R,
     * section 3: "the BGP speaker has restarted"); the Forwarding State bit (F) is set for the
     * families in {@code forwardingKept} only (section 3: "the forwarding state for routes that
     * were advertised with the given AFI and SAFI has indeed been preserved"). A peer keeps a
     * family's stale routes until our End-of-RIB only with F set (section 4.2; FRR's
     * bgp_establish clears the stale routes of every family whose F bit is clear).
     */
    public static OpenMessage ourOpen(PeerConfig config, long routerId, boolean restarting, Set<AddressFamily> forwardingKept) {
        List<Capability> caps = new ArrayList<>();
        for (AddressFamily af : sortedFamilies(config.families())) {
            caps.add(new Capability.Multiprotocol(af));
        }
        if (offersExtendedNextHop(config)) {
            caps.add(new Capability.ExtendedNextHop(List.of(
                    new Capability.ExtendedNextHop.Entry(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST.afi()))));
        }
        caps.add(new Capability.RouteRefresh());
        caps.add(new Capability.EnhancedRouteRefresh());
        caps.add(new Capability.FourOctetAs(config.localAs()));
        if (config.extendedMessage()) {
            caps.add(new Capability.ExtendedMessage());
        }
        if (config.gracefulRestart()) {
            List<Capability.GracefulRestart.Family> grFamilies = new ArrayList<>();
            for (AddressFamily af : sortedFamilies(config.families())) {
                grFamilies.add(new Capability.GracefulRestart.Family(af, restarting && forwardingKept.contains(af)));
            }
            // RFC 8538: the N bit whenever we do graceful restart.
            caps.add(new Capability.GracefulRestart(restarting, true, Math.min(4095, config.gracefulRestartSeconds()),
                    grFamilies));
        }
        // RFC 6793 4.1: My AS is AS_TRANS when our AS does not fit in two octets.
        int myAs = config.localAs() > 0xFFFF ? OpenMessage.AS_TRANS : (int) config.localAs();
        return new OpenMessage(OpenMessage.VERSION, myAs, config.holdTimeSeconds(), routerId, caps);
    }

    /** Checks the peer's OPEN (RFC 4271 6.2) and returns the session's agreed parameters. */
    public static Negotiated negotiate(PeerConfig config, OpenMessage ours, OpenMessage theirs) throws BgpError {
        long peerAs = theirs.effectiveAs();
        Capability.FourOctetAs four = theirs.capability(Capability.FourOctetAs.class);
        // RFC 6793 4.1: with the capability, My AS is either AS_TRANS or the same 2-octet AS.
        boolean myAsConsistent = four == null || theirs.myAs() == OpenMessage.AS_TRANS || theirs.myAs() == four.as();
        if (!myAsConsistent || peerAs == 0 || (config.remoteAs() != 0 && peerAs != config.remoteAs())) {
            throw new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.OPEN_BAD_PEER_AS,
                    "peer AS " + peerAs + " (My AS " + theirs.myAs() + "), configured " + config.remoteAs());
        }
        boolean ibgp = peerAs == config.localAs();
        // RFC 6286 2.2: the identifier is any non-zero 32-bit value; within one AS it must differ from ours.
        if (theirs.bgpIdentifier() == 0 || (ibgp && theirs.bgpIdentifier() == ours.bgpIdentifier())) {
            throw new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.OPEN_BAD_BGP_IDENTIFIER,
                    "BGP identifier " + routerIdText(theirs.bgpIdentifier()));
        }
        // RFC 4271 6.2: a Hold Time of one or two seconds MUST be rejected.
        if (theirs.holdTimeSeconds() == 1 || theirs.holdTimeSeconds() == 2) {
            throw new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.OPEN_UNACCEPTABLE_HOLD_TIME,
                    "hold time " + theirs.holdTimeSeconds());
        }
        Set<AddressFamily> common = new LinkedHashSet<>(ours.families());
        common.retainAll(theirs.families());
        if (common.isEmpty()) {
            // RFC 5492 5: the capability we cannot do without goes back as the data.
            throw new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.OPEN_UNSUPPORTED_CAPABILITY,
                    multiprotocolCapabilities(ours), "no address family in common: ours " + ours.families()
                    + ", theirs " + theirs.families());
        }
        int hold = Math.min(ours.holdTimeSeconds(), theirs.holdTimeSeconds());
        Capability.GracefulRestart gr = theirs.capability(Capability.GracefulRestart.class);
        Negotiated.GracefulRestartInfo grInfo = null;
        if (gr != null) {
            Map<AddressFamily, Boolean> fwd = new HashMap<>();
            for (Capability.GracefulRestart.Family f : gr.families()) {
                fwd.put(f.family(), f.forwardingPreserved());
            }
            Capability.GracefulRestart ourGr = ours.capability(Capability.GracefulRestart.class);
            grInfo = new Negotiated.GracefulRestartInfo(gr.restartState(), gr.restartTimeSeconds(), Map.copyOf(fwd),
                    gr.notification() && ourGr != null && ourGr.notification());
        }
        return new Negotiated(
                four != null && ours.has(Capability.FourOctetAs.class),
                Set.copyOf(common),
                theirs.has(Capability.ExtendedMessage.class) && ours.has(Capability.ExtendedMessage.class),
                theirs.has(Capability.RouteRefresh.class),
                theirs.has(Capability.EnhancedRouteRefresh.class) && ours.has(Capability.EnhancedRouteRefresh.class),
                grInfo,
                hold,
                config.localAs(),
                peerAs,
                ours.bgpIdentifier(),
                theirs.bgpIdentifier(),
                common.contains(AddressFamily.IPV4_UNICAST) && allowsIpv4OverIpv6(ours) && allowsIpv4OverIpv6(theirs));
    }

    /**
     * RFC 8950: an IPv6 session carrying IPv4 unicast offers IPv4 routes with IPv6 next hops, as
     * FRR does for an interface neighbor. Without it (or when the peer does not offer it) the IPv4
     * next hop falls back to our router id.
     */
    static boolean offersExtendedNextHop(PeerConfig config) {
        return config.address() instanceof java.net.Inet6Address && config.families().contains(AddressFamily.IPV4_UNICAST);
    }

    private static boolean allowsIpv4OverIpv6(OpenMessage open) {
        for (Capability c : open.capabilities()) {
            if (c instanceof Capability.ExtendedNextHop e && e.allows(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST.afi())) {
                return true;
            }
        }
        return false;
    }

    public static String routerIdText(long id) {
        return ((id >>> 24) & 0xff) + "." + ((id >>> 16) & 0xff) + "." + ((id >>> 8) & 0xff) + "." + (id & 0xff);
    }

    private static List<AddressFamily> sortedFamilies(Set<AddressFamily> families) {
        List<AddressFamily> sorted = new ArrayList<>(families);
        sorted.sort(Comparator.comparingInt(AddressFamily::afi).thenComparingInt(AddressFamily::safi));
        return sorted;
    }

    private static byte[] multiprotocolCapabilities(OpenMessage ours) {
        var buf = Unpooled.buffer();
        for (Capability c : ours.capabilities()) {
            if (c instanceof Capability.Multiprotocol) {
                c.writeTo(buf);
            }
        }
        return ByteBufUtil.getBytes(buf);
    }
}
