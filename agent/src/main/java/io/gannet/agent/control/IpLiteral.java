package io.gannet.agent.control;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses and prints IP address literals without ever touching DNS ({@code
 * InetAddress.getByName} would resolve a host name typed by mistake) and prints IPv6 in the
 * RFC 5952 canonical form.
 */
public final class IpLiteral {
    private IpLiteral() {}

    /** The address written as {@code text}, or a {@link ControlException} saying why not. */
    public static InetAddress parse(String text, String what) {
        if (text == null || text.isEmpty()) {
            throw ControlException.badRequest(what + " is empty");
        }
        if (text.indexOf('%') >= 0) {
            throw ControlException.badRequest(what + " '" + text + "' has a zone id; give a plain address");
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null) {
            throw ControlException.badRequest(what + " '" + text + "' is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always a valid address", e);
        }
    }

    /** {@code 192.0.2.1}, {@code 2001:db8::1}. */
    public static String format(InetAddress address) {
        return NetUtil.toAddressString(address);
    }
}
