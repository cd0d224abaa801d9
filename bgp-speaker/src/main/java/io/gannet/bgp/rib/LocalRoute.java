package io.gannet.bgp.rib;

import io.gannet.bgp.policy.Communities;
import io.gannet.bgp.wire.attr.Prefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A route this speaker originates (PodCIDR, a Service VIP). Optional attributes are null
 * (or empty lists) when not set; the next hop defaults to our address on each session.
 *
 * @param prefix           the prefix announced
 * @param origin           ORIGIN code (0 IGP, 1 EGP, 2 INCOMPLETE)
 * @param nextHop          explicit next hop, or null for "self"; an IPv4 prefix may have an IPv6 one
 *                         (sent as such where RFC 8950 was negotiated, as our own elsewhere)
 * @param med              MULTI_EXIT_DISC, or null
 * @param localPref        LOCAL_PREF towards iBGP peers, or null (100)
 * @param communities      RFC 1997 communities ({@code asn << 16 | value}), see {@link Communities#parse}
 * @param largeCommunities RFC 8092 large communities
 */
public record LocalRoute(Prefix prefix, int origin, InetAddress nextHop, Long med, Long localPref,
                         List<Integer> communities, List<Communities.Large> largeCommunities) {
    public LocalRoute {
        Objects.requireNonNull(prefix, "prefix");
        if (origin < 0 || origin > 2) {
            throw new IllegalArgumentException("origin must be 0..2, got " + origin);
        }
        communities = communities == null ? List.of() : List.copyOf(communities);
        largeCommunities = largeCommunities == null ? List.of() : List.copyOf(largeCommunities);
    }

    /** A prefix with default attributes: ORIGIN IGP, next hop self, nothing else. */
    public static LocalRoute of(Prefix prefix) {
        return new LocalRoute(prefix, 0, null, null, null, List.of(), List.of());
    }

    public LocalRoute withCommunities(List<Integer> c) {
        return new LocalRoute(prefix, origin, nextHop, med, localPref, c, largeCommunities);
    }

    public LocalRoute withLargeCommunities(List<Communities.Large> c) {
        return new LocalRoute(prefix, origin, nextHop, med, localPref, communities, c);
    }

    public LocalRoute withMed(Long v) {
        return new LocalRoute(prefix, origin, nextHop, v, localPref, communities, largeCommunities);
    }

    public LocalRoute withLocalPref(Long v) {
        return new LocalRoute(prefix, origin, nextHop, med, v, communities, largeCommunities);
    }

    public LocalRoute withNextHop(InetAddress v) {
        return new LocalRoute(prefix, origin, v, med, localPref, communities, largeCommunities);
    }

    public LocalRoute withOrigin(int v) {
        return new LocalRoute(prefix, v, nextHop, med, localPref, communities, largeCommunities);
    }
}
