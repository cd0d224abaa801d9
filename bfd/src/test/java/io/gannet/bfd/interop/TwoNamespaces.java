package io.gannet.bfd.interop;

import io.gannet.linux.NetworkNamespace;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Two namespaces joined by a veth pair: "left" 10.53.0.1/30 on bfdl0, "right" 10.53.0.2/30
 * on bfdr0. Nothing touches the root namespace: the Java side of a test opens its sockets
 * inside "left" with setns(2) on the BFD timer thread (see io.gannet.linux.Netns#enterOnThisThread).
 */
public final class TwoNamespaces implements AutoCloseable {
    public static final String LEFT_IF = "bfdl0";
    public static final String RIGHT_IF = "bfdr0";
    public final NetworkNamespace left;
    public final NetworkNamespace right;
    public final InetAddress leftAddress;
    public final InetAddress rightAddress;

    public TwoNamespaces(String tag) {
        left = NetworkNamespace.create("bfd" + tag + "l");
        NetworkNamespace r = null;
        try {
            r = NetworkNamespace.create("bfd" + tag + "r");
            left.linkTo(r, LEFT_IF, "10.53.0.1/30", RIGHT_IF, "10.53.0.2/30");
            leftAddress = InetAddress.getByName("10.53.0.1");
            rightAddress = InetAddress.getByName("10.53.0.2");
        } catch (RuntimeException | UnknownHostException e) {
            left.close();
            if (r != null) {
                r.close();
            }
            throw new IllegalStateException(e);
        }
        right = r;
    }

    public String leftPath() {
        return "/var/run/netns/" + left.name();
    }

    public String rightPath() {
        return "/var/run/netns/" + right.name();
    }

    /** Drops every BFD packet leaving {@code ns} (the path is cut, the link stays up). */
    public static void cut(NetworkNamespace ns) {
        ns.exec("nft", "add table inet bfdcut");
        ns.exec("nft", "add chain inet bfdcut out { type filter hook output priority 0 ; }");
        ns.exec("nft", "add rule inet bfdcut out udp dport { 3784, 4784 } drop");
    }

    public static void heal(NetworkNamespace ns) {
        ns.exec("nft", "delete table inet bfdcut");
    }

    @Override
    public void close() {
        right.close();
        left.close();
    }
}
