package io.gannet.linux.netlink;

/** rtm_type values Gannet writes or reads (linux/rtnetlink.h). */
public enum RouteType {
    UNSPEC(0), UNICAST(1), LOCAL(2), BROADCAST(3), ANYCAST(4), MULTICAST(5), BLACKHOLE(6), UNREACHABLE(7), PROHIBIT(8), THROW(9);

    private final int code;

    RouteType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static RouteType of(int code) {
        for (RouteType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNSPEC;
    }
}
