package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One path to a prefix as {@code gannet show routes} lists it.
 *
 * @param prefix           the destination
 * @param nextHops         the path's next hops (IPv6 may carry a global and a link-local one)
 * @param asPath           AS_PATH segments, empty for a locally originated route
 * @param origin           ORIGIN
 * @param med              MULTI_EXIT_DISC, or null when absent
 * @param localPref        LOCAL_PREF, or null when absent
 * @param communities      RFC 1997 communities
 * @param largeCommunities RFC 8092 large communities
 * @param best             the selected best path of the Loc-RIB
 * @param ecmp             a member of the multipath set used for forwarding
 * @param stale            kept across the peer's graceful restart (RFC 4724), not yet refreshed
 * @param fromPeer         the peer it was learned from, or null for a route this daemon originates
 * @param source           who put it in the RIB: {@code peer} (learned), {@code profile} (the
 *                         host's announcements), {@code operator} ({@code gannet announce}), or
 *                         {@code local} when the daemon does not say
 */
public record RouteEntry(
        IpPrefix prefix,
        List<InetAddress> nextHops,
        List<AsPathSegment> asPath,
        Origin origin,
        Long med,
        Long localPref,
        List<Community> communities,
        List<LargeCommunity> largeCommunities,
        boolean best,
        boolean ecmp,
        boolean stale,
        String fromPeer,
        String source) {

    public RouteEntry {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(source, "source");
        nextHops = List.copyOf(nextHops);
        asPath = List.copyOf(asPath);
        communities = List.copyOf(communities);
        largeCommunities = List.copyOf(largeCommunities);
    }

    public RouteEntry(IpPrefix prefix, List<InetAddress> nextHops, List<AsPathSegment> asPath, Origin origin, Long med,
                      Long localPref, List<Community> communities, List<LargeCommunity> largeCommunities, boolean best,
                      boolean ecmp, boolean stale, String fromPeer) {
        this(prefix, nextHops, asPath, origin, med, localPref, communities, largeCommunities, best, ecmp, stale, fromPeer,
                fromPeer == null || fromPeer.equals("local") ? "local" : "peer");
    }

    /** This entry with another {@link #source()}. */
    public RouteEntry withSource(String s) {
        return new RouteEntry(prefix, nextHops, asPath, origin, med, localPref, communities, largeCommunities, best, ecmp,
                stale, fromPeer, s);
    }

    public Family family() {
        return prefix.family();
    }
}
