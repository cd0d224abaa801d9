package io.gannet.bgp.rib;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;

/**
 * RFC 2545 section 3: when the peer of an IPv6 session shares a link with us, the next hop of
 * MP_REACH_NLRI carries our global address and our link-local address on that link (32 octets),
 * so the peer can forward by the link-local one as routers on the link expect. This finds that
 * link-local address: the interface holding the session's local address, when the peer's address
 * falls into one of its IPv6 prefixes (or is itself link-local), and its link-local address.
 *
 * <p>Read once per session when it comes up (the RIB's loop), never per route.
 */
public final class LinkLocalNextHop {
    private LinkLocalNextHop() {}

    /** Our link-local address towards {@code remote} (16 octets), or null when the peer is not on a shared link. */
    public static byte[] find(InetAddress local, InetAddress remote) {
        if (!(local instanceof Inet6Address) || !(remote instanceof Inet6Address) || local.isLoopbackAddress()
                || local.isLinkLocalAddress() || isIpv4Mapped(remote)) {
            return null;
        }
        try {
            NetworkInterface nic = NetworkInterface.getByInetAddress(local);
            if (nic == null) {
                return null;
            }
            boolean onLink = remote.isLinkLocalAddress();
            for (InterfaceAddress ia : nic.getInterfaceAddresses()) {
                InetAddress a = ia.getAddress();
                if (a instanceof Inet6Address && !a.isLinkLocalAddress()
                        && samePrefix(a.getAddress(), remote.getAddress(), ia.getNetworkPrefixLength())) {
                    onLink = true;
                }
            }
            if (!onLink) {
                return null;
            }
            Enumeration<InetAddress> all = nic.getInetAddresses();
            while (all.hasMoreElements()) {
                InetAddress a = all.nextElement();
                if (a instanceof Inet6Address && a.isLinkLocalAddress()) {
                    return a.getAddress();
                }
            }
            return null;
        } catch (SocketException e) {
            return null;
        }
    }

    static boolean samePrefix(byte[] a, byte[] b, int bits) {
        if (a.length != b.length || bits <= 0 || bits > a.length * 8) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (a[full] & mask) == (b[full] & mask);
    }

    private static boolean isIpv4Mapped(InetAddress a) {
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }
}
