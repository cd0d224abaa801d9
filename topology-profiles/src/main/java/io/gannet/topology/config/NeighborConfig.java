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
        int delayOpenSeconds) {

    public NeighborConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(bfd, "bfd");
        Objects.requireNonNull(maxPrefixAction, "maxPrefixAction");
        families = Collections.unmodifiableSet(EnumSet.copyOf(families));
    }

    @Override
    public String toString() {
        // Explicit so the MD5 password can never be printed, even if Md5Secret changed.
        return "NeighborConfig[" + name + " " + address.getHostAddress() + ":" + port + " AS" + remoteAs
                + (md5 == null ? "" : " md5 " + md5.describe()) + "]";
    }
}
