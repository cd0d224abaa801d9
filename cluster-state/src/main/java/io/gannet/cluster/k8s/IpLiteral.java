package io.gannet.cluster.k8s;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * IP address literals as Kubernetes writes them: strict dotted-quad IPv4 (no octal, no
 * short forms) or an IPv6 literal. Never resolves a name.
 */
public final class IpLiteral {
    private IpLiteral() {}

    /** Parses {@code s}; throws IllegalArgumentException naming the text when it is not an IP literal. */
    public static InetAddress parse(String s) {
        String t = s == null ? "" : s.trim();
        if (t.indexOf(':') >= 0) {
            // A string with ':' is only ever parsed as an IPv6 literal by getByName (no lookup).
            if (t.indexOf('%') >= 0 || t.indexOf('[') >= 0 || !t.chars().allMatch(c -> c == ':' || c == '.'
                    || Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("not an IP address: '" + s + "'");
            }
            try {
                return InetAddress.getByName(t);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: '" + s + "'");
            }
        }
        String[] p = t.split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("not an IP address: '" + s + "'");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = p[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new IllegalArgumentException("not an IP address: '" + s + "'");
            }
            int v = Integer.parseInt(part);
            if (v > 255) {
                throw new IllegalArgumentException("not an IP address: '" + s + "' (" + v + " > 255)");
            }
            b[i] = (byte) v;
        }
        try {
            return Inet4Address.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + s + "'");
        }
    }

    /** "IPv4" or "IPv6", as Kubernetes names the families. */
    public static String family(InetAddress a) {
        return a instanceof Inet4Address ? "IPv4" : "IPv6";
    }

    /** The address in its canonical text form (no host name, no slash). */
    public static String format(InetAddress a) {
        return a.getHostAddress();
    }
}
