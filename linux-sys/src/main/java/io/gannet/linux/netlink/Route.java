package io.gannet.linux.netlink;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A kernel route. {@code nextHops} is empty for blackhole, unreachable and prohibit routes,
 * holds one next hop for a plain route and several for a multipath (ECMP) route, which is
 * written as one RTA_MULTIPATH attribute. {@code metric} is RTA_PRIORITY (0: none).
 */
public record Route(Prefix dst, int table, int protocol, RouteType type, int scope, int metric,
                    InetAddress prefSrc, List<NextHop> nextHops) {
    public Route {
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(type, "type");
        nextHops = List.copyOf(nextHops);
        if (type == RouteType.UNICAST && nextHops.isEmpty()) {
            throw new IllegalArgumentException("unicast route " + dst + " needs a next hop");
        }
    }

    /** A unicast route via one or more next hops; scope link when no next hop has a gateway. */
    public static Route unicast(Prefix dst, int table, int protocol, List<NextHop> nextHops) {
        boolean anyGateway = false;
        for (NextHop h : nextHops) {
            anyGateway |= h.gateway() != null;
        }
        return new Route(dst, table, protocol, RouteType.UNICAST, anyGateway ? Nl.RT_SCOPE_UNIVERSE : Nl.RT_SCOPE_LINK,
                0, null, nextHops);
    }

    public static Route blackhole(Prefix dst, int table, int protocol) {
        return new Route(dst, table, protocol, RouteType.BLACKHOLE, Nl.RT_SCOPE_UNIVERSE, 0, null, List.of());
    }

    public static Route unreachable(Prefix dst, int table, int protocol) {
        return new Route(dst, table, protocol, RouteType.UNREACHABLE, Nl.RT_SCOPE_UNIVERSE, 0, null, List.of());
    }

    public Route withMetric(int m) {
        return new Route(dst, table, protocol, type, scope, m, prefSrc, nextHops);
    }

    public Route withPrefSrc(InetAddress src) {
        return new Route(dst, table, protocol, type, scope, metric, src, nextHops);
    }

    /** What the route is, in {@code ip route} words: {@code 10.1.0.0/24 via 10.0.0.1 table 254 proto 201}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (type != RouteType.UNICAST) {
            b.append(type.name().toLowerCase(java.util.Locale.ROOT)).append(' ');
        }
        b.append(dst);
        for (NextHop h : nextHops) {
            b.append(nextHops.size() > 1 ? " nexthop " : " ").append(h);
        }
        b.append(" table ").append(table).append(" proto ").append(protocol);
        if (metric != 0) {
            b.append(" metric ").append(metric);
        }
        return b.toString();
    }
}
