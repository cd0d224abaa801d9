package io.gannet.topology.resolve;

import io.gannet.topology.config.BfdConfig;
import io.gannet.topology.config.BgpFamily;
import io.gannet.topology.config.Md5Secret;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.config.PrefixMatch;
import io.gannet.topology.config.Role;
import io.gannet.topology.config.RoutePolicy;
import io.gannet.topology.model.BgpSettings;
import io.gannet.topology.model.Located;
import io.gannet.topology.model.Md5Ref;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.net.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a host's {@link NodeConfig} from a resolved profile: one neighbor per uplink
 * switch, timers and BFD with overrides applied, MD5 references resolved, and policies
 * that end in the safe defaults (import rejects everything; export sends only the host's
 * own PodCIDR or VIPs; a router's accept and re-export everything).
 */
public final class NodeConfigFactory {
    private NodeConfigFactory() {}

    public static NodeConfig build(ResolvedProfile profile, EffectiveHost h, SecretResolver secrets)
            throws SecretResolver.SecretUnavailableException {
        BgpSettings bgp = h.bgp();
        List<NeighborConfig> neighbors = new ArrayList<>();
        for (SwitchSpec s : h.uplinks()) {
            InetAddress v4 = local(h, s, true);
            InetAddress v6 = local(h, s, false);
            if (s.unnumbered() || v4 == null || v6 == null) {
                InetAddress one = v4 != null ? v4 : v6 != null ? v6 : h.spec().address(); // unnumbered: the main address
                neighbors.add(neighbor(profile, h, s, s.name(), one, null, bgp, secrets));
                continue;
            }
            // Dual-stack: one session per family, each carrying its own family (RFC 4760 next hops
            // of the session's family); the IPv6 one is named after the switch with "-ipv6".
            List<BgpFamily> asked = s.families() != null ? s.families() : bgp.families();
            if (asked == null || asked.contains(BgpFamily.IPV4_UNICAST)) {
                neighbors.add(neighbor(profile, h, s, s.name(), v4, EnumSet.of(BgpFamily.IPV4_UNICAST), bgp, secrets));
            }
            if (asked == null || asked.contains(BgpFamily.IPV6_UNICAST)) {
                neighbors.add(neighbor(profile, h, s, ipv6SessionName(s.name()), v6, EnumSet.of(BgpFamily.IPV6_UNICAST), bgp, secrets));
            }
        }
        List<Cidr> vipPool = h.spec().role() == Role.L4LB
                ? profile.profile().vipPool().stream().map(Located::value).toList() : List.of();
        return new NodeConfig(h.name(), profile.profile().name(), profile.profile().model(), h.spec().role(), h.routerId(),
                h.asn(), h.spec().addresses().stream().map(Located::value).toList(), h.spec().port() == null ? Defaults.PORT : h.spec().port(),
                h.podCidrs(),
                h.spec().vips().stream().map(Located::value).toList(), vipPool,
                orEmpty(h.communities().podCidr()), orEmpty(h.communities().vip()), neighbors,
                importPolicy(h), exportPolicy(profile, h, vipPool), bgp.maxPaths());
    }

    /** The name of a dual-stack host's IPv6 session to {@code switchName} (its IPv4 session has the switch's name). */
    public static String ipv6SessionName(String switchName) {
        return switchName + "-ipv6";
    }

    /** The host's address of one family when the switch has one of that family too, else null. */
    private static InetAddress local(EffectiveHost h, SwitchSpec s, boolean ipv4) {
        Located<InetAddress> a = h.spec().address(ipv4);
        boolean switchHas = s.addresses().stream().anyMatch(x -> (x.value() instanceof java.net.Inet4Address) == ipv4);
        return a != null && switchHas ? a.value() : null;
    }

    /** @param only the families of a dual-stack host's per-family session, or null (the profile's or the defaults) */
    private static NeighborConfig neighbor(ResolvedProfile profile, EffectiveHost h, SwitchSpec s, String name, InetAddress local,
            Set<BgpFamily> only, BgpSettings bgp, SecretResolver secrets) throws SecretResolver.SecretUnavailableException {
        // Unnumbered: the switch's link-local address is learned at run time (router advertisements).
        InetAddress remote = s.unnumbered() ? null : s.addresses().stream().map(Located::value)
                .filter(a -> a.getClass() == local.getClass()).findFirst().orElseThrow();
        long remoteAs = profile.switchAsn(s.name());
        boolean ibgp = remoteAs == h.asn();
        int hold = effectiveHold(bgp.holdTime());
        int keepalive = bgp.keepalive() != null ? bgp.keepalive() : Defaults.keepaliveFor(hold);
        // A switch's own reference wins over the profile's or the host override's: it is the switch's key.
        Md5Ref ref = s.md5() != null ? s.md5() : bgp.md5();
        Md5Secret md5 = ref == null ? null : secrets.resolve(ref);
        int ttl = bgp.multihop() != null ? bgp.multihop() : ibgp ? Defaults.IBGP_TTL : Defaults.EBGP_TTL;
        // An unnumbered session is on the link itself: single-hop BFD (RFC 5881) over link-local addresses.
        boolean multihop = !s.unnumbered() && bfdMultihop(h.bfd().multihop(), ibgp, bgp.ttlSecurity(), ttl);
        BfdConfig bfd = new BfdConfig(h.bfd().enabled(), h.bfd().minTxMs(), h.bfd().minRxMs(), h.bfd().multiplier(),
                h.bfd().strict(), multihop, multihop ? MULTIHOP_MIN_RECEIVED_TTL : 255);
        List<BgpFamily> asked = s.families() != null ? s.families() : bgp.families();
        Set<BgpFamily> families = only != null ? only : asked != null ? EnumSet.copyOf(asked)
                : defaultFamilies(profile, h, !s.unnumbered() && local instanceof java.net.Inet4Address); // unnumbered: IPv6 link-local
        boolean extendedMessage = s.extendedMessage() != null ? s.extendedMessage()
                : bgp.extendedMessage() != null && bgp.extendedMessage();
        // Kept by default on hosts (a handful of routes; show routes --received|--rejected answer),
        // not on a router, whose neighbours send full tables (an int per prefix per neighbour): as
        // FRR's soft-reconfiguration inbound and BIRD's import keep filtered, off unless asked.
        boolean keepReceived = bgp.keepReceived() != null ? bgp.keepReceived() : h.spec().role() != Role.ROUTER;
        return new NeighborConfig(name, remote, s.port() == null ? Defaults.PORT : s.port(), remoteAs, h.asn(), local, ibgp,
                hold, keepalive, bgp.connectRetry(), bgp.passive(), md5, bgp.ttlSecurity(), ttl, bgp.gracefulRestart(),
                bgp.restartTime(), bfd, bgp.maxPrefixes(), bgp.maxPrefixAction(), families, extendedMessage,
                h.spec().role() == Role.ROUTER && ibgp, bgp.delayOpen(), keepReceived, s.interfaceName());
    }

    /**
     * Single-hop (RFC 5881) or multihop (RFC 5883) BFD for one session, as the switch will choose
     * it: {@code bfd.multihop} when the profile says so; otherwise multihop for iBGP (cores are
     * reached over loopbacks, and BIRD runs multihop BFD for its iBGP sessions) and for eBGP
     * sessions whose TTL is not 1 (GTSM or eBGP multihop: FRR 8.4's bgpd then asks bfdd for a
     * multihop session, PEER_IS_MULTIHOP), single-hop for a directly connected eBGP session. The
     * BIRD rendering follows this value; FRR follows it except for an iBGP neighbor on a connected
     * subnet of the switch, which FRR always runs single-hop (the profile says false there).
     */
    public static boolean bfdMultihop(Boolean explicit, boolean ibgp, int ttlSecurityHops, int ttl) {
        if (explicit != null) {
            return explicit;
        }
        return ibgp || ttlSecurityHops > 0 || ttl > 1;
    }

    /**
     * The lowest TTL a multihop session accepts (RFC 5883 5: any TTL, or a configured minimum):
     * any. BIRD 2 sends its multihop BFD packets with the system's default TTL (64), not 255, so a
     * minimum as the BGP session's GTSM would use (or FRR's default 254) never lets BIRD's session up.
     */
    static final int MULTIHOP_MIN_RECEIVED_TTL = 1;

    /**
     * Without {@code families}: the family of the session's own addresses, plus the family of
     * every prefix the host originates (PodCIDR, VIPs, an l4lb host's VIP pool), so an IPv4-only
     * host advertises IPv4 only and a host with IPv6 VIPs can announce them.
     */
    static Set<BgpFamily> defaultFamilies(ResolvedProfile profile, EffectiveHost h, boolean ipv4Session) {
        Set<BgpFamily> f = EnumSet.of(family(ipv4Session));
        h.podCidrs().forEach(c -> f.add(family(c.isIpv4())));
        h.spec().vips().forEach(v -> f.add(family(v.value().isIpv4())));
        if (h.spec().role() == Role.L4LB) {
            profile.profile().vipPool().forEach(v -> f.add(family(v.value().isIpv4())));
        }
        return f;
    }

    private static BgpFamily family(boolean ipv4) {
        return ipv4 ? BgpFamily.IPV4_UNICAST : BgpFamily.IPV6_UNICAST;
    }

    /** RFC 4271 4.2: 0 or at least 3 s. The validator warned about 1-2 s; peers would refuse them. */
    static int effectiveHold(int configured) {
        return configured == 0 ? 0 : Math.max(3, configured);
    }

    private static RoutePolicy importPolicy(EffectiveHost h) {
        List<PolicyStatement> s = new ArrayList<>(orEmpty(h.policy().imports()));
        if (h.spec().role() == Role.ROUTER) {
            // A router learns what its neighbors send (loop checks still apply).
            s.add(new PolicyStatement("router-accept", PolicyStatement.Match.ANY, PolicyStatement.Set.NOTHING,
                    PolicyStatement.Action.ACCEPT));
        }
        s.add(new PolicyStatement("default-reject", PolicyStatement.Match.ANY, PolicyStatement.Set.NOTHING, PolicyStatement.Action.REJECT));
        return new RoutePolicy(s);
    }

    private static RoutePolicy exportPolicy(ResolvedProfile r, EffectiveHost h, List<Cidr> vipPool) {
        List<PolicyStatement> s = new ArrayList<>(orEmpty(h.policy().exports()));
        if (h.spec().role() == Role.ROUTER) {
            // Transit: every best path goes on (RFC 4271 9.2 and RFC 4456 rules still decide per neighbor).
            s.add(new PolicyStatement("router-transit", PolicyStatement.Match.ANY, PolicyStatement.Set.NOTHING,
                    PolicyStatement.Action.ACCEPT));
        }
        if (!h.podCidrs().isEmpty()) {
            s.add(new PolicyStatement("own-podcidr", new PolicyStatement.Match(h.podCidrs().stream().map(PrefixMatch::exact).toList(),
                    List.of(), -1, -1), PolicyStatement.Set.NOTHING, PolicyStatement.Action.ACCEPT));
        }
        if (h.spec().role() == Role.NODE) {
            // Addresses a node learns only at run time: its PodCIDR when the store hands it out, and
            // host routes of fixed-IP pools while a StatefulSet pod with such an address runs here.
            List<PrefixMatch> runtime = new ArrayList<>();
            for (io.gannet.topology.model.PodCidrPool pool : r.profile().podPools()) {
                if (pool.fromStore() && pool.cidr() != null && h.podCidr(pool.cidr().isIpv4()) == null) {
                    int len = pool.prefixLength();
                    runtime.add(new PrefixMatch(pool.cidr(), len, len));
                }
            }
            for (io.gannet.topology.model.FixedIpPool f : r.profile().fixedIpPools()) {
                runtime.add(new PrefixMatch(f.cidr(), f.cidr().bits(), f.cidr().bits()));
            }
            if (!runtime.isEmpty()) {
                s.add(new PolicyStatement("own-runtime-prefixes", new PolicyStatement.Match(runtime, List.of(), -1, -1),
                        PolicyStatement.Set.NOTHING, PolicyStatement.Action.ACCEPT));
            }
        }
        if (h.spec().role() == Role.L4LB) {
            // VIPs come and go with backend health (ecmp-l4lb announces them), so any host route of the pool is "own".
            List<PrefixMatch> vipMatches = new ArrayList<>();
            for (Cidr pool : vipPool) {
                vipMatches.add(new PrefixMatch(pool, pool.bits(), pool.bits()));
            }
            for (Located<Cidr> v : h.spec().vips()) {
                if (vipPool.stream().noneMatch(pool -> pool.contains(v.value()))) {
                    vipMatches.add(PrefixMatch.exact(v.value()));
                }
            }
            if (!vipMatches.isEmpty()) {
                s.add(new PolicyStatement("own-vips", new PolicyStatement.Match(vipMatches, List.of(), -1, -1),
                        PolicyStatement.Set.NOTHING, PolicyStatement.Action.ACCEPT));
            }
        }
        s.add(new PolicyStatement("default-reject", PolicyStatement.Match.ANY, PolicyStatement.Set.NOTHING, PolicyStatement.Action.REJECT));
        return new RoutePolicy(s);
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
