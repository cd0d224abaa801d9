package io.gannet.agent.run;

import static io.gannet.bgp.wire.attr.AttributeType.AS_CONFED_SEQUENCE;
import static io.gannet.bgp.wire.attr.AttributeType.AS_CONFED_SET;
import static io.gannet.bgp.wire.attr.AttributeType.AS_SET;

import io.gannet.agent.control.AsPathSegment;
import io.gannet.agent.control.CandidatePath;
import io.gannet.agent.control.Community;
import io.gannet.agent.control.IpPrefix;
import io.gannet.agent.control.LargeCommunity;
import io.gannet.agent.control.Origin;
import io.gannet.agent.control.RouteEntry;
import io.gannet.bgp.rib.RibViews.PathView;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Converts the RIB's views (primitive-packed attributes) into the control API's records. */
final class RouteMapping {
    private RouteMapping() {}

    static IpPrefix prefix(Prefix p) {
        return new IpPrefix(p.address(), p.length());
    }

    static Prefix prefix(IpPrefix p) {
        return Prefix.of(p.address(), p.length());
    }

    static RouteEntry entry(Prefix prefix, PathView path) {
        PathAttributes a = path.attributes();
        return new RouteEntry(prefix(prefix), nextHops(a), asPath(a), origin(a), med(a), localPref(a),
                communities(a), largeCommunities(a), path.best(), path.multipath(), path.stale(), path.peer());
    }

    /** One entry of a peer's Adj-RIB-Out, with the attributes sent; source "advertised to PEER". */
    static RouteEntry advertised(Prefix prefix, PathAttributes a, String peer) {
        return adjRib(prefix, a, null, "advertised to " + peer);
    }

    /** One entry of a peer's pre-policy Adj-RIB-In: {@code source} "received from PEER" or "rejected from PEER". */
    static RouteEntry adjRibIn(Prefix prefix, PathAttributes a, String peer, boolean rejected) {
        return adjRib(prefix, a, peer, (rejected ? "rejected from " : "received from ") + peer);
    }

    private static RouteEntry adjRib(Prefix prefix, PathAttributes a, String peer, String source) {
        return new RouteEntry(prefix(prefix), nextHops(a), asPath(a), origin(a), med(a), localPref(a),
                communities(a), largeCommunities(a), false, false, false, peer, source);
    }

    static CandidatePath candidate(PathView path, InetAddress peerAddress, String notBestReason) {
        PathAttributes a = path.attributes();
        List<String> extended = new ArrayList<>();
        for (long c : a.extendedCommunities()) {
            extended.add(String.format(Locale.ROOT, "0x%016x", c));
        }
        String aggregator = a.has(PathAttributes.HAS_AGGREGATOR)
                ? a.aggregatorAs() + " " + ipv4(a.aggregatorAddress()).getHostAddress() : null;
        InetAddress originator = a.has(PathAttributes.HAS_ORIGINATOR_ID) ? ipv4(a.originatorId()) : null;
        List<InetAddress> clusterList = new ArrayList<>();
        for (int id : a.clusterList()) {
            clusterList.add(ipv4(id));
        }
        List<String> other = new ArrayList<>();
        byte[] unknown = a.unknownAttributes();
        if (unknown.length > 0) {
            other.add("unknown transitive attributes (" + unknown.length + " bytes)");
        }
        return new CandidatePath(path.peer(), peerAddress, null, nextHops(a), asPath(a), origin(a), med(a),
                localPref(a), communities(a), extended, largeCommunities(a),
                a.has(PathAttributes.ATOMIC_AGGREGATE), aggregator, originator, clusterList, other,
                path.best(), path.multipath(), path.stale(), 0L, notBestReason);
    }

    static List<InetAddress> nextHops(PathAttributes a) {
        List<InetAddress> out = new ArrayList<>(2);
        if (a.has(PathAttributes.HAS_NEXT_HOP)) {
            out.add(ipv4(a.nextHop()));
        }
        if (a.has(PathAttributes.HAS_NEXT_HOP6)) {
            byte[] nh = a.nextHop6();
            out.add(address(Arrays.copyOfRange(nh, 0, 16)));
            if (nh.length == 32) {
                out.add(address(Arrays.copyOfRange(nh, 16, 32)));
            }
        }
        return out;
    }

    static List<AsPathSegment> asPath(PathAttributes a) {
        int[] s = a.asPathSegments();
        List<AsPathSegment> out = new ArrayList<>();
        int i = 0;
        while (i + 1 < s.length) {
            int count = s[i + 1];
            List<Long> asns = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                asns.add(Integer.toUnsignedLong(s[i + 2 + k]));
            }
            AsPathSegment.Type type = switch (s[i]) {
                case AS_SET -> AsPathSegment.Type.SET;
                case AS_CONFED_SEQUENCE -> AsPathSegment.Type.CONFED_SEQUENCE;
                case AS_CONFED_SET -> AsPathSegment.Type.CONFED_SET;
                default -> AsPathSegment.Type.SEQUENCE;
            };
            out.add(new AsPathSegment(type, asns));
            i += 2 + count;
        }
        return out;
    }

    static Origin origin(PathAttributes a) {
        return switch (a.origin()) {
            case 0 -> Origin.IGP;
            case 1 -> Origin.EGP;
            default -> Origin.INCOMPLETE;
        };
    }

    static Long med(PathAttributes a) {
        return a.has(PathAttributes.HAS_MED) ? a.med() : null;
    }

    static Long localPref(PathAttributes a) {
        return a.has(PathAttributes.HAS_LOCAL_PREF) ? a.localPref() : null;
    }

    static List<Community> communities(PathAttributes a) {
        List<Community> out = new ArrayList<>();
        for (int c : a.communities()) {
            out.add(new Community(Integer.toUnsignedLong(c)));
        }
        return out;
    }

    static List<LargeCommunity> largeCommunities(PathAttributes a) {
        int[] l = a.largeCommunities();
        List<LargeCommunity> out = new ArrayList<>();
        for (int i = 0; i + 2 < l.length; i += 3) {
            out.add(new LargeCommunity(Integer.toUnsignedLong(l[i]), Integer.toUnsignedLong(l[i + 1]),
                    Integer.toUnsignedLong(l[i + 2])));
        }
        return out;
    }

    static InetAddress ipv4(int bits) {
        return address(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + raw.length, e);
        }
    }
}
