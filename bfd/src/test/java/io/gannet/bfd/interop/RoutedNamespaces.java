package io.gannet.bfd.interop;

import io.gannet.linux.NetworkNamespace;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Three namespaces in a row, so BFD crosses a routed hop as multihop sessions do (RFC 5883):
 * "left" 10.54.1.1/30 on mhl0, a router "mid" (10.54.1.2/30 on mhm0, 10.54.2.1/30 on mhm1,
 * forwarding) and "right" 10.54.2.2/30 on mhr0. Packets sent with TTL 255 arrive with 254.
 * Nothing touches the root namespace.
 */
public final class RoutedNamespaces implements AutoCloseable {
    public final NetworkNamespace left;
    public final NetworkNamespace mid;
    public final NetworkNamespace right;
    public final InetAddress leftAddress;
    public final InetAddress rightAddress;

    public RoutedNamespaces(String tag) {
        left = NetworkNamespace.create("mh" + tag + "l");
        NetworkNamespace m = null;
        NetworkNamespace r = null;
        try {
            m = NetworkNamespace.create("mh" + tag + "m");
            r = NetworkNamespace.create("mh" + tag + "r");
            left.linkTo(m, "mhl0", "10.54.1.1/30", "mhm0", "10.54.1.2/30");
            m.linkTo(r, "mhm1", "10.54.2.1/30", "mhr0", "10.54.2.2/30");
            m.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            left.exec("ip", "route", "add", "10.54.2.0/30", "via", "10.54.1.2");
            r.exec("ip", "route", "add", "10.54.1.0/30", "via", "10.54.2.1");
            leftAddress = InetAddress.getByName("10.54.1.1");
            rightAddress = InetAddress.getByName("10.54.2.2");
        } catch (RuntimeException | UnknownHostException e) {
            left.close();
            if (m != null) {
                m.close();
            }
            if (r != null) {
                r.close();
            }
            throw new IllegalStateException(e);
        }
        mid = m;
        right = r;
    }

    public String leftPath() {
        return "/var/run/netns/" + left.name();
    }

    @Override
    public void close() {
        right.close();
        mid.close();
        left.close();
    }
}
