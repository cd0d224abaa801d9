package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One candidate path of a prefix with every attribute, for {@code gannet show route PREFIX
 * --detail}.
 *
 * @param fromPeer            the peer it came from, or null when originated here
 * @param peerAddress         that peer's address, or null
 * @param peerRouterId        that peer's BGP identifier (dotted quad), or null
 * @param nextHops            next hops (IPv6: global, then link-local when present)
 * @param asPath              AS_PATH
 * @param origin              ORIGIN
 * @param med                 MULTI_EXIT_DISC or null
 * @param localPref           LOCAL_PREF or null
 * @param communities         RFC 1997 communities
 * @param extendedCommunities RFC 4360 extended communities, printed as {@code rt:65000:1},
 *                            {@code ro:192.0.2.1:7} or {@code 0x0002fde800000001}
 * @param largeCommunities    RFC 8092 large communities
 * @param atomicAggregate     ATOMIC_AGGREGATE present
 * @param aggregator          AGGREGATOR as {@code AS address}, or null
 * @param originatorId        ORIGINATOR_ID (RFC 4456), or null
 * @param clusterList         CLUSTER_LIST (RFC 4456)
 * @param otherAttributes     attributes gannet passes on without interpreting, as
 *                            {@code type=99 flags=0xe0 length=4}
 * @param best                the best path
 * @param ecmp                in the multipath set
 * @param stale               retained across a graceful restart (RFC 4724)
 * @param receivedAtEpochMillis when the path was last received or originated
 * @param notBestReason       for a path that is not best: the decision step where it lost
 *                            ("higher MED (50 > 10)"); null for the best path
 */
public record CandidatePath(
        String fromPeer,
        InetAddress peerAddress,
        String peerRouterId,
        List<InetAddress> nextHops,
        List<AsPathSegment> asPath,
        Origin origin,
        Long med,
        Long localPref,
        List<Community> communities,
        List<String> extendedCommunities,
        List<LargeCommunity> largeCommunities,
        boolean atomicAggregate,
        String aggregator,
        InetAddress originatorId,
        List<InetAddress> clusterList,
        List<String> otherAttributes,
        boolean best,
        boolean ecmp,
        boolean stale,
        long receivedAtEpochMillis,
        String notBestReason) {

    public CandidatePath {
        Objects.requireNonNull(origin, "origin");
        nextHops = List.copyOf(nextHops);
        asPath = List.copyOf(asPath);
        communities = List.copyOf(communities);
        extendedCommunities = List.copyOf(extendedCommunities);
        largeCommunities = List.copyOf(largeCommunities);
        clusterList = List.copyOf(clusterList);
        otherAttributes = List.copyOf(otherAttributes);
    }
}
