package io.gannet.pod.ipam;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A node's address block ({@code 10.1.2.0/24}, {@code fd00:1:2::/112}): the network the node's
 * pods take addresses from. Addresses are named by their offset from the network address.
 *
 * <p>The usable range excludes the network address (offset 0), the gateway (offset 1, the
 * node's own address towards its pods) and, for IPv4, the broadcast address. An IPv6 block
 * larger than 2^16 addresses is used through its first 65,536 addresses only; a node never
 * runs that many pods.
 */
public record IpBlock(InetAddress network, int prefixLength) {
    /** Upper bound of addresses one node's block hands out. */
    public static final int MAX_ADDRESSES = 1 << 16;

    public IpBlock {
        int bits = bits(network);
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range for " + network.getHostAddress());
        }
        BigInteger v = new BigInteger(1, network.getAddress());
        if (!v.shiftRight(bits - prefixLength).shiftLeft(bits - prefixLength).equals(v)) {
            throw new IllegalArgumentException(network.getHostAddress() + "/" + prefixLength + " has host bits set");
        }
        if (bits - prefixLength < 2) {
            throw new IllegalArgumentException(network.getHostAddress() + "/" + prefixLength + " is too small for pods (no room beside network, gateway and broadcast)");
        }
    }

    /** Parses {@code address/length}; a clear message on anything else. */
    public static IpBlock parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a prefix (address/length)");
        }
        InetAddress a = parseAddress(text.substring(0, slash));
        String len = text.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
        }
        return new IpBlock(a, Integer.parseInt(len));
    }

    /** Parses a literal IPv4 or IPv6 address without any name lookup. */
    public static InetAddress parseAddress(String text) {
        if (text == null || text.isEmpty() || !(text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        if (text.indexOf(':') < 0) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
                }
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
                }
                b[i] = (byte) v;
            }
            return byAddress(b);
        }
        if (!text.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
        }
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    public int bits() {
        return bits(network);
    }

    /** Number of addresses this block addresses by offset (capped at {@link #MAX_ADDRESSES}). */
    public int size() {
        int host = bits() - prefixLength;
        return host >= 16 ? MAX_ADDRESSES : 1 << host;
    }

    /** The gateway: the first address after the network address. Never handed to a pod. */
    public InetAddress gateway() {
        return address(1);
    }

    /** First offset a pod may get. */
    public int firstUsable() {
        return 2;
    }

    /** Last offset a pod may get (IPv4 keeps the broadcast address back; so does IPv6, for symmetry). */
    public int lastUsable() {
        int host = bits() - prefixLength;
        return host > 16 ? size() - 1 : size() - 2;
    }

    public InetAddress address(int offset) {
        byte[] b = network.getAddress();
        int carry = offset;
        for (int i = b.length - 1; i >= 0 && carry != 0; i--) {
            int v = (b[i] & 0xff) + (carry & 0xff);
            b[i] = (byte) v;
            carry = (carry >>> 8) + (v >>> 8);
        }
        return byAddress(b);
    }

    /** Offset of {@code a} in this block, or -1 when it is not in the addressed range. */
    public int offsetOf(InetAddress a) {
        byte[] n = network.getAddress();
        byte[] x = a.getAddress();
        if (n.length != x.length) {
            return -1;
        }
        BigInteger d = new BigInteger(1, x).subtract(new BigInteger(1, n));
        if (d.signum() < 0 || d.bitLength() > 31 || d.intValue() >= size()) {
            return -1;
        }
        return d.intValue();
    }

    public boolean contains(InetAddress a) {
        return offsetOf(a) >= 0;
    }

    /** Host prefix length for one address of this family: 32 or 128. */
    public int hostLength() {
        return bits();
    }

    /** The address as text; IPv6 in RFC 5952 form ({@code fd00:1::2}). */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestAt = -1;
        int bestLen = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                s.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            s.append(Integer.toHexString(w[i]));
            if (i < 7) {
                s.append(':');
            }
        }
        return s.toString();
    }

    static int bits(InetAddress a) {
        return a.getAddress().length * 8;
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }
}
