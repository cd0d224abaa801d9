package io.gannet.netpolicy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Labels;
import io.gannet.netpolicy.model.Peer;
import io.gannet.netpolicy.model.Policy;
import io.gannet.netpolicy.model.PortRule;
import io.gannet.netpolicy.model.Protocol;
import io.gannet.netpolicy.model.Rule;
import io.gannet.netpolicy.selector.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1), as the API defines it:
 * {@code podSelector} scoped to the policy's namespace; {@code policyTypes} defaulting to
 * Ingress (plus Egress when egress rules are present); {@code from} peers by podSelector (same
 * namespace), namespaceSelector (all pods of those namespaces), both (those pods of those
 * namespaces) or ipBlock with except; ports by number, name, protocol (TCP by default) and
 * endPort. An ingress rule without {@code from} is from everywhere, without {@code ports} to
 * every port; {@code ingress: []} with the Ingress type denies everything. Egress the same way
 * with {@code to} peers (destinations) and the destination's ports; {@code egress: []} with the
 * Egress type denies all egress. A named port in an egress rule is the destination pod's.
 */
final class NetworkPolicyParser {
    private NetworkPolicyParser() {}

    static Policy parse(JsonNode obj, String namespace, String name, String origin, Fields f) {
        JsonNode spec = obj.path("spec");
        if (!spec.isObject()) {
            f.error("spec", "required");
            return null;
        }
        f.onlyKnown(spec, "spec", Set.of("podSelector", "policyTypes", "ingress", "egress"));
        if (!spec.has("podSelector")) {
            f.error("spec.podSelector", "required (use {} to select every pod of the namespace)");
        }
        LabelSelector pods = f.selector(spec.get("podSelector"), "spec.podSelector");
        boolean ingressType = true;
        boolean egressType = spec.has("egress");
        if (spec.has("policyTypes")) {
            ingressType = false;
            egressType = false;
            for (JsonNode t : f.list(spec, "policyTypes", "spec")) {
                switch (t.asText()) {
                    case "Ingress" -> ingressType = true;
                    case "Egress" -> egressType = true;
                    default -> f.error("spec.policyTypes", "'" + t.asText() + "' is not Ingress or Egress");
                }
            }
        }
        List<Rule> rules = new ArrayList<>();
        rules(spec, "ingress", "from", Rule.Direction.INGRESS, namespace, rules, f);
        rules(spec, "egress", "to", Rule.Direction.EGRESS, namespace, rules, f);
        if (pods == null || !f.errors.isEmpty()) {
            return null;
        }
        return new Policy("NetworkPolicy", namespace, name, pods.and(Labels.NAMESPACE, namespace), ingressType, egressType, rules,
                f.unsupported, origin);
    }

    /**
     * The rules of one section ({@code ingress} with {@code from}, {@code egress} with {@code to}).
     * A named port is the selected pod's own on ingress and the destination pod's on egress
     * (resolved per destination when compiled); a rule left without any of the ports it named
     * (all invalid) allows nothing (rather than every port).
     */
    private static void rules(JsonNode spec, String section, String peersField, Rule.Direction direction, String namespace,
            List<Rule> rules, Fields f) {
        List<JsonNode> list = f.list(spec, section, "spec");
        for (int i = 0; i < list.size(); i++) {
            String path = "spec." + section + "[" + i + "]";
            JsonNode r = list.get(i);
            f.onlyKnown(r, path, Set.of(peersField, "ports"));
            List<Peer> peers = new ArrayList<>();
            List<JsonNode> from = f.list(r, peersField, path);
            for (int j = 0; j < from.size(); j++) {
                Peer p = peer(from.get(j), namespace, path + "." + peersField + "[" + j + "]", f);
                if (p != null) {
                    peers.add(p);
                }
            }
            List<PortRule> ports = new ArrayList<>();
            List<JsonNode> pl = f.list(r, "ports", path);
            for (int j = 0; j < pl.size(); j++) {
                PortRule p = port(pl.get(j), path + ".ports[" + j + "]", f);
                if (p != null) {
                    ports.add(p);
                }
            }
            if (!pl.isEmpty() && ports.isEmpty()) {
                continue;
            }
            rules.add(new Rule(Rule.Action.ALLOW, direction, peers, ports, path));
        }
    }

    private static Peer peer(JsonNode n, String namespace, String path, Fields f) {
        f.onlyKnown(n, path, Set.of("podSelector", "namespaceSelector", "ipBlock"));
        if (n.has("ipBlock")) {
            if (n.has("podSelector") || n.has("namespaceSelector")) {
                f.error(path, "ipBlock cannot be combined with podSelector or namespaceSelector");
                return null;
            }
            JsonNode b = n.get("ipBlock");
            f.onlyKnown(b, path + ".ipBlock", Set.of("cidr", "except"));
            Cidr cidr = f.cidr(f.text(b, "cidr", path + ".ipBlock"), path + ".ipBlock.cidr");
            List<Cidr> except = new ArrayList<>();
            List<JsonNode> ex = f.list(b, "except", path + ".ipBlock");
            for (int i = 0; i < ex.size(); i++) {
                Cidr c = f.cidr(ex.get(i).asText(), path + ".ipBlock.except[" + i + "]");
                if (c != null && cidr != null && !cidr.contains(c)) {
                    f.error(path + ".ipBlock.except[" + i + "]", c + " is not inside " + cidr);
                } else if (c != null) {
                    except.add(c);
                }
            }
            return cidr == null ? null : new Peer.Cidrs(cidr, except);
        }
        if (!n.has("podSelector") && !n.has("namespaceSelector")) {
            f.error(path, "a peer needs podSelector, namespaceSelector or ipBlock");
            return null;
        }
        LabelSelector pods = f.selector(n.get("podSelector"), path + ".podSelector");
        if (pods == null) {
            return null;
        }
        if (!n.has("namespaceSelector")) {
            return new Peer.Endpoints(pods.and(Labels.NAMESPACE, namespace));
        }
        LabelSelector ns = f.selector(n.get("namespaceSelector"), path + ".namespaceSelector");
        if (ns == null) {
            return null;
        }
        // Pods of the selected namespaces: the namespace's labels live in the pod's label set,
        // and only pods (which all carry a namespace) match.
        LabelSelector nsOnPods = ns.prefixed(Labels.NAMESPACE_LABEL_PREFIX);
        List<LabelSelector.Requirement> reqs = new ArrayList<>(nsOnPods.matchExpressions());
        reqs.addAll(pods.matchExpressions());
        reqs.add(new LabelSelector.Requirement(Labels.NAMESPACE, LabelSelector.Operator.EXISTS, Set.of()));
        java.util.Map<String, String> labels = new java.util.TreeMap<>(nsOnPods.matchLabels());
        labels.putAll(pods.matchLabels());
        return new Peer.Endpoints(new LabelSelector(labels, reqs));
    }

    private static PortRule port(JsonNode n, String path, Fields f) {
        f.onlyKnown(n, path, Set.of("protocol", "port", "endPort"));
        String protoText = f.text(n, "protocol", path);
        Protocol proto = switch (protoText == null ? "TCP" : protoText) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            case "SCTP" -> Protocol.SCTP;
            default -> null;
        };
        if (proto == null) {
            f.error(path + ".protocol", "'" + protoText + "' is not TCP, UDP or SCTP");
            return null;
        }
        JsonNode port = n.get("port");
        if (port == null || port.isNull()) {
            if (n.has("endPort")) {
                f.error(path + ".endPort", "needs port");
                return null;
            }
            return PortRule.range(proto, 0, 0);
        }
        if (port.isTextual() && !port.asText().chars().allMatch(Character::isDigit)) {
            if (n.has("endPort")) {
                f.error(path + ".endPort", "cannot be used with a named port");
                return null;
            }
            return PortRule.named(proto, port.asText());
        }
        int p = port.asInt(-1);
        if (p < 1 || p > 65535) {
            f.error(path + ".port", "'" + port.asText() + "' is not a port number 1-65535 or a port name");
            return null;
        }
        int end = p;
        if (n.has("endPort")) {
            end = n.get("endPort").asInt(-1);
            if (end < p || end > 65535) {
                f.error(path + ".endPort", "'" + n.get("endPort").asText() + "' must be a port number from port (" + p + ") to 65535");
                return null;
            }
        }
        return PortRule.range(proto, p, end);
    }
}
