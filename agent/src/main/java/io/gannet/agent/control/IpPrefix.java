package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix with no host bits set: {@code 10.0.0.0/24}, {@code 2001:db8::/32}.
 * A bare address is the host prefix ({@code /32} or {@code /128}).
 */
public record IpPrefix(InetAddress address, int length) {

    public IpPrefix {
        Objects.requireNonNull(address, "address");
        int max = maxLength(address);
        if (length < 0 || length > max) {
            throw ControlException.badRequest("prefix length " + length + " is out of range 0.." + max);
        }
        byte[] b = address.getAddress();
        for (int bit = length; bit < b.length * 8; bit++) {
            if ((b[bit >>> 3] & (0x80 >>> (bit & 7))) != 0) {
                throw ControlException.badRequest("prefix " + IpLiteral.format(address) + "/" + length
                        + " has host bits set (the network is " + masked(b, length) + ")");
            }
        }
    }

    /** Parses {@code addr/len} or a bare address; throws a BAD_REQUEST {@link ControlException}. */
    public static IpPrefix parse(String text) {
        if (text == null || text.isBlank()) {
            throw ControlException.badRequest("prefix is empty");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            InetAddress a = IpLiteral.parse(text, "prefix");
            return new IpPrefix(a, maxLength(a));
        }
        if (text.indexOf('/', slash + 1) >= 0) {
            throw ControlException.badRequest("prefix '" + text + "' has more than one '/'");
        }
        InetAddress a = IpLiteral.parse(text.substring(0, slash), "prefix address");
        String len = text.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ControlException.badRequest("prefix '" + text + "' has no valid length after '/'");
        }
        return new IpPrefix(a, Integer.parseInt(len));
    }

    /** The prefix of {@code length} bits that contains {@code address} (host bits cleared). */
    public static IpPrefix of(InetAddress address, int length) {
        byte[] b = address.getAddress();
        for (int bit = length; bit < b.length * 8; bit++) {
            b[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        try {
            return new IpPrefix(InetAddress.getByAddress(b), length);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public Family family() {
        return isIpv4() ? Family.IPV4 : Family.IPV6;
    }

    /** True when {@code other} is this prefix or a more specific one inside it. */
    public boolean covers(IpPrefix other) {
        if (other.isIpv4() != isIpv4() || other.length < length) {
            return false;
        }
        byte[] a = address.getAddress();
        byte[] b = other.address.getAddress();
        for (int bit = 0; bit < length; bit++) {
            int mask = 0x80 >>> (bit & 7);
            if ((a[bit >>> 3] & mask) != (b[bit >>> 3] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static int maxLength(InetAddress a) {
        return a instanceof Inet4Address ? 32 : 128;
    }

    private static String masked(byte[] b, int length) {
        byte[] m = b.clone();
        for (int bit = length; bit < m.length * 8; bit++) {
            m[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        try {
            return IpLiteral.format(InetAddress.getByAddress(m)) + "/" + length;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @JsonValue
    @Override
    public String toString() {
        return IpLiteral.format(address) + "/" + length;
    }
}
