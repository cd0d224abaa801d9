package io.gannet.topology.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.topology.config.BfdConfig;
import io.gannet.topology.config.BgpFamily;
import io.gannet.topology.config.FabricModel;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.Role;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.net.IpAddresses;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a switch as Gannet itself runs it: a topology profile of its own in which the switch
 * is the one host, with {@code role: router}, and every host it serves is one of that host's
 * "switches" (its BGP neighbors). {@code gannet run --profile THAT --node SWITCH --fib} then
 * makes Gannet the core or leaf: it accepts from nodes only PodCIDRs of the pool (/len..25)
 * and fixed-IP host routes, from L4LB hosts only VIP host routes, announces nothing back (as the
 * FRR and BIRD renderings do), and installs its best paths with their ECMP sets in its kernel
 * table. Every neighbor is the mirror image of the host's own session (addresses, ASes, port,
 * MD5 reference, families, extended messages), so the two ends cannot disagree.
 *
 * <p>What a profile cannot say per neighbor is taken so that every session negotiates the
 * host's own value: the longest hold time (BGP takes the smaller of the two), the fastest BFD
 * intervals (BFD takes the slower of the two). Where the hosts differ in something that is not
 * negotiated (the BFD hop mode, graceful restart, GTSM), the first host's value is written and
 * a comment names the others. MD5 keys stay references ({@code env}/{@code file}): the output
 * holds no secret.
 */
public final class GannetSwitchRenderer {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private GannetSwitchRenderer() {}

    /** @throws IllegalArgumentException when the switch serves a router host or no host of the switch's own address family */
    public static String render(SwitchView v, String profileName) {
        for (SwitchView.Session s : v.sessions()) {
            if (s.role() == Role.ROUTER) {
                throw new IllegalArgumentException("switch " + v.name() + " has a session with router host " + s.hostName()
                        + ": --format gannet renders a switch that serves nodes and l4lb hosts (give it --format frr or bird)");
            }
        }
        List<SwitchView.Session> sessions = v.sessions();
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("switch " + v.name() + " serves no host: nothing to render");
        }
        List<String> notes = new ArrayList<>();
        NeighborConfig first = sessions.get(0).fromHost();
        // The switch speaks from its address of each family its sessions use (dual-stack hosts: both).
        java.util.List<java.net.InetAddress> own = new java.util.ArrayList<>();
        sessions.stream().map(SwitchView.Session::switchAddress).filter(a -> a instanceof Inet4Address).findFirst().ifPresent(own::add);
        sessions.stream().map(SwitchView.Session::switchAddress).filter(a -> !(a instanceof Inet4Address)).findFirst().ifPresent(own::add);

        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("apiVersion", "gannet.io/v1alpha1");
        root.put("kind", "TopologyProfile");
        ObjectNode meta = root.putObject("metadata");
        meta.put("name", (profileName + "-" + v.name()).replaceAll("[^A-Za-z0-9._-]", "-"));
        meta.put("description", "switch " + v.name() + " of " + profileName + " as a Gannet router");
        ObjectNode spec = root.putObject("spec");
        spec.put("model", v.model() == FabricModel.IBGP_CORE ? "ibgp-core" : "ebgp-leaf");
        ObjectNode asn = spec.putObject("asn");
        asn.put("scheme", v.model() == FabricModel.IBGP_CORE ? "single" : "per-node");
        asn.put("base", v.asn());
        spec.set("bgp", bgp(v, sessions, notes));
        spec.set("bfd", bfd(sessions, notes));
        ObjectNode router = spec.putObject("policies").putObject("router");
        router.set("import", importPolicy(v));
        ArrayNode export = router.putArray("export");
        export.addObject().put("name", "nothing-back-to-hosts").put("action", "reject");
        ObjectNode inv = spec.putObject("inventory");
        ArrayNode switches = inv.putArray("switches");
        // One entry per host, with the host's address of each session (a dual-stack host: both
        // families, so the router holds a session per family with it, as the host does).
        java.util.Map<String, List<SwitchView.Session>> byHost = new java.util.LinkedHashMap<>();
        sessions.forEach(s -> byHost.computeIfAbsent(s.hostName(), k -> new ArrayList<>()).add(s));
        for (List<SwitchView.Session> hostSessions : byHost.values()) {
            SwitchView.Session s = hostSessions.get(0);
            NeighborConfig n = s.fromHost();
            ObjectNode sw = switches.addObject();
            sw.put("name", s.hostName());
            ArrayNode addresses = sw.putArray("addresses");
            hostSessions.forEach(x -> addresses.add(addressOf(x)));
            if (hostSessions.stream().noneMatch(x -> x.hostAddress() instanceof Inet4Address)) {
                sw.put("routerId", s.hostConfig().routerId().getHostAddress()); // an IPv6-only host: its own BGP identifier
            }
            sw.put("asn", s.hostAs());
            if (s.hostPort() != 179) {
                sw.put("port", s.hostPort());
            }
            if (n.md5() != null) {
                sw.putObject("md5").put(n.md5().source() == io.gannet.topology.config.Md5Secret.Source.ENV ? "env" : "file", n.md5().reference());
            }
            ArrayNode fam = sw.putArray("families");
            hostSessions.stream().flatMap(x -> x.fromHost().families().stream()).distinct().sorted().map(BgpFamily::yamlName).forEach(fam::add);
            sw.put("extendedMessage", n.extendedMessage());
        }
        ObjectNode host = inv.putArray("hosts").addObject();
        host.put("name", v.name());
        if (own.size() == 1) {
            host.put("address", IpAddresses.format(own.get(0)));
        } else {
            ArrayNode ha = host.putArray("address");
            own.forEach(x -> ha.add(IpAddresses.format(x)));
        }
        host.put("role", "router");
        host.put("routerId", v.routerId().getHostAddress());
        if (first.port() != 179) {
            host.put("port", first.port());
        }
        StringBuilder out = new StringBuilder();
        out.append("# Generated by gannet profile render --switch ").append(v.name()).append(" --format gannet\n");
        out.append("# Run it on the switch: gannet run --profile THIS_FILE --node ").append(v.name()).append(" --fib\n");
        notes.forEach(n -> out.append("# ").append(n).append('\n'));
        try {
            out.append(YAML.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String addressOf(SwitchView.Session s) {
        return IpAddresses.format(s.hostAddress());
    }

    private static ObjectNode bgp(SwitchView v, List<SwitchView.Session> sessions, List<String> notes) {
        NeighborConfig first = sessions.get(0).fromHost();
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        int hold = 0;
        int keepalive = 0;
        int retry = Integer.MAX_VALUE;
        for (SwitchView.Session s : sessions) {
            NeighborConfig n = s.fromHost();
            if (n.holdTimeSeconds() > hold) {
                hold = n.holdTimeSeconds();
                keepalive = n.keepaliveSeconds();
            }
            retry = Math.min(retry, n.connectRetrySeconds());
        }
        b.put("holdTime", hold);
        b.put("keepalive", keepalive);
        b.put("connectRetry", retry);
        b.put("maxPaths", v.maxPaths());
        ObjectNode gr = b.putObject("gracefulRestart");
        gr.put("enabled", first.gracefulRestart());
        gr.put("restartTime", first.gracefulRestartSeconds());
        differs(sessions, n -> n.gracefulRestart(), "graceful restart", notes);
        if (!first.ibgp()) {
            if (first.ttlSecurityHops() > 0) {
                b.put("ttlSecurity", first.ttlSecurityHops());
            } else if (first.multihopTtl() > 1) {
                b.put("multihop", first.multihopTtl());
            }
            differs(sessions, n -> n.ttlSecurityHops() + "/" + n.multihopTtl(), "ttlSecurity/multihop", notes);
        }
        return b;
    }

    private static ObjectNode bfd(List<SwitchView.Session> sessions, List<String> notes) {
        BfdConfig first = sessions.get(0).fromHost().bfd();
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        boolean any = sessions.stream().anyMatch(s -> s.fromHost().bfd().enabled());
        b.put("enabled", any);
        if (!any) {
            return b;
        }
        int tx = Integer.MAX_VALUE;
        int rx = Integer.MAX_VALUE;
        for (SwitchView.Session s : sessions) {
            BfdConfig c = s.fromHost().bfd();
            if (c.enabled()) {
                tx = Math.min(tx, c.minTxMs());
                rx = Math.min(rx, c.minRxMs());
            }
        }
        b.put("minTxMs", tx);
        b.put("minRxMs", rx);
        b.put("multiplier", first.multiplier());
        b.put("multihop", first.multihop());
        differs(sessions, n -> n.bfd().enabled(), "BFD (a host without it gets no BFD packets answered)", notes);
        differs(sessions, n -> n.bfd().multihop(), "the BFD hop mode (bfd.multihop)", notes);
        differs(sessions, n -> n.bfd().multiplier(), "the BFD multiplier", notes);
        return b;
    }

    private static void differs(List<SwitchView.Session> sessions, java.util.function.Function<NeighborConfig, Object> f, String what,
            List<String> notes) {
        Object first = f.apply(sessions.get(0).fromHost());
        List<String> others = sessions.stream().filter(s -> !f.apply(s.fromHost()).equals(first)).map(SwitchView.Session::hostName).toList();
        if (!others.isEmpty()) {
            notes.add("WARNING: " + String.join(", ", others) + " differ from " + sessions.get(0).hostName() + " in " + what
                    + "; this file has " + sessions.get(0).hostName() + "'s (" + first + ")");
        }
    }

    /**
     * PodCIDRs of the pool (/len..25, as the FRR and BIRD renderings accept), fixed-IP and VIP
     * host routes; nothing else. The profile's statements do not match by neighbor, so a node's
     * VIP or an L4LB host's PodCIDR would also pass: the hosts' own export policies keep to
     * their role.
     */
    private static ArrayNode importPolicy(SwitchView v) {
        ArrayNode st = JsonNodeFactory.instance.arrayNode();
        ObjectNode accept = JsonNodeFactory.instance.objectNode();
        accept.put("name", "pod-cidrs-fixed-ips-and-vips");
        ArrayNode prefixes = accept.putObject("match").putArray("prefixes");
        for (io.gannet.topology.model.PodCidrPool pool : v.podCidrPools()) {
            Cidr c = pool.cidr();
            if (c.isIpv4()) {
                prefixes.addObject().put("prefix", c.toString()).put("ge", Math.max(24, c.length())).put("le", 25);
            } else {
                prefixes.addObject().put("prefix", c.toString()).put("ge", pool.prefixLength()).put("le", pool.prefixLength());
            }
        }
        for (Cidr c : v.fixedIpPools()) {
            hostRoutes(prefixes, c);
        }
        for (Cidr c : v.vipPools()) {
            hostRoutes(prefixes, c);
        }
        accept.put("action", "accept");
        if (!prefixes.isEmpty()) {
            st.add(accept);
        }
        st.addObject().put("name", "nothing-else").put("action", "reject");
        return st;
    }

    private static void hostRoutes(ArrayNode prefixes, Cidr c) {
        int max = c.isIpv4() ? 32 : 128;
        prefixes.addObject().put("prefix", c.toString()).put("ge", max).put("le", max);
    }
}
