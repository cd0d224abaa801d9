package io.gannet.bfd;

import io.gannet.bfd.session.BfdAuthentication;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What a client asks BFD to watch: one peer, the path to it and the timers. Sessions are
 * shared by every client asking for the same {@link #key()}; the first request's timers
 * and authentication are used until a handle changes them.
 *
 * @param peer remote address
 * @param local local address to send from (null: chosen by the kernel)
 * @param interfaceName device to bind to (null: any); single-hop sessions should name it
 * @param hopMode single-hop or multihop
 * @param desiredMinTx bfd.DesiredMinTxInterval (microsecond resolution)
 * @param requiredMinRx bfd.RequiredMinRxInterval
 * @param detectMult bfd.DetectMult, 1..255
 * @param authentication null for none
 * @param minReceivedTtl multihop only: packets with a lower TTL are dropped (RFC 5883 2)
 */
public record BfdPeerSpec(InetAddress peer, InetAddress local, String interfaceName, HopMode hopMode,
        Duration desiredMinTx, Duration requiredMinRx, int detectMult, BfdAuthentication authentication,
        int minReceivedTtl) {

    /** The default multihop minimum TTL: 254, i.e. at most one routed hop, as FRR defaults. */
    public static final int DEFAULT_MULTIHOP_MIN_TTL = 254;

    public BfdPeerSpec {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(hopMode, "hopMode");
        Objects.requireNonNull(desiredMinTx, "desiredMinTx");
        Objects.requireNonNull(requiredMinRx, "requiredMinRx");
        if (local != null && local.getClass() != peer.getClass()) {
            throw new IllegalArgumentException("local and peer address families differ");
        }
        if (desiredMinTx.toNanos() < 1000 || requiredMinRx.isNegative()) {
            throw new IllegalArgumentException("desired min tx must be >= 1 us, required min rx >= 0");
        }
        if (detectMult < 1 || detectMult > 255) {
            throw new IllegalArgumentException("detect multiplier must be 1..255");
        }
        if (minReceivedTtl < 1 || minReceivedTtl > 255) {
            throw new IllegalArgumentException("minimum received TTL must be 1..255");
        }
    }

    /** Single-hop spec with the given interval for both directions, no authentication. */
    public static BfdPeerSpec singleHop(InetAddress peer, InetAddress local, String interfaceName,
            Duration interval, int detectMult) {
        return new BfdPeerSpec(peer, local, interfaceName, HopMode.SINGLE_HOP, interval, interval, detectMult, null, 255);
    }

    /** Multihop spec with the given interval for both directions, no authentication. */
    public static BfdPeerSpec multiHop(InetAddress peer, InetAddress local, Duration interval, int detectMult) {
        return new BfdPeerSpec(peer, local, null, HopMode.MULTI_HOP, interval, interval, detectMult, null,
                DEFAULT_MULTIHOP_MIN_TTL);
    }

    public BfdPeerSpec withAuthentication(BfdAuthentication auth) {
        return new BfdPeerSpec(peer, local, interfaceName, hopMode, desiredMinTx, requiredMinRx, detectMult, auth,
                minReceivedTtl);
    }

    public BfdPeerSpec withTimers(Duration tx, Duration rx, int mult) {
        return new BfdPeerSpec(peer, local, interfaceName, hopMode, tx, rx, mult, authentication, minReceivedTtl);
    }

    /** What identifies a shared session. */
    public Key key() {
        return new Key(peer, local, interfaceName, hopMode);
    }

    /** Session identity: peer, local address, interface and hop mode. */
    public record Key(InetAddress peer, InetAddress local, String interfaceName, HopMode hopMode) {
        @Override
        public String toString() {
            return peer.getHostAddress() + (local == null ? "" : " local " + local.getHostAddress())
                    + (interfaceName == null ? "" : " dev " + interfaceName)
                    + (hopMode == HopMode.MULTI_HOP ? " multihop" : "");
        }
    }
}
