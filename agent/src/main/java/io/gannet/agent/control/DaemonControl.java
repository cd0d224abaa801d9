package io.gannet.agent.control;

/**
 * The daemon's runtime commands: what {@code gannet peer|announce|withdraw|reload} and the
 * POST endpoints of the control API do. Implemented by the composition root.
 *
 * <p>Threads: called from the control server's worker threads (never a BGP event loop). An
 * implementation validates its arguments, then hops onto the owner thread of the state it
 * changes (the speaker's event loop) and waits for the outcome with a bounded timeout;
 * on timeout it throws {@link ControlException.Kind#UNAVAILABLE} after making sure the command
 * will not run later.
 *
 * <p>Atomicity: a call that throws has changed nothing. Arguments arrive already checked for
 * syntax (prefixes, communities, the RFC 9003 length of a shutdown message); the
 * implementation checks them against the daemon's state (unknown peer, prefix of a family no
 * session carries, a prefix the daemon did not originate, ...).
 */
public interface DaemonControl {

    /** RFC 9003: the shutdown communication is at most 255 octets of UTF-8. */
    int MAX_SHUTDOWN_MESSAGE_OCTETS = 255;

    /**
     * Stops the session and keeps it down until {@link #enablePeer}: sends a Cease
     * NOTIFICATION, subcode 2 Administrative Shutdown (RFC 4486) with {@code message} as the
     * shutdown communication (RFC 8203 / RFC 9003) when not null.
     *
     * @throws ControlException UNKNOWN_PEER
     */
    CommandResult disablePeer(String name, String message);

    /**
     * Lets a disabled session connect again.
     *
     * @throws ControlException UNKNOWN_PEER
     */
    CommandResult enablePeer(String name);

    /**
     * Drops the session with a Cease NOTIFICATION, subcode 4 Administrative Reset (RFC 4486),
     * carrying {@code message} (RFC 9003) when not null, and lets it reconnect at once.
     *
     * @throws ControlException UNKNOWN_PEER
     */
    CommandResult resetPeer(String name, String message);

    /** Which way a route refresh goes. */
    enum RefreshDirection {
        /** Ask the peer to send its routes again (ROUTE-REFRESH, RFC 2918), e.g. after an import policy change. */
        IN,
        /** Send the peer our whole Adj-RIB-Out again (soft reset out). */
        OUT
    }

    /**
     * Refreshes a session's routes without resetting it.
     *
     * @throws ControlException UNKNOWN_PEER; CONFLICT when the session is not Established or
     *         (in) the peer did not announce the route refresh capability
     */
    default CommandResult refreshPeer(String name, RefreshDirection direction) {
        throw ControlException.notAvailable("peer refresh");
    }

    /**
     * Originates a route (or replaces the attributes of one this daemon originates) and sends
     * it to every peer whose export policy accepts it.
     *
     * @throws ControlException BAD_REQUEST when no session could carry the family, or the next hop is unusable
     */
    CommandResult announce(Announcement announcement);

    /**
     * Originates a route as {@link #announce(Announcement)}, with the operator's safeguards:
     * a prefix the profile originates is refused (CONFLICT) unless {@code force}; with {@code
     * persist} the route is stored in the state dir and announced again after a restart.
     */
    default CommandResult announce(Announcement announcement, boolean force, boolean persist) {
        if (persist) {
            throw new ControlException(ControlException.Kind.NOT_AVAILABLE, "--persist: not available in this daemon");
        }
        return announce(announcement);
    }

    /** Withdraws as {@link #withdraw(IpPrefix)}; a prefix the profile originates needs {@code force}. */
    default CommandResult withdraw(IpPrefix prefix, boolean force) {
        return withdraw(prefix);
    }

    /**
     * Withdraws a route this daemon originated.
     *
     * @throws ControlException UNKNOWN_PREFIX when the daemon does not originate {@code prefix}
     */
    CommandResult withdraw(IpPrefix prefix);

    /**
     * Re-reads the profile and applies what can change at run time.
     *
     * @throws ControlException INVALID_CONFIG when the new profile does not load or validate;
     *         then nothing was applied
     */
    ReloadResult reload();

    /**
     * Pod IPAM, the CNI plugin's ADD: an address for {@code containerId}/{@code ifName} (the
     * same again for a retried ADD); {@code fixedIp} ({@code namespace/statefulset/ordinal}) or
     * null. Rows as in {@link DaemonView#ipam()} plus {@code ip}, {@code prefixLength}, {@code gateway}.
     *
     * @throws ControlException BAD_REQUEST, CONFLICT (block exhausted), UNAVAILABLE, NOT_AVAILABLE
     */
    default java.util.Map<String, Object> ipamAllocate(String containerId, String ifName, String podNamespace, String podName, String fixedIp) {
        throw ControlException.notAvailable("ipam");
    }

    /** Pod IPAM, the CNI plugin's DEL: idempotent ({@code released: false} when nothing was held). */
    default java.util.Map<String, Object> ipamRelease(String containerId, String ifName) {
        throw ControlException.notAvailable("ipam");
    }

    /** {@code gannet ipam reserve ADDRESS}: keep a block address from pods. */
    default java.util.Map<String, Object> ipamReserve(String address, String note) {
        throw ControlException.notAvailable("ipam");
    }

    /** {@code gannet ipam release ADDRESS}: free an address whoever holds it. */
    default java.util.Map<String, Object> ipamReleaseAddress(String address) {
        throw ControlException.notAvailable("ipam");
    }

    /**
     * L4LB: withdraws this host's VIPs and keeps serving established flows for {@code grace};
     * with {@code grace} null only reports the drain's state. The message is "draining (N s
     * left)", "drained" or "none".
     *
     * @throws ControlException NOT_AVAILABLE when this host runs no L4 load balancer
     */
    default CommandResult drain(java.time.Duration grace) {
        throw ControlException.notAvailable("drain");
    }

    /**
     * {@code gannet endpoint add}: registers (or replaces) an external endpoint in the cluster
     * store, from where every host's datapath learns it. Returns "endpoint", "outcome"
     * (created, updated, unchanged), "cidrs", "labels".
     *
     * @throws ControlException BAD_REQUEST (invalid, or overlapping the pod address space or
     *         another endpoint: nothing changed), CONFLICT (another source owns the name),
     *         UNAVAILABLE (store), NOT_AVAILABLE (no --policy-dir)
     */
    default java.util.Map<String, Object> endpointAdd(String namespace, String name, java.util.List<String> cidrs,
            java.util.Map<String, String> labels) {
        throw ControlException.notAvailable("endpoints");
    }

    /** {@code gannet endpoint remove}: removes an external endpoint the API registered (NOT_FOUND, CONFLICT). */
    default java.util.Map<String, Object> endpointRemove(String namespace, String name) {
        throw ControlException.notAvailable("endpoints");
    }
}
