package io.gannet.linux.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix; the address has its host bits cleared unless built with {@link
 * #host} (an interface address such as 10.1.0.5/24 keeps them).
 */
public record Prefix(InetAddress address, int length) {
    public Prefix {
        Objects.requireNonNull(address, "address");
        int max = address.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + max + " for " + address.getHostAddress());
        }
    }

    /** Parses {@code 10.1.0.0/24} or {@code 2001:db8::/64} (a bare address is a host prefix); host bits are cleared. */
    public static Prefix parse(String text) {
        Prefix p = host(text);
        return p.network();
    }

    /** Parses {@code 10.1.0.5/24} keeping the host bits (an interface address). */
    public static Prefix host(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = literal(addr);
        int max = a.getAddress().length * 8;
        int len;
        try {
            len = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix length in '" + text + "'");
        }
        return new Prefix(a, len);
    }

    /** An IP address literal (never a DNS lookup). */
    public static InetAddress literal(String text) {
        String t = text.trim();
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = t.contains(":") && t.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
    }

    public static Prefix of(InetAddress a, int length) {
        return new Prefix(a, length).network();
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** AF_INET or AF_INET6. */
    public int family() {
        return isIpv4() ? 2 : 10;
    }

    /** This prefix with the host bits cleared. */
    public Prefix network() {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, length - i * 8));
            b[i] &= (byte) (0xff << (8 - bits));
        }
        try {
            return new Prefix(InetAddress.getByAddress(b), length);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(InetAddress a) {
        if (a.getAddress().length != address.getAddress().length) {
            return false;
        }
        return Prefix.of(a, length).address.equals(network().address);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
