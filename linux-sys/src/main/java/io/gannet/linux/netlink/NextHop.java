package io.gannet.linux.netlink;

import java.net.InetAddress;

/**
 * One next hop: a gateway (null for a device route), an outgoing interface (0: the kernel
 * resolves it from the gateway) and an ECMP weight 1..256 (rtnh_hops + 1).
 */
public record NextHop(InetAddress gateway, int ifindex, int weight) {
    public NextHop {
        if (weight < 1 || weight > 256) {
            throw new IllegalArgumentException("next-hop weight " + weight + " out of range 1..256");
        }
        if (gateway == null && ifindex == 0) {
            throw new IllegalArgumentException("a next hop needs a gateway or an interface");
        }
    }

    /** Via {@code gateway}; a scoped IPv6 link-local gateway also names its interface (its scope id). */
    public static NextHop via(InetAddress gateway) {
        int ifindex = gateway instanceof java.net.Inet6Address a && a.isLinkLocalAddress() ? a.getScopeId() : 0;
        return new NextHop(gateway, ifindex, 1);
    }

    public static NextHop dev(int ifindex) {
        return new NextHop(null, ifindex, 1);
    }

    @Override
    public String toString() {
        return (gateway != null ? "via " + gateway.getHostAddress() : "")
                + (ifindex != 0 ? (gateway != null ? " " : "") + "dev #" + ifindex : "")
                + (weight != 1 ? " weight " + weight : "");
    }
}
