package io.gannet.bgp.wire.attr;

import io.gannet.bgp.wire.AddressFamily;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 unicast prefix as an immutable value, for APIs (origination, show commands,
 * policy prefix lists). The hot path never creates these: it passes the same bits as
 * primitives ({@code hi}, {@code lo}, {@code length}).
 *
 * <p>Bit layout: an IPv6 address is {@code hi} (first 64 bits) and {@code lo} (last 64 bits);
 * an IPv4 address sits in the low 32 bits of {@code hi} (unsigned) with {@code lo} = 0. Host
 * bits beyond {@code length} are always zero.
 */
public record Prefix(boolean ipv6, long hi, long lo, int length) implements Comparable<Prefix> {

    public Prefix {
        int max = ipv6 ? 128 : 32;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + max);
        }
        if (ipv6) {
            hi &= mask64(length);
            lo &= mask64(length - 64);
        } else {
            hi &= 0xFFFFFFFFL & (length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)));
            lo = 0;
        }
    }

    /** Mask of the top {@code bits} bits of a long; 0 for bits <= 0, all ones for bits >= 64. */
    static long mask64(int bits) {
        if (bits <= 0) {
            return 0;
        }
        if (bits >= 64) {
            return -1L;
        }
        return -1L << (64 - bits);
    }

    public static Prefix ipv4(int address, int length) {
        return new Prefix(false, address & 0xFFFFFFFFL, 0, length);
    }

    public static Prefix ipv6(long hi, long lo, int length) {
        return new Prefix(true, hi, lo, length);
    }

    /** Parses {@code "10.0.0.0/24"} or {@code "2001:db8::/32"}; a bare address is a host prefix. */
    public static Prefix parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        if (!addr.contains(":") && !addr.matches("[0-9.]+")) {
            throw new IllegalArgumentException("not an IP prefix: " + text);
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr); // literal only: checked above, no DNS lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP prefix: " + text, e);
        }
        boolean v6 = a instanceof Inet6Address;
        int len = slash < 0 ? (v6 ? 128 : 32) : Integer.parseInt(text.substring(slash + 1));
        return of(a, len);
    }

    public static Prefix of(InetAddress address, int length) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return ipv4(bytesToInt(b, 0), length);
        }
        return ipv6(bytesToLong(b, 0), bytesToLong(b, 8), length);
    }

    public AddressFamily family() {
        return ipv6 ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST;
    }

    /** The IPv4 address bits as a signed int (only for IPv4 prefixes). */
    public int ipv4Bits() {
        return (int) hi;
    }

    public InetAddress address() {
        try {
            if (!ipv6) {
                return Inet4Address.getByAddress(intToBytes((int) hi));
            }
            byte[] b = new byte[16];
            longToBytes(hi, b, 0);
            longToBytes(lo, b, 8);
            return Inet6Address.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** True if {@code other} is this prefix or a more specific one inside it. */
    public boolean contains(Prefix other) {
        if (other.ipv6 != ipv6 || other.length < length) {
            return false;
        }
        if (!ipv6) {
            long m = 0xFFFFFFFFL & (length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)));
            return (other.hi & m) == hi;
        }
        return (other.hi & mask64(length)) == hi && (other.lo & mask64(length - 64)) == lo;
    }

    @Override
    public int compareTo(Prefix o) {
        if (ipv6 != o.ipv6) {
            return ipv6 ? 1 : -1;
        }
        int c = Long.compareUnsigned(hi, o.hi);
        if (c == 0) {
            c = Long.compareUnsigned(lo, o.lo);
        }
        return c != 0 ? c : Integer.compare(length, o.length);
    }

    @Override
    public String toString() {
        return address().getHostAddress() + "/" + length;
    }

    static int bytesToInt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static long bytesToLong(byte[] b, int off) {
        return (long) bytesToInt(b, off) << 32 | (bytesToInt(b, off + 4) & 0xFFFFFFFFL);
    }

    static byte[] intToBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static void longToBytes(long v, byte[] b, int off) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
