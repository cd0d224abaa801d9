package io.gannet.topology.bind;

import io.gannet.topology.config.BgpFamily;
import io.gannet.topology.config.FabricModel;
import io.gannet.topology.config.MaxPrefixAction;
import io.gannet.topology.config.Md5Secret;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.config.PrefixMatch;
import io.gannet.topology.config.Role;
import io.gannet.topology.model.AsnPlan;
import io.gannet.topology.model.AsnScheme;
import io.gannet.topology.model.BfdSettings;
import io.gannet.topology.model.BgpSettings;
import io.gannet.topology.model.CommunitySettings;
import io.gannet.topology.model.HostOverride;
import io.gannet.topology.model.HostSpec;
import io.gannet.topology.model.Located;
import io.gannet.topology.model.Md5Ref;
import io.gannet.topology.model.FixedIpPool;
import io.gannet.topology.model.MasqueradeSettings;
import io.gannet.topology.model.PodCidrPool;
import io.gannet.topology.model.PolicySpec;
import io.gannet.topology.model.Rack;
import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.model.TopologyProfile;
import io.gannet.topology.net.Asn;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.Community;
import io.gannet.topology.validate.Problems;
import io.gannet.topology.yaml.YNode;
import io.gannet.topology.yaml.YNode.YMap;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the located YAML tree into a typed {@link TopologyProfile}: unknown keys, missing
 * keys, wrong types, malformed addresses, prefixes, ASNs and communities, and out-of-range
 * numbers are reported here, each at its own location. Cross-entity rules (overlaps,
 * duplicates, uplinks, ASN uniqueness) are {@link io.gannet.topology.validate.ProfileValidator}'s.
 * Keys and shapes mirror {@code schema/topology-profile.schema.json}.
 */
public final class ProfileBinder {
    public static final String API_VERSION = "gannet.io/v1alpha1";
    public static final String KIND = "TopologyProfile";

    /** RFC 4271 4.2 allows hold times up to 65535 s; keepalive is at most a third of it. */
    private static final int MAX_HOLD = 65535;
    /** RFC 4724 3: the Restart Time field is 12 bits. */
    private static final int MAX_RESTART_TIME = 4095;

    private final Problems problems;
    private final String file;

    private ProfileBinder(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /** Binds {@code root}; never throws on bad content, everything wrong lands in {@code problems}. */
    public static TopologyProfile bind(String file, YNode root, Problems problems) {
        return new ProfileBinder(file, problems).profile(root);
    }

    private TopologyProfile profile(YNode root) {
        Fields top = Fields.of(root, problems, "the profile", "apiVersion", "kind", "metadata", "spec");
        if (top == null) {
            return null;
        }
        String apiVersion = top.string("apiVersion", true);
        if (apiVersion != null && !API_VERSION.equals(apiVersion)) {
            problems.error(top.at("apiVersion"), "apiVersion must be " + API_VERSION + ", got '" + apiVersion + "'");
        }
        String kind = top.string("kind", true);
        if (kind != null && !KIND.equals(kind)) {
            problems.error(top.at("kind"), "kind must be " + KIND + ", got '" + kind + "'");
        }
        String name = null;
        Fields metadata = top.sub("metadata", true, "metadata", "name", "description");
        if (metadata != null) {
            name = metadata.name("name", true);
            if (metadata.has("description")) {
                metadata.string("description", false);
            }
        }
        Fields spec = top.sub("spec", true, "spec", "model", "asn", "podCIDRPool", "fixedIPPools", "vipPool", "bgp", "bfd",
                "communities", "policies", "inventory", "overrides", "masquerade", "maglev");
        if (spec == null) {
            return null;
        }
        FabricModel model = spec.choice("model", true, Map.of("ibgp-core", FabricModel.IBGP_CORE, "ebgp-leaf", FabricModel.EBGP_LEAF));
        AsnPlan asn = asnPlan(spec);
        List<PodCidrPool> pools = podPools(spec);
        List<Located<Cidr>> vipPool = new ArrayList<>();
        List<YNode> vipItems = spec.list("vipPool", false);
        if (vipItems != null) {
            for (YNode n : vipItems) {
                Cidr c = spec.asCidr(n, "vipPool entry", false);
                if (c != null) {
                    vipPool.add(new Located<>(c, n.location()));
                }
            }
        }
        BgpSettings bgp = spec.has("bgp") ? bgp(spec.sub("bgp", false, "spec.bgp", BGP_KEYS)) : BgpSettings.EMPTY;
        BfdSettings bfd = spec.has("bfd") ? bfd(spec.sub("bfd", false, "spec.bfd", BFD_KEYS)) : BfdSettings.EMPTY;
        CommunitySettings communities = spec.has("communities")
                ? communities(spec.sub("communities", false, "spec.communities", "podCIDR", "vip")) : CommunitySettings.EMPTY;
        Map<Role, PolicySpec> policies = new EnumMap<>(Role.class);
        Fields pol = spec.sub("policies", false, "spec.policies", "node", "l4lb", "router");
        if (pol != null) {
            for (Role r : Role.values()) {
                if (pol.has(r.yamlName())) {
                    PolicySpec ps = policySpec(pol.sub(r.yamlName(), false, "spec.policies." + r.yamlName(), "import", "export"),
                            "spec.policies." + r.yamlName());
                    if (ps != null) {
                        policies.put(r, ps);
                    }
                }
            }
        }
        List<Rack> racks = new ArrayList<>();
        List<SwitchSpec> switches = new ArrayList<>();
        List<HostSpec> hosts = new ArrayList<>();
        Fields inventory = spec.sub("inventory", true, "spec.inventory", "racks", "switches", "hosts");
        if (inventory != null) {
            forEach(inventory.list("racks", false), "spec.inventory.racks[]", f -> {
                String rn = f.name("name", true);
                if (rn != null) {
                    f.string("description", false);
                    racks.add(new Rack(rn, f.at("name")));
                }
            }, "name", "description");
            forEach(inventory.list("switches", true), "spec.inventory.switches[]", f -> switches.add(switchSpec(f)),
                    "name", "rack", "addresses", "interface", "asn", "port", "routerId", "md5", "maxPaths", "families",
                    "extendedMessage");
            List<YNode> hostItems = inventory.list("hosts", true);
            if (hostItems != null && hostItems.isEmpty()) {
                problems.error(inventory.at("hosts"), "spec.inventory.hosts is empty: a profile describes at least one host");
            }
            forEach(hostItems, "spec.inventory.hosts[]", f -> hosts.add(hostSpec(f)),
                    "name", "address", "rack", "role", "podCIDR", "vips", "routerId", "port", "uplinks", "switchPorts");
        }
        Map<String, HostOverride> overrides = new LinkedHashMap<>();
        YNode ov = spec.node("overrides", false);
        if (ov != null) {
            if (ov instanceof YMap m) {
                for (Map.Entry<String, YNode> e : m.entries().entrySet()) {
                    Fields f = Fields.of(e.getValue(), problems, "spec.overrides." + e.getKey(), "bgp", "bfd", "communities", "policies");
                    if (f == null) {
                        continue;
                    }
                    String ctx = "spec.overrides." + e.getKey();
                    BgpSettings ob = f.has("bgp") ? bgp(f.sub("bgp", false, ctx + ".bgp", BGP_KEYS)) : null;
                    BfdSettings obfd = f.has("bfd") ? bfd(f.sub("bfd", false, ctx + ".bfd", BFD_KEYS)) : null;
                    CommunitySettings oc = f.has("communities")
                            ? communities(f.sub("communities", false, ctx + ".communities", "podCIDR", "vip")) : null;
                    PolicySpec op = f.has("policies")
                            ? policySpec(f.sub("policies", false, ctx + ".policies", "import", "export"), ctx + ".policies") : null;
                    overrides.put(e.getKey(), new HostOverride(e.getKey(), ob, obfd, oc, op, m.keyLocations().get(e.getKey())));
                }
            } else {
                problems.error(ov.location(), "spec.overrides must be a mapping of host name to settings, got " + ov.typeName());
            }
        }
        return new TopologyProfile(file, name, model, spec.at("model"), asn, pools, vipPool, bgp, bfd, communities, policies,
                racks, switches, hosts, overrides, root.location(), fixedIpPools(spec), masquerade(spec), maglevTableSize(spec));
    }

    private static final String[] BGP_KEYS = {"holdTime", "keepalive", "connectRetry", "passive", "maxPaths",
        "gracefulRestart", "ttlSecurity", "multihop", "maxPrefixes", "md5", "families", "extendedMessage", "delayOpen",
        "keepReceived"};
    private static final String[] BFD_KEYS = {"enabled", "minTxMs", "minRxMs", "multiplier", "strict", "multihop"};

    private AsnPlan asnPlan(Fields spec) {
        Fields f = spec.sub("asn", true, "spec.asn", "scheme", "base", "overrides");
        if (f == null) {
            return null;
        }
        AsnScheme scheme = f.choice("scheme", true, Map.of("per-node", AsnScheme.PER_NODE, "per-rack", AsnScheme.PER_RACK,
                "single", AsnScheme.SINGLE));
        Long base = asnValue(f, "base", true);
        Map<String, Located<Long>> overrides = new LinkedHashMap<>();
        YNode ov = f.node("overrides", false);
        if (ov instanceof YMap m) {
            for (Map.Entry<String, YNode> e : m.entries().entrySet()) {
                Long v = checkAsn(f.asInteger(e.getValue(), "spec.asn.overrides." + e.getKey(), 1, Asn.MAX), e.getValue());
                if (v != null) {
                    overrides.put(e.getKey(), new Located<>(v, e.getValue().location()));
                }
            }
        } else if (ov != null) {
            problems.error(ov.location(), "spec.asn.overrides must be a mapping of host or rack name to AS number, got " + ov.typeName());
        }
        return new AsnPlan(scheme, base, overrides, f.at(), f.at("scheme"), f.at("base"));
    }

    private Long asnValue(Fields f, String key, boolean required) {
        YNode n = f.node(key, required);
        return n == null ? null : checkAsn(f.asInteger(n, key, 1, Asn.MAX), n);
    }

    private Long checkAsn(Long v, YNode n) {
        if (v == null) {
            return null;
        }
        String why = Asn.unusableReason(v);
        if (why != null) {
            problems.error(n.location(), why);
            return null;
        }
        return v;
    }

    /**
     * {@code spec.podCIDRPool}: one pool (a mapping) or, for a dual-stack cluster, a list of one
     * IPv4 and one IPv6 pool.
     */
    private List<PodCidrPool> podPools(Fields spec) {
        YNode n = spec.node("podCIDRPool", false);
        if (n == null) {
            return List.of();
        }
        List<YNode> items = n instanceof YNode.YList l ? l.items() : List.of(n);
        if (n instanceof YNode.YList && items.size() > 2) {
            problems.error(n.location(), "podCIDRPool lists " + items.size() + " pools: at most one IPv4 and one IPv6 pool");
        }
        List<PodCidrPool> out = new ArrayList<>();
        for (YNode item : items) {
            Fields f = Fields.of(item, problems, "spec.podCIDRPool", "cidr", "prefixLength", "allocation", "leaseSeconds");
            PodCidrPool pool = f == null ? null : podPool(f);
            if (pool == null) {
                continue;
            }
            if (pool.cidr() != null && out.stream().anyMatch(o -> o.cidr() != null && o.cidr().isIpv4() == pool.cidr().isIpv4())) {
                problems.error(pool.cidrAt(), "podCIDRPool has two " + (pool.cidr().isIpv4() ? "IPv4" : "IPv6")
                        + " pools: a node gets one PodCIDR per family");
                continue;
            }
            out.add(pool);
        }
        return out;
    }

    private PodCidrPool podPool(Fields f) {
        YNode c = f.node("cidr", true);
        Cidr cidr = c == null ? null : f.asCidr(c, "podCIDRPool.cidr", false);
        Integer len = f.int32("prefixLength", true, 0, 128);
        if (len != null && cidr != null && cidr.isIpv4() && len != 24 && len != 25) {
            problems.error(f.at("prefixLength"), "podCIDRPool.prefixLength of an IPv4 pool must be 24 or 25, got " + len);
            len = null;
        } else if (len != null && cidr != null && !cidr.isIpv4() && (len < 64 || len > 120)) {
            problems.error(f.at("prefixLength"), "podCIDRPool.prefixLength of an IPv6 pool must be 64..120, got " + len);
            len = null;
        }
        if (cidr != null && len != null && cidr.length() > len) {
            problems.error(c.location(), "podCIDRPool.cidr " + cidr + " is longer than the PodCIDR length /" + len + ": it holds no PodCIDR");
            cidr = null;
        } else if (cidr != null && len != null && len - cidr.length() > 30) {
            problems.error(c.location(), "podCIDRPool.cidr " + cidr + " holds 2^" + (len - cidr.length()) + " PodCIDRs of /" + len
                    + "; at most 2^30: use a longer pool prefix");
            cidr = null;
        }
        PodCidrPool.Allocation allocation = f.has("allocation")
                ? f.choice("allocation", false, Map.of("profile", PodCidrPool.Allocation.PROFILE, "store", PodCidrPool.Allocation.STORE))
                : PodCidrPool.Allocation.PROFILE;
        Integer lease = f.int32("leaseSeconds", false, 0, 31_536_000);
        if (lease != null && lease > 0 && lease < 5) {
            problems.error(f.at("leaseSeconds"), "podCIDRPool.leaseSeconds must be 0 (pinned) or at least 5, got " + lease);
            lease = null;
        }
        return new PodCidrPool(cidr, len, allocation == null ? PodCidrPool.Allocation.PROFILE : allocation,
                lease == null ? PodCidrPool.DEFAULT_LEASE_SECONDS : lease, f.at(), f.at("cidr"), f.at("prefixLength"));
    }

    /**
     * {@code spec.maglev.tableSize}: entries of each Maglev table (every host that serves a VIP
     * builds the same table from it). A prime; the datapath holds a table as one map value, so
     * at most {@link TopologyProfile#MAGLEV_MAX}.
     */
    private Integer maglevTableSize(Fields spec) {
        Fields f = spec.sub("maglev", false, "spec.maglev", "tableSize");
        if (f == null) {
            return null;
        }
        Integer m = f.int32("tableSize", true, 0, Integer.MAX_VALUE);
        if (m != null && (m < TopologyProfile.MAGLEV_MIN || m > TopologyProfile.MAGLEV_MAX
                || !java.math.BigInteger.valueOf(m).isProbablePrime(30))) {
            problems.error(f.at("tableSize"), "maglev.tableSize " + m + " must be a prime from " + TopologyProfile.MAGLEV_MIN + " to "
                    + TopologyProfile.MAGLEV_MAX + " (default " + TopologyProfile.MAGLEV_DEFAULT + "; at least 100 times a VIP's backends)");
            return null;
        }
        return m;
    }

    private MasqueradeSettings masquerade(Fields spec) {
        Fields f = spec.sub("masquerade", false, "spec.masquerade", "enabled", "nonMasqueradeCIDRs");
        if (f == null) {
            return MasqueradeSettings.OFF;
        }
        Boolean enabled = f.bool("enabled");
        if (!f.has("enabled")) {
            problems.error(f.at(), "spec.masquerade needs enabled: true or false");
        }
        List<Located<Cidr>> cidrs = new ArrayList<>();
        List<YNode> items = f.list("nonMasqueradeCIDRs", false);
        if (items != null) {
            for (YNode n : items) {
                Cidr c = f.asCidr(n, "nonMasqueradeCIDRs entry", true);
                if (c != null) {
                    cidrs.add(new Located<>(c, n.location())); // IPv4 and IPv6 (IPv6 masquerade, lib/masq6.h)
                }
            }
            if (Boolean.FALSE.equals(enabled) && !items.isEmpty()) {
                problems.warning(f.at("nonMasqueradeCIDRs"), "spec.masquerade.nonMasqueradeCIDRs has no effect while masquerade is not enabled");
            }
        }
        return new MasqueradeSettings(Boolean.TRUE.equals(enabled), cidrs, f.at());
    }

    private List<FixedIpPool> fixedIpPools(Fields spec) {
        List<FixedIpPool> out = new ArrayList<>();
        List<YNode> items = spec.list("fixedIPPools", false);
        if (items == null) {
            return out;
        }
        for (YNode n : items) {
            Fields f = Fields.of(n, problems, "spec.fixedIPPools entry", "name", "cidr");
            if (f == null) {
                continue;
            }
            String name = f.name("name", true);
            YNode c = f.node("cidr", true);
            Cidr cidr = c == null ? null : f.asCidr(c, "fixedIPPools.cidr", false);
            if (cidr != null && cidr.bits() - cidr.length() > 16) {
                problems.error(c.location(), "fixed-IP pool " + cidr + " is larger than 65,536 addresses; split it");
                cidr = null;
            } else if (cidr != null && cidr.bits() - cidr.length() < 2) {
                // the daemon's registry never hands out a pool's first address (nor an IPv4 pool's last), and takes pools as pod blocks
                problems.error(c.location(), "fixed-IP pool " + cidr + " is too small: it needs at least a /" + (cidr.bits() - 2));
                cidr = null;
            }
            if (name != null && out.stream().anyMatch(p -> name.equals(p.name()))) {
                problems.error(f.at("name"), "fixed-IP pool name '" + name + "' is used twice");
                continue;
            }
            if (name != null && cidr != null) {
                out.add(new FixedIpPool(name, cidr, f.at()));
            }
        }
        return out;
    }

    private BgpSettings bgp(Fields f) {
        if (f == null) {
            return null;
        }
        Integer hold = f.int32("holdTime", false, 0, MAX_HOLD);
        Integer keepalive = f.int32("keepalive", false, 0, MAX_HOLD / 3);
        Integer retry = f.int32("connectRetry", false, 1, 65535);
        Boolean passive = f.bool("passive");
        Integer maxPaths = f.int32("maxPaths", false, 1, 64);
        Boolean gr = null;
        Integer restart = null;
        Fields g = f.sub("gracefulRestart", false, f.context() + ".gracefulRestart", "enabled", "restartTime");
        if (g != null) {
            gr = g.bool("enabled");
            restart = g.int32("restartTime", false, 1, MAX_RESTART_TIME);
        }
        Integer ttlSecurity = f.int32("ttlSecurity", false, 0, 254);
        Integer multihop = f.int32("multihop", false, 1, 255);
        Long maxPrefixes = null;
        MaxPrefixAction action = null;
        Fields mp = f.sub("maxPrefixes", false, f.context() + ".maxPrefixes", "limit", "action");
        if (mp != null) {
            maxPrefixes = mp.integer("limit", true, 0, 0xFFFF_FFFFL);
            action = mp.choice("action", false, Map.of("warn", MaxPrefixAction.WARN, "restart", MaxPrefixAction.RESTART,
                    "discard", MaxPrefixAction.DISCARD));
        }
        Md5Ref md5 = md5(f, "md5");
        return new BgpSettings(hold, keepalive, retry, passive, maxPaths, gr, restart, ttlSecurity, multihop, maxPrefixes,
                action, md5, families(f), f.bool("extendedMessage"), f.int32("delayOpen", false, 0, 240), f.bool("keepReceived"),
                f.map());
    }

    /** MD5 passwords are references only: an inline string is refused (it would sit in Git and in logs). */
    private Md5Ref md5(Fields parent, String key) {
        YNode n = parent.node(key, false);
        if (n == null) {
            return null;
        }
        if (!(n instanceof YMap)) {
            problems.error(n.location(), key + " must reference the password, never hold it: write {env: NAME} or {file: /path}");
            return null;
        }
        Fields f = Fields.of(n, problems, parent.context() + "." + key, "env", "file");
        boolean env = f.has("env");
        boolean file = f.has("file");
        if (env == file) {
            problems.error(n.location(), key + " needs exactly one of 'env' or 'file'");
            return null;
        }
        if (env) {
            String name = f.string("env", true);
            if (name != null && !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                problems.error(f.at("env"), "md5.env '" + name + "' is not an environment variable name");
                return null;
            }
            return name == null ? null : new Md5Ref(Md5Secret.Source.ENV, name, n.location());
        }
        String path = f.string("file", true);
        if (path != null && !path.startsWith("/")) {
            problems.error(f.at("file"), "md5.file must be an absolute path (the daemon's working directory is not the profile's), got '" + path + "'");
            return null;
        }
        return path == null ? null : new Md5Ref(Md5Secret.Source.FILE, path, n.location());
    }

    private BfdSettings bfd(Fields f) {
        if (f == null) {
            return null;
        }
        // FRR bfdd accepts 10-60000 ms intervals and a detect multiplier of 2-255.
        return new BfdSettings(f.bool("enabled"), f.int32("minTxMs", false, 10, 60000), f.int32("minRxMs", false, 10, 60000),
                f.int32("multiplier", false, 2, 255), f.bool("strict"), f.bool("multihop"), f.map());
    }

    private CommunitySettings communities(Fields f) {
        if (f == null) {
            return null;
        }
        return new CommunitySettings(communityList(f, "podCIDR"), communityList(f, "vip"));
    }

    private List<Community> communityList(Fields f, String key) {
        List<YNode> items = f.list(key, false);
        if (items == null) {
            return null;
        }
        List<Community> out = new ArrayList<>();
        for (YNode n : items) {
            community(f, n, key).ifPresent(out::add);
        }
        return out;
    }

    private Optional<Community> community(Fields f, YNode n, String what) {
        String s = f.asString(n, what + " community");
        if (s == null) {
            return Optional.empty();
        }
        Optional<Community> c = Community.parse(s);
        if (c.isEmpty()) {
            problems.error(n.location(), "'" + s + "' is not a community: use ASN16:VALUE16 (RFC 1997), GLOBAL:LOCAL1:LOCAL2 (RFC 8092) or no-export / no-advertise / no-export-subconfed");
        }
        return c;
    }

    private PolicySpec policySpec(Fields f, String ctx) {
        if (f == null) {
            return null;
        }
        return new PolicySpec(statements(f, "import", ctx), statements(f, "export", ctx));
    }

    private List<PolicyStatement> statements(Fields f, String key, String ctx) {
        List<YNode> items = f.list(key, false);
        if (items == null) {
            return null;
        }
        List<PolicyStatement> out = new ArrayList<>();
        int i = 0;
        for (YNode n : items) {
            String sctx = ctx + "." + key + "[" + i + "]";
            i++;
            Fields s = Fields.of(n, problems, sctx, "name", "match", "set", "action");
            if (s == null) {
                continue;
            }
            String name = s.has("name") ? s.name("name", false) : null;
            PolicyStatement.Match match = match(s.sub("match", false, sctx + ".match", "prefixes", "communities", "asPathLength"));
            PolicyStatement.Set set = set(s.sub("set", false, sctx + ".set", "med", "localPref", "nextHop", "addCommunities", "removeCommunities"));
            PolicyStatement.Action action = s.choice("action", true, Map.of("accept", PolicyStatement.Action.ACCEPT,
                    "reject", PolicyStatement.Action.REJECT, "next", PolicyStatement.Action.NEXT));
            if (match != null && set != null && action != null) {
                out.add(new PolicyStatement(name == null ? key + "-" + i : name, match, set, action));
            }
        }
        return out;
    }

    private PolicyStatement.Match match(Fields f) {
        if (f == null) {
            return PolicyStatement.Match.ANY;
        }
        boolean ok = true;
        List<PrefixMatch> prefixes = new ArrayList<>();
        List<YNode> items = f.list("prefixes", false);
        if (items != null) {
            for (YNode n : items) {
                Fields p = Fields.of(n, problems, "match.prefixes[]", "prefix", "ge", "le");
                if (p == null) {
                    ok = false;
                    continue;
                }
                YNode pn = p.node("prefix", true);
                Cidr c = pn == null ? null : p.asCidr(pn, "prefix", false);
                Integer ge = p.int32("ge", false, 0, 128);
                Integer le = p.int32("le", false, 0, 128);
                if (c == null) {
                    ok = false;
                    continue;
                }
                int g = ge == null ? c.length() : ge;
                int l = le == null ? (ge == null ? c.length() : c.bits()) : le;
                if (g < c.length() || l < g || l > c.bits()) {
                    problems.error(p.at(), "prefix " + c + ": need " + c.length() + " <= ge (" + g + ") <= le (" + l + ") <= " + c.bits());
                    ok = false;
                    continue;
                }
                prefixes.add(new PrefixMatch(c, g, l));
            }
        }
        List<Community> communities = new ArrayList<>();
        List<YNode> cs = f.list("communities", false);
        if (cs != null) {
            for (YNode n : cs) {
                community(f, n, "match").ifPresentOrElse(communities::add, () -> {});
            }
        }
        int min = -1, max = -1;
        Fields ap = f.sub("asPathLength", false, "match.asPathLength", "min", "max");
        if (ap != null) {
            Integer mn = ap.int32("min", false, 0, 255);
            Integer mx = ap.int32("max", false, 0, 255);
            if (mn == null && mx == null) {
                problems.error(ap.at(), "asPathLength needs min, max or both");
                ok = false;
            }
            min = mn == null ? -1 : mn;
            max = mx == null ? -1 : mx;
            if (mn != null && mx != null && mn > mx) {
                problems.error(ap.at(), "asPathLength min " + mn + " is greater than max " + mx);
                ok = false;
            }
        }
        return ok ? new PolicyStatement.Match(prefixes, communities, min, max) : null;
    }

    private PolicyStatement.Set set(Fields f) {
        if (f == null) {
            return PolicyStatement.Set.NOTHING;
        }
        Long med = f.integer("med", false, 0, 0xFFFF_FFFFL);
        Long localPref = f.integer("localPref", false, 0, 0xFFFF_FFFFL);
        boolean self = false;
        InetAddress nextHop = null;
        YNode nh = f.node("nextHop", false);
        if (nh != null) {
            String s = f.asString(nh, "nextHop");
            if ("self".equals(s)) {
                self = true;
            } else if (s != null) {
                nextHop = f.asAddress(nh, "nextHop");
            }
        }
        List<Community> add = new ArrayList<>();
        List<Community> remove = new ArrayList<>();
        List<YNode> a = f.list("addCommunities", false);
        if (a != null) a.forEach(n -> community(f, n, "addCommunities").ifPresent(add::add));
        List<YNode> r = f.list("removeCommunities", false);
        if (r != null) r.forEach(n -> community(f, n, "removeCommunities").ifPresent(remove::add));
        return new PolicyStatement.Set(med, localPref, self, nextHop, add, remove);
    }

    private SwitchSpec switchSpec(Fields f) {
        String name = f.name("name", true);
        String rack = f.has("rack") ? f.name("rack", false) : null;
        List<Located<InetAddress>> addresses = new ArrayList<>();
        YNode ifNode = f.node("interface", false);
        String iface = ifNode == null ? null : f.asInterfaceName(ifNode, "switch " + name + " interface");
        if (ifNode != null && f.has("addresses")) {
            problems.error(f.at("interface"), "switch " + name + " has addresses and an interface: give addresses (numbered"
                    + " sessions) or the hosts' interface to it (unnumbered), not both");
        }
        List<YNode> items = ifNode != null ? null : f.list("addresses", true);
        if (items != null) {
            if (items.isEmpty()) {
                problems.error(f.at("addresses"), "switch " + name + " needs at least one address");
            }
            for (YNode n : items) {
                InetAddress a = f.asAddress(n, "switch address");
                if (a != null) {
                    addresses.add(new Located<>(a, n.location()));
                }
            }
        }
        Long asn = asnValue(f, "asn", false);
        Integer port = f.int32("port", false, 1, 65535);
        Inet4Address routerId = f.routerId("routerId");
        Md5Ref md5 = md5(f, "md5");
        Integer maxPaths = f.int32("maxPaths", false, 1, 64);
        return new SwitchSpec(name, rack, addresses, iface, asn, port, routerId, md5, maxPaths, families(f), f.bool("extendedMessage"),
                f.map());
    }

    private static final Map<String, BgpFamily> FAMILY_NAMES = Map.of("ipv4", BgpFamily.IPV4_UNICAST,
            "ipv4-unicast", BgpFamily.IPV4_UNICAST, "ipv6", BgpFamily.IPV6_UNICAST, "ipv6-unicast", BgpFamily.IPV6_UNICAST);

    /** {@code families: [ipv4, ipv6]}: a non-empty list without repeats, or null when absent or wrong (reported). */
    private List<BgpFamily> families(Fields f) {
        List<YNode> items = f.list("families", false);
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            problems.error(f.at("families"), f.context() + ".families is empty: a session carries at least one of ipv4, ipv6");
            return null;
        }
        List<BgpFamily> out = new ArrayList<>();
        for (YNode n : items) {
            String s = f.asString(n, "address family");
            BgpFamily fam = s == null ? null : FAMILY_NAMES.get(s);
            if (s != null && fam == null) {
                problems.error(n.location(), "'" + s + "' is not an address family: use ipv4 or ipv6");
            } else if (fam != null && out.contains(fam)) {
                problems.error(n.location(), "address family " + s + " is listed twice");
            } else if (fam != null) {
                out.add(fam);
            }
        }
        return out.isEmpty() ? null : List.copyOf(out);
    }

    /**
     * A value or a list of values with at most one per address family (a dual-stack host's
     * addresses, PodCIDRs); values that do not parse were reported by {@code parse}, a second one of
     * a family is reported with {@code twice} (its %s the family) and left out.
     */
    private <T> List<Located<T>> onePerFamily(YNode node, java.util.function.Function<YNode, T> parse,
                                              java.util.function.Predicate<T> ipv4, String twice) {
        List<Located<T>> out = new ArrayList<>();
        for (YNode item : node instanceof YNode.YList l ? l.items() : node == null ? List.<YNode>of() : List.of(node)) {
            T v = parse.apply(item);
            if (v == null) {
                continue;
            }
            if (out.stream().anyMatch(o -> ipv4.test(o.value()) == ipv4.test(v))) {
                problems.error(item.location(), String.format(twice, ipv4.test(v) ? "IPv4" : "IPv6"));
                continue;
            }
            out.add(new Located<>(v, item.location()));
        }
        return out;
    }

    private HostSpec hostSpec(Fields f) {
        String name = f.name("name", true);
        YNode an = f.node("address", true);
        List<Located<InetAddress>> addresses = onePerFamily(an, n -> f.asAddress(n, "address"), a -> a instanceof Inet4Address,
                "host " + name + " has two %s addresses: give at most one of each family (one BGP session per family and switch)");
        if (an instanceof YNode.YList l && l.items().isEmpty()) {
            problems.error(an.location(), "host " + name + " has an empty address list");
        }
        String rack = f.has("rack") ? f.name("rack", false) : null;
        Role role = f.has("role") ? f.choice("role", false, Map.of("node", Role.NODE, "l4lb", Role.L4LB, "router", Role.ROUTER)) : Role.NODE;
        List<Located<Cidr>> podCidrs = onePerFamily(f.node("podCIDR", false), n -> f.asCidr(n, "podCIDR", false), Cidr::isIpv4,
                "host " + name + " has two %s PodCIDRs: give at most one of each family");
        List<Located<Cidr>> vips = new ArrayList<>();
        List<YNode> vipItems = f.list("vips", false);
        if (vipItems != null) {
            for (YNode n : vipItems) {
                Cidr c = f.asCidr(n, "VIP", true);
                if (c != null) {
                    vips.add(new Located<>(c, n.location()));
                }
            }
        }
        Inet4Address routerId = f.routerId("routerId");
        Integer port = f.int32("port", false, 1, 65535);
        List<Located<String>> uplinks = null;
        List<YNode> up = f.list("uplinks", false);
        if (up != null) {
            uplinks = new ArrayList<>();
            for (YNode n : up) {
                String s = f.asString(n, "uplink");
                if (s != null) {
                    uplinks.add(new Located<>(s, n.location()));
                }
            }
        }
        Map<String, Located<String>> switchPorts = new java.util.LinkedHashMap<>();
        YNode ports = f.node("switchPorts", false);
        if (ports instanceof YMap pm) {
            for (Map.Entry<String, YNode> e : pm.entries().entrySet()) {
                String switchPort = f.asInterfaceName(e.getValue(), "switchPorts." + e.getKey());
                if (switchPort != null) {
                    switchPorts.put(e.getKey(), new Located<>(switchPort, e.getValue().location()));
                }
            }
        } else if (ports != null) {
            problems.error(ports.location(), "switchPorts must be a mapping of switch name to the switch's interface to this host");
        }
        return new HostSpec(name, addresses, rack, role, podCidrs, vips, routerId, port, uplinks, switchPorts, f.map());
    }

    private void forEach(List<YNode> items, String ctx, java.util.function.Consumer<Fields> body, String... keys) {
        if (items == null) {
            return;
        }
        for (YNode n : items) {
            Fields f = Fields.of(n, problems, ctx, keys);
            if (f != null) {
                body.accept(f);
            }
        }
    }
}
