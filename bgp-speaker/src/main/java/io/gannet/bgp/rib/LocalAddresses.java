package io.gannet.bgp.rib;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;

/**
 * The host's own addresses, for the RFC 4271 6.3 check that a received NEXT_HOP is not one of
 * them: a route pointing back at us is semantically incorrect, logged and ignored. An immutable
 * snapshot held in primitive arrays so the check allocates nothing; {@link #ofInterfaces} reads
 * every interface of the network namespace the JVM runs in.
 *
 * <p>Threading: immutable, shared freely.
 */
public final class LocalAddresses {
    static final LocalAddresses NONE = new LocalAddresses(new int[0], new long[0]);

    private final int[] v4;    // sorted
    private final long[] v6;   // pairs: hi, lo

    private LocalAddresses(int[] v4, long[] v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    /** A snapshot of the given addresses. */
    public static LocalAddresses of(Collection<InetAddress> addresses) {
        int[] v4 = new int[addresses.size()];
        long[] v6 = new long[addresses.size() * 2];
        int n4 = 0;
        int n6 = 0;
        for (InetAddress a : addresses) {
            byte[] b = a.getAddress();
            if (b.length == 4) {
                v4[n4++] = ipv4(b, 0);
            } else {
                v6[n6++] = bits(b, 0);
                v6[n6++] = bits(b, 8);
            }
        }
        int[] sorted = Arrays.copyOf(v4, n4);
        Arrays.sort(sorted);
        return new LocalAddresses(sorted, Arrays.copyOf(v6, n6));
    }

    /** Every address of every interface in this network namespace; empty if the system will not say. */
    public static LocalAddresses ofInterfaces() {
        List<InetAddress> all = new ArrayList<>();
        try {
            Enumeration<NetworkInterface> nics = NetworkInterface.getNetworkInterfaces();
            while (nics != null && nics.hasMoreElements()) {
                Enumeration<InetAddress> as = nics.nextElement().getInetAddresses();
                while (as.hasMoreElements()) {
                    all.add(as.nextElement());
                }
            }
        } catch (SocketException e) {
            return NONE;
        }
        return of(all);
    }

    public boolean containsIpv4(int address) {
        return Arrays.binarySearch(v4, address) >= 0;
    }

    /** {@code hi}/{@code lo}: the 16 octets as two big-endian longs. IPv4-mapped addresses are checked as IPv4. */
    public boolean containsIpv6(long hi, long lo) {
        if (hi == 0 && (lo >>> 32) == 0xFFFFL) {
            return containsIpv4((int) lo);
        }
        for (int i = 0; i < v6.length; i += 2) {
            if (v6[i] == hi && v6[i + 1] == lo) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code address} (4 or 16 octets) is one of ours. */
    public boolean contains(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? containsIpv4(ipv4(b, 0)) : containsIpv6(bits(b, 0), bits(b, 8));
    }

    static int ipv4(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static long bits(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        return v4.length + " IPv4 and " + v6.length / 2 + " IPv6 addresses";
    }
}
