package io.gannet.agent.control;

/**
 * What {@code gannet show routes} asks for. Null fields do not filter.
 *
 * @param family   only this family
 * @param prefix   only this prefix, or with {@code longer} also every more specific one
 * @param longer   include prefixes more specific than {@code prefix}
 * @param peer     only paths learned from this peer; an unknown name is an UNKNOWN_PEER error
 * @param limit    at most this many entries; the result says when it was cut
 */
public record RouteQuery(Family family, IpPrefix prefix, boolean longer, String peer, int limit) {
    public static final int DEFAULT_LIMIT = 10_000;
    public static final int MAX_LIMIT = 1_000_000;

    public RouteQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ControlException.badRequest("limit " + limit + " is out of range 1.." + MAX_LIMIT);
        }
        if (family != null && prefix != null && prefix.family() != family) {
            throw ControlException.badRequest("prefix " + prefix + " is not in family " + family);
        }
    }

    public static RouteQuery all() {
        return new RouteQuery(null, null, false, null, DEFAULT_LIMIT);
    }

    /** True when {@code e} passes the family and prefix filters (the peer filter is the view's job). */
    public boolean matchesPrefix(RouteEntry e) {
        if (family != null && e.family() != family) {
            return false;
        }
        if (prefix == null) {
            return true;
        }
        return longer ? prefix.covers(e.prefix()) : prefix.equals(e.prefix());
    }
}
