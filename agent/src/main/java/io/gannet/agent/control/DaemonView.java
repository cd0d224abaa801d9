package io.gannet.agent.control;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * The daemon's read model: everything {@code gannet show} and the read-only endpoints of the
 * control API display. Implemented by the composition root ({@code gannet run}).
 *
 * <p>Threads: called from the control server's worker threads, never from a BGP or BFD event
 * loop and never from the control server's I/O thread, so an implementation may block
 * briefly. It must not touch state owned by another thread directly: either read the
 * immutable snapshot that thread publishes (preferred for {@link #peers()}: 1,000 peers must
 * answer in well under 50 ms), or hop onto the owner thread and wait with a bounded timeout,
 * throwing {@link ControlException.Kind#UNAVAILABLE} when it expires.
 *
 * <p>Errors: every method either returns a value or throws {@link ControlException}; the
 * server maps any other exception to a 500 "internal_error" and logs it.
 */
public interface DaemonView {

    /** Every BGP session, configured and dynamic, in name order. */
    List<PeerStatus> peers();

    /**
     * One session by name.
     *
     * @throws ControlException UNKNOWN_PEER when no session has that name
     */
    default PeerStatus peer(String name) {
        List<PeerStatus> all = peers();
        return all.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> ControlException.unknownPeer(name, all.stream().map(PeerStatus::name).toList()));
    }

    /**
     * One session in full: negotiated capabilities, timers, router ids, counters.
     *
     * @throws ControlException UNKNOWN_PEER when no session has that name
     */
    default PeerDetail peerDetail(String name) {
        throw ControlException.notAvailable("peer detail");
    }

    /**
     * The Loc-RIB's best and multipath entries of the longest prefix that covers {@code address}
     * (like BIRD's {@code show route for}).
     *
     * @throws ControlException UNKNOWN_PREFIX when no route covers it
     */
    default RouteList routesFor(InetAddress address) {
        throw ControlException.notAvailable("routes for an address");
    }

    /**
     * The routes sent to {@code peer} (its Adj-RIB-Out, after export policy), in prefix order.
     *
     * @throws ControlException UNKNOWN_PEER when no session has that name
     */
    default RouteList advertised(String peer, Family family) {
        throw ControlException.notAvailable("advertised routes");
    }

    /**
     * What {@code peer} sent, before import policy (its pre-policy Adj-RIB-In), in prefix order.
     *
     * @throws ControlException UNKNOWN_PEER when no session has that name
     */
    default RouteList received(String peer, Family family) {
        throw ControlException.notAvailable("received routes");
    }

    /**
     * What {@code peer} sent that is not in the Loc-RIB: refused by import policy, the AS_PATH
     * loop check or a next hop of our own (BIRD's {@code show route filtered}).
     *
     * @throws ControlException UNKNOWN_PEER when no session has that name
     */
    default RouteList rejected(String peer, Family family) {
        throw ControlException.notAvailable("rejected routes");
    }

    /**
     * Loc-RIB paths matching the query, in prefix order; with {@link RouteQuery#peer()} the
     * paths learned from that peer (accepted by its import policy).
     *
     * @throws ControlException UNKNOWN_PEER for a peer filter naming no session
     */
    RouteList routes(RouteQuery query);

    /**
     * Every candidate path for exactly {@code prefix} and why the best won.
     *
     * @throws ControlException UNKNOWN_PREFIX when the RIB has no path for it
     */
    RouteDetail routeDetail(IpPrefix prefix);

    /**
     * BFD sessions.
     *
     * @throws ControlException NOT_AVAILABLE when this build runs no BFD
     */
    List<BfdSessionStatus> bfdSessions();

    /**
     * Service VIPs (ECMP L4LB). Each row is one object with stable, operator-readable keys in
     * display order (the CLI prints them as columns); the part that lands defines the rows and
     * then gets its own typed record here.
     *
     * @throws ControlException NOT_AVAILABLE until the L4LB part is wired in
     */
    default List<Map<String, Object>> vips() {
        throw ControlException.notAvailable("vips");
    }

    /** Services and their backends; rows as in {@link #vips()}. */
    default List<Map<String, Object>> services() {
        throw ControlException.notAvailable("services");
    }

    /**
     * Ingress policy in force: "endpoints" (per pod: identity, the policies selecting it, its
     * entries), "policies" (with what they do not enforce), "filesNotApplied"; only the pod
     * named {@code endpoint} ("namespace/name", "name" or its address) when not null.
     */
    default Map<String, Object> policy(String endpoint) {
        throw ControlException.notAvailable("policy");
    }

    /** Drops reported after sequence number {@code after}: "drops" (rows), "last", "counters". */
    default Map<String, Object> drops(long after) {
        throw ControlException.notAvailable("policy");
    }

    /**
     * SNAT masquerade: "enabled", "pool", "devices" (device -> node address), "nonMasquerade",
     * "occupancy", "portTries" (the retry histogram) and "translations" (one row per live flow).
     */
    default Map<String, Object> nat() {
        throw ControlException.notAvailable("nat");
    }

    /** Pod IPAM: the node's PodCIDR and allocations; rows as in {@link #vips()}. */
    default List<Map<String, Object>> ipam() {
        throw ControlException.notAvailable("ipam");
    }

    /** Pod IPAM: the node's block, where it came from, used/free counts. */
    default Map<String, Object> ipamSummary() {
        throw ControlException.notAvailable("ipam");
    }

    /**
     * {@code gannet endpoint list}: "endpoints" (each "endpoint", "cidrs", "labels", "identity",
     * "source"), as the cluster store holds them and this host's datapath applies them, and
     * "problems" (store values or directory entries not applied).
     */
    default Map<String, Object> externalEndpoints() {
        throw ControlException.notAvailable("endpoints");
    }
}
