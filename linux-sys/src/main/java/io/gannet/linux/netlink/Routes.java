package io.gannet.linux.netlink;

import io.gannet.linux.Errno;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Routes over rtnetlink: add (fails with EEXIST when present), replace, delete, dump and
 * batched changes. A route with several next hops is one RTA_MULTIPATH route:
 *
 * <pre>
 * rtmsg | RTA_DST | RTA_TABLE | RTA_MULTIPATH [ rtnexthop{len,flags,hops,ifindex} RTA_GATEWAY ]...
 * </pre>
 *
 * Tables above 255 go in RTA_TABLE with rtm_table RT_TABLE_UNSPEC, as iproute2 does.
 */
public final class Routes {
    private final NetlinkSocket socket;

    Routes(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Adds a route that must not exist yet (EEXIST otherwise). */
    public void add(Route r) {
        socket.execute("add route " + r, Nl.RTM_NEWROUTE, Nl.F_CREATE | Nl.F_EXCL, w -> encode(r, w, false));
    }

    /** Adds or replaces the route to {@code r.dst()} in its table (same tos and metric). */
    public void replace(Route r) {
        socket.execute("replace route " + r, Nl.RTM_NEWROUTE, Nl.F_CREATE | Nl.F_REPLACE, w -> encode(r, w, false));
    }

    /**
     * Deletes the route to {@code r.dst()} in its table; a non-zero protocol restricts the
     * match to routes of that protocol, so another daemon's route is never removed.
     */
    public void delete(Route r) {
        socket.execute("delete route " + r, Nl.RTM_DELROUTE, 0, w -> encode(r, w, true));
    }

    /** Like {@link #delete} but returns false when no such route exists (ESRCH). */
    public boolean deleteIfPresent(Route r) {
        try {
            delete(r);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH || e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Replaces {@code upserts} and deletes {@code deletes} in few system calls; returns the
     * requests the kernel refused, each naming its route. A delete of a route already gone
     * is not a failure.
     */
    public List<NetlinkSocket.Failure> apply(List<Route> upserts, List<Route> deletes) {
        List<NetlinkSocket.Request> reqs = new ArrayList<>(upserts.size() + deletes.size());
        for (Route r : deletes) {
            reqs.add(new NetlinkSocket.Request(Nl.RTM_DELROUTE, 0, w -> encode(r, w, true), () -> "delete route " + r));
        }
        for (Route r : upserts) {
            reqs.add(new NetlinkSocket.Request(Nl.RTM_NEWROUTE, Nl.F_CREATE | Nl.F_REPLACE, w -> encode(r, w, false),
                    () -> "replace route " + r));
        }
        List<NetlinkSocket.Failure> failures = socket.batch(reqs);
        failures.removeIf(f -> f.index() < deletes.size()
                && (f.error().errno() == Errno.ESRCH || f.error().errno() == Errno.ENOENT));
        return failures;
    }

    /**
     * Routes of one family ({@link io.gannet.linux.LibC#AF_INET} / AF_INET6) in {@code table}
     * (0: every table) with {@code protocol} (0: any); cached clones are skipped.
     */
    public List<Route> dump(int family, int table, int protocol) {
        List<Route> out = new ArrayList<>();
        socket.dump("list routes", Nl.RTM_GETROUTE, w -> w.u8(family).zeros(Nl.RTMSG_LEN - 1), (type, r, body, end) -> {
            if (type != Nl.RTM_NEWROUTE) {
                return;
            }
            Route route = decode(r, body, end);
            if (route != null && (table == 0 || route.table() == table) && (protocol == 0 || route.protocol() == protocol)) {
                out.add(route);
            }
        });
        return out;
    }

    static void encode(Route r, NlWriter w, boolean delete) {
        Prefix dst = r.dst();
        int table = r.table();
        w.u8(dst.family()).u8(dst.length()).u8(0).u8(0)
                .u8(table < 256 ? table : Nl.RT_TABLE_UNSPEC)
                .u8(r.protocol())
                .u8(delete ? Nl.RT_SCOPE_NOWHERE : r.scope())
                .u8(delete ? 0 : r.type().code())
                .u32(0);
        w.attrAddress(Nl.RTA_DST, dst.address());
        w.attrU32(Nl.RTA_TABLE, table);
        if (r.metric() != 0) {
            w.attrU32(Nl.RTA_PRIORITY, r.metric());
        }
        if (delete) {
            return;
        }
        if (r.prefSrc() != null) {
            w.attrAddress(Nl.RTA_PREFSRC, r.prefSrc());
        }
        List<NextHop> hops = r.nextHops();
        if (hops.size() == 1) {
            NextHop h = hops.get(0);
            if (h.gateway() != null) {
                gateway(w, dst, h.gateway());
            }
            if (h.ifindex() != 0) {
                w.attrU32(Nl.RTA_OIF, h.ifindex());
            }
        } else if (hops.size() > 1) {
            int nest = w.beginNest(Nl.RTA_MULTIPATH);
            for (NextHop h : hops) {
                int rtnh = w.mark();
                w.u16(0).u8(0).u8(h.weight() - 1).u32(h.ifindex());
                if (h.gateway() != null) {
                    gateway(w, dst, h.gateway());
                }
                w.endLength(rtnh);
            }
            w.endNest(nest);
        }
    }

    /** RTA_GATEWAY, or RTA_VIA for a gateway of the other family (an IPv4 route via an IPv6 next hop). */
    private static void gateway(NlWriter w, Prefix dst, InetAddress gateway) {
        byte[] a = gateway.getAddress();
        if ((a.length == 4) == (dst.family() == io.gannet.linux.LibC.AF_INET)) {
            w.attr(Nl.RTA_GATEWAY, a);
            return;
        }
        byte[] via = new byte[2 + a.length];
        int family = a.length == 4 ? io.gannet.linux.LibC.AF_INET : io.gannet.linux.LibC.AF_INET6;
        via[0] = (byte) family;   // host byte order (little-endian) __kernel_sa_family_t
        via[1] = (byte) (family >>> 8);
        System.arraycopy(a, 0, via, 2, a.length);
        w.attr(Nl.RTA_VIA, via);
    }

    static Route decode(NlReader r, int body, int end) {
        int family = r.u8(body);
        int dstLen = r.u8(body + 1);
        int rtTable = r.u8(body + 4);
        int protocol = r.u8(body + 5);
        int scope = r.u8(body + 6);
        int type = r.u8(body + 7);
        int flags = r.u32(body + 8);
        if ((flags & Nl.RTM_F_CLONED) != 0) {
            return null;
        }
        int[] table = {rtTable};
        int[] metric = {0};
        int[] oif = {0};
        InetAddress[] dst = {null};
        InetAddress[] gw = {null};
        InetAddress[] src = {null};
        List<NextHop> hops = new ArrayList<>();
        r.attrs(body + Nl.RTMSG_LEN, end, (t, at, len) -> {
            switch (t) {
                case Nl.RTA_DST -> dst[0] = r.address(at, len);
                case Nl.RTA_TABLE -> table[0] = r.u32(at);
                case Nl.RTA_PRIORITY -> metric[0] = r.u32(at);
                case Nl.RTA_OIF -> oif[0] = r.u32(at);
                case Nl.RTA_GATEWAY -> gw[0] = r.address(at, len);
                case Nl.RTA_VIA -> gw[0] = len > 2 ? r.address(at + 2, len - 2) : null;
                case Nl.RTA_PREFSRC -> src[0] = r.address(at, len);
                case Nl.RTA_MULTIPATH -> {
                    int p = at;
                    while (p + Nl.RTNH_LEN <= at + len) {
                        int nhLen = r.u16(p);
                        if (nhLen < Nl.RTNH_LEN) {
                            break;
                        }
                        int hopsByte = r.u8(p + 3);
                        int ifindex = r.u32(p + 4);
                        InetAddress[] nhGw = {null};
                        r.attrs(p + Nl.RTNH_LEN, p + nhLen, (t2, at2, len2) -> {
                            if (t2 == Nl.RTA_GATEWAY) {
                                nhGw[0] = r.address(at2, len2);
                            } else if (t2 == Nl.RTA_VIA && len2 > 2) {
                                nhGw[0] = r.address(at2 + 2, len2 - 2);
                            }
                        });
                        hops.add(new NextHop(nhGw[0], ifindex, hopsByte + 1));
                        p += Nl.align(nhLen);
                    }
                }
                default -> { }
            }
        });
        if (dst[0] == null) {
            dst[0] = zero(family);
        }
        RouteType rt = RouteType.of(type);
        if (hops.isEmpty() && (gw[0] != null || oif[0] != 0)) {
            hops.add(new NextHop(gw[0], oif[0], 1));
        }
        if (rt == RouteType.UNICAST && hops.isEmpty()) {
            rt = RouteType.UNSPEC; // e.g. a nexthop-object route: reported, never rewritten
        }
        return new Route(Prefix.of(dst[0], dstLen), table[0], protocol, rt, scope, metric[0], src[0], hops);
    }

    private static InetAddress zero(int family) {
        try {
            return InetAddress.getByAddress(new byte[family == 2 ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
