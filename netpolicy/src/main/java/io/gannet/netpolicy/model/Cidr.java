package io.gannet.netpolicy.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 prefix with its host bits cleared; parsed strictly (no host names). */
public record Cidr(byte[] address, int prefixLength) implements Comparable<Cidr> {
    public Cidr {
        address = address.clone();
        int bits = address.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0-" + bits);
        }
        for (int i = 0; i < address.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            address[i] &= (byte) (0xff << (8 - keep));
        }
    }

    /** "10.0.0.0/8", "2001:db8::/32", or a bare address as its host prefix. */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        if (addr.isEmpty() || !(addr.indexOf(':') >= 0 || addr.chars().allMatch(c -> Character.isDigit(c) || c == '.'))) {
            throw new IllegalArgumentException("'" + text + "' is not an IP prefix");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP prefix");
        }
        int len;
        try {
            len = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
        }
        return new Cidr(bytes, len);
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /** True if {@code other} lies inside this prefix (same family). */
    public boolean contains(Cidr other) {
        if (other.address.length != address.length || other.prefixLength < prefixLength) {
            return false;
        }
        return new Cidr(other.address, prefixLength).equals(this);
    }

    @Override
    public byte[] address() {
        return address.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + prefixLength;
    }

    @Override
    public int compareTo(Cidr o) {
        int c = Integer.compare(address.length, o.address.length);
        if (c == 0) {
            c = Arrays.compareUnsigned(address, o.address);
        }
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }

    @Override
    public String toString() {
        if (address.length == 16) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(address);
            return new io.gannet.bpf.lb.Ipv6(b.getLong(), b.getLong()).format() + "/" + prefixLength; // RFC 5952 text
        }
        try {
            String a = InetAddress.getByAddress(address).getHostAddress();
            return a + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
