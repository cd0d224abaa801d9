package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A locally originated route to announce, already validated.
 *
 * @param prefix           what to announce
 * @param nextHop          the next hop to advertise, or null for "self" (the session's local address)
 * @param origin           ORIGIN, IGP unless given
 * @param med              MULTI_EXIT_DISC or null
 * @param localPref        LOCAL_PREF (iBGP only) or null for the default
 * @param communities      RFC 1997 communities to attach
 * @param largeCommunities RFC 8092 large communities to attach
 */
public record Announcement(
        IpPrefix prefix,
        InetAddress nextHop,
        Origin origin,
        Long med,
        Long localPref,
        List<Community> communities,
        List<LargeCommunity> largeCommunities) {

    public Announcement {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(origin, "origin");
        communities = List.copyOf(communities);
        largeCommunities = List.copyOf(largeCommunities);
        if (nextHop instanceof java.net.Inet4Address && !prefix.isIpv4()) {
            // RFC 8950 allows an IPv6 next hop for IPv4 NLRI, but nothing carries the reverse.
            throw ControlException.badRequest("an IPv4 next hop cannot carry IPv6 prefix " + prefix);
        }
        if (nextHop != null) {
            String why = unusableNextHop(nextHop);
            if (why != null) {
                throw ControlException.badRequest("next hop " + IpLiteral.format(nextHop) + " " + why
                        + "; give the address peers should forward to, or leave --next-hop out to use each session's own address");
            }
        }
        checkU32(med, "med");
        checkU32(localPref, "localPref");
    }

    /** Why peers could not forward to {@code a} (RFC 4271 5.1.3, RFC 6890), or null when usable. */
    static String unusableNextHop(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return "is the unspecified address";
        }
        if (a.isMulticastAddress()) {
            return "is a multicast address";
        }
        if (a.isLoopbackAddress()) {
            return "is a loopback address (peers would forward to themselves)";
        }
        if (a.isLinkLocalAddress()) {
            return "is link-local (valid on one link only; BGP needs a routable next hop)";
        }
        byte[] b = a.getAddress();
        if (b.length == 4 && (b[0] & 0xff) == 255 && (b[1] & 0xff) == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255) {
            return "is the limited broadcast address";
        }
        if (b.length == 4 && (b[0] & 0xff) == 0) {
            return "is in 0.0.0.0/8 (this network, never a destination)";
        }
        if (b.length == 4 && (b[0] & 0xff) >= 240) {
            return "is in 240.0.0.0/4 (reserved)";
        }
        return null;
    }

    private static void checkU32(Long v, String what) {
        if (v != null && (v < 0 || v > 0xFFFFFFFFL)) {
            throw ControlException.badRequest(what + " " + v + " is out of range 0..4294967295");
        }
    }
}
