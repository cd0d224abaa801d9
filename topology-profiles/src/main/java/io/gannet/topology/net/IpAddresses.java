package io.gannet.topology.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Strict IP literal parsing. {@link InetAddress#getByName} would resolve host names through
 * DNS; a profile must never trigger a lookup, so only literals are accepted here.
 */
public final class IpAddresses {
    private IpAddresses() {}

    /** Parses a dotted-quad IPv4 or an RFC 4291 IPv6 literal; anything else is empty. */
    public static Optional<InetAddress> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return Optional.empty();
        }
        if (text.indexOf(':') >= 0) {
            return parseIpv6(text);
        }
        return parseIpv4(text);
    }

    private static Optional<InetAddress> parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            // Leading zeros are refused: some tools read them as octal (010 = 8).
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return Optional.empty();
            }
            int v = 0;
            for (int k = 0; k < part.length(); k++) {
                char c = part.charAt(k);
                if (c < '0' || c > '9') {
                    return Optional.empty();
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) v;
        }
        return Optional.of(byAddress(bytes));
    }

    private static Optional<InetAddress> parseIpv6(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return Optional.empty(); // also refuses zone ids (%eth0) and brackets
            }
        }
        try {
            // A string with ':' and only hex digits is never looked up in DNS.
            InetAddress a = InetAddress.getByName(text);
            return a instanceof Inet6Address || a instanceof Inet4Address ? Optional.of(a) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + bytes.length, e);
        }
    }

    public static int bits(InetAddress a) {
        return a.getAddress().length * 8;
    }

    public static BigInteger toBigInteger(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    public static InetAddress fromBigInteger(BigInteger v, int bits) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        return byAddress(out);
    }

    /** The textual form tools print: dotted quad or RFC 5952 compressed IPv6. */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        return compressIpv6(a.getAddress());
    }

    private static String compressIpv6(byte[] b) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
