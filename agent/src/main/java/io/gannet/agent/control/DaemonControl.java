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

    /**
     * Originates a route (or replaces the attributes of one this daemon originates) and sends
     * it to every peer whose export policy accepts it.
     *
     * @throws ControlException BAD_REQUEST when no session could carry the family, or the next hop is unusable
     */
    CommandResult announce(Announcement announcement);

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
}
