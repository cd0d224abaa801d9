package io.gannet.topology.config;

import java.net.InetAddress;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One BGP session of a host, towards one switch, fully resolved: no defaults left to apply.
 *
 * @param name               the switch's name, unique among the host's neighbors
 * @param address            the switch address the host connects to
 * @param port               the switch's TCP port (179 unless a demo or test says otherwise)
 * @param remoteAs           the switch's AS
 * @param localAs            the host's AS on this session
 * @param localAddress       the host's source address for the session
 * @param ibgp               remoteAs == localAs
 * @param holdTimeSeconds    proposed hold time: 0 or at least 3 (RFC 4271 4.2)
 * @param keepaliveSeconds   keepalive interval, at most a third of the hold time
 * @param connectRetrySeconds ConnectRetryTimer (RFC 4271 10)
 * @param passive            never connect, only accept
 * @param md5                RFC 2385 password and its reference, or null
 * @param ttlSecurityHops    RFC 5082 GTSM: 0 = off, otherwise accept only TTL >= 256 - hops
 * @param multihopTtl        TTL of our packets: 1 for directly connected eBGP, 255 for iBGP by default
 * @param gracefulRestart    advertise RFC 4724 and help a restarting peer
 * @param gracefulRestartSeconds the restart time to advertise
 * @param bfd                BFD beside this session
 * @param maxPrefixes        0 = unlimited
 * @param maxPrefixAction    what exceeding {@code maxPrefixes} does
 * @param families           address families the session negotiates (RFC 4760), never empty
 * @param extendedMessage    advertise RFC 8654 extended messages
 * @param routeReflectorClient the neighbor is our route-reflector client (RFC 4456): a router's iBGP neighbors
 * @param delayOpenSeconds   RFC 4271 8.1.1 DelayOpenTime: wait for the switch's OPEN first; 0 = off
 * @param keepReceived       keep what the switch sends before import policy (FRR's soft-reconfiguration
 *                           inbound): {@code show routes --received|--rejected}, 4 bytes per prefix
 * @param interfaceName      unnumbered peering: the interface the switch is on; {@code address}
 *                           is then null in the profile's form (learned from the switch's router
 *                           advertisements at run time) and an IPv6 link-local address once learned
 */
public record NeighborConfig(
        String name,
        InetAddress address,
        int port,
        long remoteAs,
        long localAs,
        InetAddress localAddress,
        boolean ibgp,
        int holdTimeSeconds,
        int keepaliveSeconds,
        int connectRetrySeconds,
        boolean passive,
        Md5Secret md5,
        int ttlSecurityHops,
        int multihopTtl,
        boolean gracefulRestart,
        int gracefulRestartSeconds,
        BfdConfig bfd,
        long maxPrefixes,
        MaxPrefixAction maxPrefixAction,
        Set<BgpFamily> families,
        boolean extendedMessage,
        boolean routeReflectorClient,
        int delayOpenSeconds,
        boolean keepReceived,
        String interfaceName) {

    public NeighborConfig {
        Objects.requireNonNull(name, "name");
        if (interfaceName == null) {
            Objects.requireNonNull(address, "address");
        }
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(bfd, "bfd");
        Objects.requireNonNull(maxPrefixAction, "maxPrefixAction");
        families = Collections.unmodifiableSet(EnumSet.copyOf(families));
    }

    /** Whether the session runs over link-local addresses on {@link #interfaceName}. */
    public boolean unnumbered() {
        return interfaceName != null;
    }

    /**
     * The address our side of the session sends from: the host's, or null for an unnumbered
     * session (the kernel's choice: our link-local address on {@link #interfaceName}).
     */
    public InetAddress sourceAddress() {
        return interfaceName == null ? localAddress : null;
    }

    /** The switch's address, or "link-local on IF" (its address when learned). */
    public String where() {
        if (interfaceName == null) {
            return address.getHostAddress();
        }
        return address == null ? "link-local on " + interfaceName : address.getHostAddress();
    }

    /** The same neighbor at {@code linkLocal}, its learned address (unnumbered). */
    public NeighborConfig at(InetAddress linkLocal) {
        return new NeighborConfig(name, linkLocal, port, remoteAs, localAs, localAddress, ibgp, holdTimeSeconds, keepaliveSeconds,
                connectRetrySeconds, passive, md5, ttlSecurityHops, multihopTtl, gracefulRestart, gracefulRestartSeconds, bfd,
                maxPrefixes, maxPrefixAction, families, extendedMessage, routeReflectorClient, delayOpenSeconds, keepReceived,
                interfaceName);
    }

    @Override
    public String toString() {
        // Explicit so the MD5 password can never be printed, even if Md5Secret changed.
        return "NeighborConfig[" + name + " " + where() + ":" + port + " AS" + remoteAs
                + (md5 == null ? "" : " md5 " + md5.describe()) + "]";
    }
}
