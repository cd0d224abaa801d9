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
        checkU32(med, "med");
        checkU32(localPref, "localPref");
    }

    private static void checkU32(Long v, String what) {
        if (v != null && (v < 0 || v > 0xFFFFFFFFL)) {
            throw ControlException.badRequest(what + " " + v + " is out of range 0..4294967295");
        }
    }
}
