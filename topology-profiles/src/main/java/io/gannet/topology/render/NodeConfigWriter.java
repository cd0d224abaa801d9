package io.gannet.topology.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.gannet.topology.config.BfdConfig;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.PolicyStatement;
import io.gannet.topology.config.PrefixMatch;
import io.gannet.topology.config.RoutePolicy;
import io.gannet.topology.net.IpAddresses;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a {@link NodeConfig} for people ({@code gannet profile render --node}): YAML by
 * default, JSON on request. MD5 passwords appear only as their reference
 * ({@code <from env NAME>}), never as values.
 */
public final class NodeConfigWriter {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private NodeConfigWriter() {}

    public static String yaml(NodeConfig c) {
        return write(YAML, c);
    }

    public static String json(NodeConfig c) {
        return write(JSON, c) + "\n";
    }

    private static String write(ObjectMapper m, NodeConfig c) {
        try {
            return m.writeValueAsString(tree(c));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The printable form; field names match NodeConfig's components. */
    public static Map<String, Object> tree(NodeConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("profile", c.profileName());
        m.put("model", c.model().yamlName());
        m.put("role", c.role().yamlName());
        m.put("routerId", c.routerId().getHostAddress());
        m.put("localAs", c.localAs());
        m.put("listenAddress", IpAddresses.format(c.listenAddress()));
        if (c.addresses().size() > 1) {
            m.put("addresses", c.addresses().stream().map(IpAddresses::format).toList());
        }
        m.put("listenPort", c.listenPort());
        if (c.podCidrs().size() > 1) {
            m.put("podCidrs", c.podCidrs().stream().map(Object::toString).toList());
        } else if (c.podCidr() != null) {
            m.put("podCidr", c.podCidr().toString());
        }
        m.put("vips", c.vips().stream().map(Object::toString).toList());
        m.put("vipPool", c.vipPool().stream().map(Object::toString).toList());
        m.put("podCidrCommunities", c.podCidrCommunities().stream().map(Object::toString).toList());
        m.put("vipCommunities", c.vipCommunities().stream().map(Object::toString).toList());
        m.put("maxPaths", c.maxPaths());
        List<Object> ns = new ArrayList<>();
        for (NeighborConfig n : c.neighbors()) {
            ns.add(neighbor(n));
        }
        m.put("neighbors", ns);
        m.put("importPolicy", policy(c.importPolicy()));
        m.put("exportPolicy", policy(c.exportPolicy()));
        return m;
    }

    private static Map<String, Object> neighbor(NeighborConfig n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        if (n.unnumbered()) {
            m.put("interface", n.interfaceName()); // unnumbered: the switch's link-local address is learned at run time
        }
        if (n.address() != null) {
            m.put("address", IpAddresses.format(n.address()));
        }
        m.put("port", n.port());
        m.put("remoteAs", n.remoteAs());
        m.put("localAs", n.localAs());
        m.put("localAddress", IpAddresses.format(n.localAddress()));
        m.put("type", n.ibgp() ? "ibgp" : "ebgp");
        m.put("holdTime", n.holdTimeSeconds());
        m.put("keepalive", n.keepaliveSeconds());
        m.put("connectRetry", n.connectRetrySeconds());
        m.put("passive", n.passive());
        m.put("md5", n.md5() == null ? null : n.md5().describe());
        m.put("ttlSecurityHops", n.ttlSecurityHops());
        m.put("multihopTtl", n.multihopTtl());
        m.put("families", n.families().stream().map(f -> f.yamlName()).toList());
        m.put("extendedMessage", n.extendedMessage());
        m.put("routeReflectorClient", n.routeReflectorClient());
        m.put("delayOpen", n.delayOpenSeconds());
        m.put("keepReceived", n.keepReceived());
        Map<String, Object> gr = new LinkedHashMap<>();
        gr.put("enabled", n.gracefulRestart());
        gr.put("restartTime", n.gracefulRestartSeconds());
        m.put("gracefulRestart", gr);
        BfdConfig b = n.bfd();
        Map<String, Object> bfd = new LinkedHashMap<>();
        bfd.put("enabled", b.enabled());
        bfd.put("minTxMs", b.minTxMs());
        bfd.put("minRxMs", b.minRxMs());
        bfd.put("multiplier", b.multiplier());
        bfd.put("strict", b.strict());
        bfd.put("multihop", b.multihop());
        if (b.multihop()) {
            bfd.put("minReceivedTtl", b.minReceivedTtl());
        }
        m.put("bfd", bfd);
        Map<String, Object> mp = new LinkedHashMap<>();
        mp.put("limit", n.maxPrefixes());
        mp.put("action", n.maxPrefixAction().yamlName());
        m.put("maxPrefixes", mp);
        return m;
    }

    private static List<Object> policy(RoutePolicy p) {
        List<Object> out = new ArrayList<>();
        for (PolicyStatement s : p.statements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            if (!s.match().isAny()) {
                Map<String, Object> match = new LinkedHashMap<>();
                if (!s.match().prefixes().isEmpty()) {
                    List<Object> ps = new ArrayList<>();
                    for (PrefixMatch pm : s.match().prefixes()) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("prefix", pm.prefix().toString());
                        e.put("ge", pm.ge());
                        e.put("le", pm.le());
                        ps.add(e);
                    }
                    match.put("prefixes", ps);
                }
                if (!s.match().communities().isEmpty()) {
                    match.put("communities", s.match().communities().stream().map(Object::toString).toList());
                }
                if (s.match().asPathLengthMin() >= 0 || s.match().asPathLengthMax() >= 0) {
                    Map<String, Object> ap = new LinkedHashMap<>();
                    if (s.match().asPathLengthMin() >= 0) ap.put("min", s.match().asPathLengthMin());
                    if (s.match().asPathLengthMax() >= 0) ap.put("max", s.match().asPathLengthMax());
                    match.put("asPathLength", ap);
                }
                m.put("match", match);
            }
            if (!s.set().isNothing()) {
                Map<String, Object> set = new LinkedHashMap<>();
                PolicyStatement.Set a = s.set();
                if (a.med() != null) set.put("med", a.med());
                if (a.localPref() != null) set.put("localPref", a.localPref());
                if (a.nextHopSelf()) set.put("nextHop", "self");
                else if (a.nextHop() != null) set.put("nextHop", IpAddresses.format(a.nextHop()));
                if (!a.addCommunities().isEmpty()) set.put("addCommunities", a.addCommunities().stream().map(Object::toString).toList());
                if (!a.removeCommunities().isEmpty()) set.put("removeCommunities", a.removeCommunities().stream().map(Object::toString).toList());
                m.put("set", set);
            }
            m.put("action", s.action().yamlName());
            out.add(m);
        }
        return out;
    }
}
