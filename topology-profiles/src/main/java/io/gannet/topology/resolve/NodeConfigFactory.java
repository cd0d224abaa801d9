package io.gannet.topology.resolve;

import io.gannet.topology.config.BfdConfig;
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
import java.util.List;

/**
 * Builds a host's {@link NodeConfig} from a resolved profile: one neighbor per uplink
 * switch, timers and BFD with overrides applied, MD5 references resolved, and policies
 * that end in the safe defaults (import rejects everything; export sends only the host's
 * own PodCIDR or VIPs).
 */
public final class NodeConfigFactory {
    private NodeConfigFactory() {}

    public static NodeConfig build(ResolvedProfile profile, EffectiveHost h, SecretResolver secrets)
            throws SecretResolver.SecretUnavailableException {
        BgpSettings bgp = h.bgp();
        List<NeighborConfig> neighbors = new ArrayList<>();
        for (SwitchSpec s : h.uplinks()) {
            neighbors.add(neighbor(profile, h, s, bgp, secrets));
        }
        List<Cidr> vipPool = h.spec().role() == Role.L4LB
                ? profile.profile().vipPool().stream().map(Located::value).toList() : List.of();
        return new NodeConfig(h.name(), profile.profile().name(), profile.profile().model(), h.spec().role(), h.routerId(),
                h.asn(), h.spec().address(), h.spec().port() == null ? Defaults.PORT : h.spec().port(), h.podCidr(),
                h.spec().vips().stream().map(Located::value).toList(), vipPool,
                orEmpty(h.communities().podCidr()), orEmpty(h.communities().vip()), neighbors,
                importPolicy(h), exportPolicy(profile, h, vipPool), bgp.maxPaths());
    }

    private static NeighborConfig neighbor(ResolvedProfile profile, EffectiveHost h, SwitchSpec s, BgpSettings bgp,
            SecretResolver secrets) throws SecretResolver.SecretUnavailableException {
        InetAddress local = h.spec().address();
        InetAddress remote = s.addresses().stream().map(Located::value)
                .filter(a -> a.getClass() == local.getClass()).findFirst().orElseThrow();
        long remoteAs = profile.switchAsn(s.name());
        boolean ibgp = remoteAs == h.asn();
        int hold = effectiveHold(bgp.holdTime());
        int keepalive = bgp.keepalive() != null ? bgp.keepalive() : Defaults.keepaliveFor(hold);
        // A switch's own reference wins over the profile's or the host override's: it is the switch's key.
        Md5Ref ref = s.md5() != null ? s.md5() : bgp.md5();
        Md5Secret md5 = ref == null ? null : secrets.resolve(ref);
        int ttl = bgp.multihop() != null ? bgp.multihop() : ibgp ? Defaults.IBGP_TTL : Defaults.EBGP_TTL;
        BfdConfig bfd = new BfdConfig(h.bfd().enabled(), h.bfd().minTxMs(), h.bfd().minRxMs(), h.bfd().multiplier(),
                h.bfd().strict());
        return new NeighborConfig(s.name(), remote, s.port() == null ? Defaults.PORT : s.port(), remoteAs, h.asn(), local, ibgp,
                hold, keepalive, bgp.connectRetry(), bgp.passive(), md5, bgp.ttlSecurity(), ttl, bgp.gracefulRestart(),
                bgp.restartTime(), bfd, bgp.maxPrefixes(), bgp.maxPrefixAction());
    }

    /** RFC 4271 4.2: 0 or at least 3 s. The validator warned about 1-2 s; peers would refuse them. */
    static int effectiveHold(int configured) {
        return configured == 0 ? 0 : Math.max(3, configured);
    }

    private static RoutePolicy importPolicy(EffectiveHost h) {
        List<PolicyStatement> s = new ArrayList<>(orEmpty(h.policy().imports()));
        s.add(new PolicyStatement("default-reject", PolicyStatement.Match.ANY, PolicyStatement.Set.NOTHING, PolicyStatement.Action.REJECT));
        return new RoutePolicy(s);
    }

    private static RoutePolicy exportPolicy(ResolvedProfile r, EffectiveHost h, List<Cidr> vipPool) {
        List<PolicyStatement> s = new ArrayList<>(orEmpty(h.policy().exports()));
        if (h.podCidr() != null) {
            s.add(new PolicyStatement("own-podcidr", new PolicyStatement.Match(List.of(PrefixMatch.exact(h.podCidr())), List.of(), -1, -1),
                    PolicyStatement.Set.NOTHING, PolicyStatement.Action.ACCEPT));
        }
        if (h.spec().role() == Role.NODE) {
            // Addresses a node learns only at run time: its PodCIDR when the store hands it out, and
            // host routes of fixed-IP pools while a StatefulSet pod with such an address runs here.
            List<PrefixMatch> runtime = new ArrayList<>();
            if (h.podCidr() == null && r.profile().podPool() != null && r.profile().podPool().fromStore() && r.profile().podPool().cidr() != null) {
                int len = r.profile().podPool().prefixLength();
                runtime.add(new PrefixMatch(r.profile().podPool().cidr(), len, len));
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
