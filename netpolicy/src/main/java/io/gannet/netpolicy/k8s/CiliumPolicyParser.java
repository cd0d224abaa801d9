package io.gannet.netpolicy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.netpolicy.identity.ReservedIdentity;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Labels;
import io.gannet.netpolicy.model.Peer;
import io.gannet.netpolicy.model.Policy;
import io.gannet.netpolicy.model.PortRule;
import io.gannet.netpolicy.model.Protocol;
import io.gannet.netpolicy.model.Rule;
import io.gannet.netpolicy.selector.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CiliumNetworkPolicy (cilium.io/v2) at L3/L4, ingress side: {@code endpointSelector} and
 * {@code fromEndpoints} scoped to the policy's namespace unless they name one
 * ({@code k8s:io.kubernetes.pod.namespace}); the {@code k8s:}/{@code any:} label prefixes;
 * {@code fromCIDR}, {@code fromCIDRSet} with except, {@code fromEntities}; {@code toPorts} with
 * ports, ranges ({@code endPort}), names and protocols (ANY by default); {@code ingressDeny};
 * {@code enableDefaultDeny.ingress}; {@code specs} lists (each becomes part of one policy);
 * {@code icmps} with IPv4 and IPv6 types (numbers or Cilium's names; neighbor discovery always
 * passes). L7 rules, TLS, server names, FQDN, egress, node selectors, services, groups, requires
 * and authentication are reported per policy as not enforced.
 *
 * <p>As in Cilium, an ingress rule that names no peer and no port allows nothing (it only
 * turns on default deny); one with only {@code toPorts} allows those ports from anywhere.
 */
final class CiliumPolicyParser {
    private CiliumPolicyParser() {}

    private static final Set<String> RULE_FIELDS = Set.of("endpointSelector", "nodeSelector", "ingress", "ingressDeny",
            "egress", "egressDeny", "labels", "description", "enableDefaultDeny");
    private static final Set<String> INGRESS_FIELDS = Set.of("fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities",
            "toPorts", "fromRequires", "fromServices", "fromNodes", "fromGroups", "icmps", "authentication");
    private static final Set<String> EGRESS_FIELDS = Set.of("toEndpoints", "toCIDR", "toCIDRSet", "toEntities",
            "toPorts", "toRequires", "toServices", "toNodes", "toGroups", "toFQDNs", "icmps", "authentication");

    static Policy parse(JsonNode obj, String namespace, String name, String origin, Fields f) {
        List<JsonNode> specs = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        if (obj.hasNonNull("spec")) {
            specs.add(obj.get("spec"));
            paths.add("spec");
        }
        List<JsonNode> many = f.list(obj, "specs", "");
        for (int i = 0; i < many.size(); i++) {
            specs.add(many.get(i));
            paths.add("specs[" + i + "]");
        }
        if (specs.isEmpty()) {
            f.error("spec", "required (or specs)");
            return null;
        }
        if (specs.size() > 1) {
            // Several rules in one object: Gannet enforces the first's selector per rule by
            // splitting subjects; say so rather than merge different subjects silently.
            for (int i = 1; i < specs.size(); i++) {
                if (!specs.get(i).path("endpointSelector").equals(specs.get(0).path("endpointSelector"))) {
                    f.error(paths.get(i) + ".endpointSelector",
                            "every rule of one object must select the same endpoints in Gannet; split the object");
                }
            }
        }
        List<Rule> rules = new ArrayList<>();
        LabelSelector subject = null;
        boolean ingress = false;
        boolean egress = false;
        for (int s = 0; s < specs.size(); s++) {
            JsonNode spec = specs.get(s);
            String sp = paths.get(s);
            f.onlyKnown(spec, sp, RULE_FIELDS);
            if (spec.has("nodeSelector")) {
                f.unsupported(sp + ".nodeSelector", "host policies are not enforced");
                if (!spec.has("endpointSelector")) {
                    continue;
                }
            }
            if (!spec.has("endpointSelector")) {
                f.error(sp + ".endpointSelector", "required");
                continue;
            }
            LabelSelector sel = scoped(selector(spec.get("endpointSelector"), sp + ".endpointSelector", f), namespace);
            if (s == 0) {
                subject = sel;
            }
            JsonNode dd = spec.get("enableDefaultDeny");
            for (Rule.Direction direction : Rule.Direction.values()) {
                String section = direction == Rule.Direction.INGRESS ? "ingress" : "egress";
                boolean defaultDeny = dd == null || !dd.has(section) || dd.get(section).asBoolean(true);
                boolean named = false;
                for (String part : new String[] {section, section + "Deny"}) {
                    if (!spec.has(part)) {
                        continue;
                    }
                    named = true;
                    List<JsonNode> list = f.list(spec, part, sp);
                    for (int i = 0; i < list.size(); i++) {
                        String path = sp + "." + part + "[" + i + "]";
                        Rule r = rule(list.get(i), namespace, path, part.endsWith("Deny") ? Rule.Action.DENY : Rule.Action.ALLOW,
                                direction, f);
                        if (r != null) {
                            rules.add(r);
                        }
                    }
                }
                if (named && defaultDeny) {
                    if (direction == Rule.Direction.INGRESS) {
                        ingress = true;
                    } else {
                        egress = true;
                    }
                }
                if (named && !defaultDeny) {
                    // Rules still add allows to endpoints some other policy puts in default deny.
                    f.unsupported(sp + ".enableDefaultDeny", section + ": false honoured: this policy alone does not enforce " + section);
                }
            }
        }
        if (subject == null || !f.errors.isEmpty()) {
            return null;
        }
        return new Policy("CiliumNetworkPolicy", namespace, name, subject, ingress, egress, rules, f.unsupported, origin);
    }

    private static Rule rule(JsonNode r, String namespace, String path, Rule.Action action, Rule.Direction direction, Fields f) {
        boolean in = direction == Rule.Direction.INGRESS;
        String px = in ? "from" : "to";
        f.onlyKnown(r, path, in ? INGRESS_FIELDS : EGRESS_FIELDS);
        for (String u : new String[] {px + "Requires", px + "Services", px + "Nodes", px + "Groups", "toFQDNs", "authentication"}) {
            if (r.has(u)) {
                f.unsupported(path + "." + u, u.equals("toFQDNs") ? "DNS-name rules are not enforced: they allow nothing" : "not enforced");
            }
        }
        List<Peer> peers = new ArrayList<>();
        // peers Gannet does not enforce still make the rule one that names peers: it then allows
        // nothing through them (fail closed), never "from/to anywhere"
        boolean namesPeers = r.has(px + "Services") || r.has(px + "Nodes") || r.has(px + "Groups") || r.has("toFQDNs");
        List<JsonNode> eps = f.list(r, px + "Endpoints", path);
        namesPeers |= r.has(px + "Endpoints");
        for (int i = 0; i < eps.size(); i++) {
            LabelSelector sel = selector(eps.get(i), path + "." + px + "Endpoints[" + i + "]", f);
            if (sel != null) {
                peers.add(new Peer.Endpoints(scoped(sel, namespace)));
            }
        }
        List<JsonNode> cidrs = f.list(r, px + "CIDR", path);
        namesPeers |= r.has(px + "CIDR");
        for (int i = 0; i < cidrs.size(); i++) {
            Cidr c = f.cidr(cidrs.get(i).asText(), path + "." + px + "CIDR[" + i + "]");
            if (c != null) {
                peers.add(new Peer.Cidrs(c, List.of()));
            }
        }
        List<JsonNode> sets = f.list(r, px + "CIDRSet", path);
        namesPeers |= r.has(px + "CIDRSet");
        for (int i = 0; i < sets.size(); i++) {
            String p = path + "." + px + "CIDRSet[" + i + "]";
            JsonNode set = sets.get(i);
            f.onlyKnown(set, p, Set.of("cidr", "except", "cidrGroupRef"));
            if (set.has("cidrGroupRef")) {
                f.unsupported(p + ".cidrGroupRef", "CiliumCIDRGroup references are not enforced");
                continue;
            }
            Cidr c = f.cidr(f.text(set, "cidr", p), p + ".cidr");
            List<Cidr> except = new ArrayList<>();
            List<JsonNode> ex = f.list(set, "except", p);
            for (int j = 0; j < ex.size(); j++) {
                Cidr e = f.cidr(ex.get(j).asText(), p + ".except[" + j + "]");
                if (e != null && c != null && !c.contains(e)) {
                    f.error(p + ".except[" + j + "]", e + " is not inside " + c);
                } else if (e != null) {
                    except.add(e);
                }
            }
            if (c != null) {
                peers.add(new Peer.Cidrs(c, except));
            }
        }
        List<JsonNode> ents = f.list(r, px + "Entities", path);
        namesPeers |= r.has(px + "Entities");
        for (int i = 0; i < ents.size(); i++) {
            String e = ents.get(i).asText();
            ReservedIdentity.Entity entity = ReservedIdentity.Entity.fromYaml(e);
            if (entity == null) {
                f.unsupported(path + "." + px + "Entities[" + i + "]", "entity '" + e + "' is not enforced (world, cluster, host, remote-node and all are)");
            } else {
                peers.add(new Peer.Entity(entity));
            }
        }
        List<PortRule> ports = new ArrayList<>();
        List<JsonNode> tps = f.list(r, "toPorts", path);
        for (int i = 0; i < tps.size(); i++) {
            String p = path + ".toPorts[" + i + "]";
            JsonNode tp = tps.get(i);
            f.onlyKnown(tp, p, Set.of("ports", "rules", "terminatingTLS", "originatingTLS", "serverNames", "listener"));
            for (String l7 : new String[] {"rules", "terminatingTLS", "originatingTLS", "serverNames", "listener"}) {
                if (tp.has(l7)) {
                    f.unsupported(p + "." + l7, "L7 and TLS rules are not enforced: the L4 part applies");
                }
            }
            List<JsonNode> pl = f.list(tp, "ports", p);
            if (pl.isEmpty()) {
                ports.add(PortRule.ANY);
            }
            for (int j = 0; j < pl.size(); j++) {
                PortRule pr = port(pl.get(j), p + ".ports[" + j + "]", f);
                if (pr != null) {
                    ports.add(pr);
                }
            }
        }
        List<JsonNode> icmps = f.list(r, "icmps", path);
        for (int i = 0; i < icmps.size(); i++) {
            icmp(icmps.get(i), path + ".icmps[" + i + "]", ports, f);
        }
        if (!namesPeers && tps.isEmpty() && icmps.isEmpty()) {
            // Cilium: an empty rule selects nothing.
            return null;
        }
        if (namesPeers && peers.isEmpty()) {
            // Peers were named but none can be enforced (or all were empty lists): allow nothing
            // rather than from-anywhere.
            return null;
        }
        return new Rule(action, direction, peers, ports, path);
    }

    /** ICMPv4 type names Cilium accepts beside numbers. */
    private static final Map<String, Integer> ICMP_TYPES = Map.ofEntries(Map.entry("EchoReply", 0),
            Map.entry("DestinationUnreachable", 3), Map.entry("Redirect", 5), Map.entry("Echo", 8),
            Map.entry("EchoRequest", 8), Map.entry("RouterAdvertisement", 9), Map.entry("RouterSelection", 10),
            Map.entry("TimeExceeded", 11), Map.entry("ParameterProblem", 12), Map.entry("Timestamp", 13),
            Map.entry("TimestampReply", 14), Map.entry("Photuris", 40), Map.entry("ExtendedEchoRequest", 42),
            Map.entry("ExtendedEchoReply", 43));

    /** ICMPv6 type names Cilium accepts beside numbers (RFC 4443, RFC 4861). */
    private static final Map<String, Integer> ICMPV6_TYPES = Map.ofEntries(Map.entry("DestinationUnreachable", 1),
            Map.entry("PacketTooBig", 2), Map.entry("TimeExceeded", 3), Map.entry("ParameterProblem", 4),
            Map.entry("EchoRequest", 128), Map.entry("EchoReply", 129), Map.entry("MulticastListenerQuery", 130),
            Map.entry("MulticastListenerReport", 131), Map.entry("MulticastListenerDone", 132),
            Map.entry("RouterSolicitation", 133), Map.entry("RouterAdvertisement", 134), Map.entry("NeighborSolicitation", 135),
            Map.entry("NeighborAdvertisement", 136), Map.entry("RedirectMessage", 137), Map.entry("RouterRenumbering", 138),
            Map.entry("ICMPNodeInformationQuery", 139), Map.entry("ICMPNodeInformationResponse", 140),
            Map.entry("MulticastListenerReportV2", 143), Map.entry("ExtendedEchoRequest", 160), Map.entry("ExtendedEchoReply", 161));

    /** {@code icmps: [{fields: [{type, family}]}]}: IPv4 and IPv6 types join the rule's ports (as toPorts do). */
    private static void icmp(JsonNode rule, String path, List<PortRule> ports, Fields f) {
        f.onlyKnown(rule, path, Set.of("fields"));
        List<JsonNode> fields = f.list(rule, "fields", path);
        for (int j = 0; j < fields.size(); j++) {
            String p = path + ".fields[" + j + "]";
            JsonNode field = fields.get(j);
            f.onlyKnown(field, p, Set.of("type", "family"));
            String family = f.text(field, "family", p);
            String type = f.text(field, "type", p);
            if (type == null) {
                f.error(p + ".type", "is required: an ICMP type number 0-255 or name (EchoRequest, ...)");
                continue;
            }
            if (family != null && !family.equals("IPv4") && !family.equals("IPv6")) {
                f.error(p + ".family", "'" + family + "' is not IPv4 or IPv6");
                continue;
            }
            boolean v6 = "IPv6".equals(family);
            Integer number = (v6 ? ICMPV6_TYPES : ICMP_TYPES).get(type);
            if (number == null && !type.isEmpty() && type.length() <= 3 && type.chars().allMatch(Character::isDigit)) {
                number = Integer.parseInt(type);
            }
            if (number == null || number > 255) {
                f.error(p + ".type", "'" + type + "' is not an ICMP type number 0-255 or an " + (v6 ? "IPv6 type name (EchoRequest,"
                        + " EchoReply, DestinationUnreachable, ...)" : "IPv4 type name (EchoRequest, EchoReply, DestinationUnreachable, ...)"));
                continue;
            }
            ports.add(v6 ? PortRule.icmp6(number) : PortRule.icmp(number));
        }
    }

    private static PortRule port(JsonNode n, String path, Fields f) {
        f.onlyKnown(n, path, Set.of("port", "endPort", "protocol"));
        String protoText = f.text(n, "protocol", path);
        Protocol proto = switch (protoText == null ? "ANY" : protoText.toUpperCase(java.util.Locale.ROOT)) {
            case "ANY" -> Protocol.ANY;
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            case "SCTP" -> Protocol.SCTP;
            case "ICMP" -> Protocol.ICMP;
            case "ICMPV6" -> Protocol.ICMPV6;
            default -> null;
        };
        if (proto == null) {
            f.error(path + ".protocol", "'" + protoText + "' is not TCP, UDP, SCTP, ICMP, ICMPv6 or ANY");
            return null;
        }
        String port = f.text(n, "port", path);
        if (port == null || port.equals("0")) {
            return PortRule.range(proto, 0, 0);
        }
        if (!port.chars().allMatch(Character::isDigit)) {
            return PortRule.named(proto, port);
        }
        int p = Integer.parseInt(port.length() > 6 ? "999999" : port);
        if (p < 1 || p > 65535) {
            f.error(path + ".port", "'" + port + "' is not a port number 1-65535 or a port name");
            return null;
        }
        int end = p;
        if (n.has("endPort")) {
            end = n.get("endPort").asInt(-1);
            if (end < p || end > 65535) {
                f.error(path + ".endPort", "'" + n.get("endPort").asText() + "' must be from port (" + p + ") to 65535");
                return null;
            }
        }
        return PortRule.range(proto, p, end);
    }

    /** A Cilium selector: keys may carry a source prefix ({@code k8s:}, {@code any:}), dropped here. */
    private static LabelSelector selector(JsonNode n, String path, Fields f) {
        LabelSelector s = f.selector(n, path);
        if (s == null) {
            return null;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        s.matchLabels().forEach((k, v) -> labels.put(strip(k), v));
        return new LabelSelector(labels, s.matchExpressions().stream()
                .map(r -> new LabelSelector.Requirement(strip(r.key()), r.operator(), r.values())).toList());
    }

    private static String strip(String key) {
        for (String prefix : new String[] {"k8s:", "any:"}) {
            if (key.startsWith(prefix)) {
                return key.substring(prefix.length());
            }
        }
        return key;
    }

    /** Namespaced: endpoints of this namespace unless the selector names a namespace itself. */
    private static LabelSelector scoped(LabelSelector s, String namespace) {
        if (s == null || namespace == null) {
            return s;
        }
        boolean namesNamespace = s.matchLabels().containsKey(Labels.NAMESPACE)
                || s.matchExpressions().stream().anyMatch(r -> r.key().equals(Labels.NAMESPACE));
        return namesNamespace ? s : s.and(Labels.NAMESPACE, namespace);
    }
}
