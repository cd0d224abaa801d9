package io.gannet.netpolicy.compile;

import io.gannet.netpolicy.identity.ReservedIdentity;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Endpoint;
import io.gannet.netpolicy.model.Peer;
import io.gannet.netpolicy.model.Policy;
import io.gannet.netpolicy.model.PortRule;
import io.gannet.netpolicy.model.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compiles the policies that select one endpoint into its {@link EndpointPolicy}: a pure
 * function of the endpoint (for its named ports), those policies and the identities known.
 *
 * <p>Peers become identities: an endpoint selector, every endpoint identity it matches; a CIDR
 * with excepts, the identities of every policy CIDR inside it and outside every except (the
 * longest-prefix map sends an address to the most specific of them); entities, the reserved
 * identities ({@code world} also takes every CIDR identity, {@code cluster} every endpoint
 * identity, {@code all} is the wildcard). As in Cilium, a CIDR rule does not select pods: a pod's
 * own address maps to the pod's identity. A rule with no peers is from anywhere; with no ports,
 * to every port. The same key from an allow and a deny rule is a deny. An endpoint in default
 * deny still admits its own node (identity host) unless a deny rule names the host.
 */
public final class PolicyCompiler {
    /** The attribution of the implicit allow for traffic from the node itself. */
    public static final RuleRef HOST_ALLOWED = new RuleRef("reserved:host", "traffic from this node (kubelet probes) is allowed by default");

    private PolicyCompiler() {}

    /**
     * The endpoint's policy in one direction: for ingress the keys name source identities and the
     * endpoint's own ports (its named ports resolved); for egress destination identities and the
     * destination's ports. Only ingress gets the implicit allow of the node itself.
     */
    public static EndpointPolicy compile(Endpoint endpoint, List<Policy> policies, IdentityView view, Rule.Direction direction) {
        boolean enforced = false;
        Map<PolicyKey, Entry> entries = new HashMap<>();
        List<String> selectedBy = new ArrayList<>();
        for (Policy p : policies) {
            if (!p.selects(direction)) {
                continue;
            }
            enforced = true;
            selectedBy.add(p.key());
            for (Rule r : p.rules()) {
                if (r.direction() != direction) {
                    continue;
                }
                RuleRef ref = new RuleRef(p.key(), r.source());
                boolean deny = r.action() == Rule.Action.DENY;
                TreeSet<Integer> ids = identities(r.peers(), view);
                // a named port is the endpoint's own on ingress, the destination's on egress
                boolean perPeer = direction == Rule.Direction.EGRESS && r.ports().stream().anyMatch(PortRule::isNamed);
                List<int[]> ports = perPeer ? List.of() : ports(r.ports(), name -> {
                    Endpoint.NamedPort np = endpoint.namedPorts().get(name);
                    return np == null ? List.of() : List.of(np);
                });
                for (int id : ids) {
                    for (int[] port : perPeer ? ports(r.ports(), name -> view.namedPorts(id, name)) : ports) {
                        PolicyKey key = new PolicyKey(id, port[0], port[1], port[2]);
                        Entry old = entries.get(key);
                        if (old == null || (deny && !old.deny())) {
                            entries.put(key, new Entry(deny, ref));
                        }
                    }
                }
            }
        }
        if (!enforced) {
            return EndpointPolicy.OPEN;
        }
        if (direction == Rule.Direction.EGRESS) {
            return new EndpointPolicy(true, entries, selectedBy);
        }
        // The node itself (kubelet probes) stays allowed unless a deny rule names it.
        entries.putIfAbsent(new PolicyKey(ReservedIdentity.HOST.id(), 0, 0, 0), new Entry(false, HOST_ALLOWED));
        return new EndpointPolicy(true, entries, selectedBy);
    }

    /** The source identities a rule's peers stand for; {0} (any) when it names none. */
    static TreeSet<Integer> identities(List<Peer> peers, IdentityView view) {
        TreeSet<Integer> ids = new TreeSet<>();
        if (peers.isEmpty()) {
            ids.add(ReservedIdentity.ANY);
            return ids;
        }
        for (Peer peer : peers) {
            switch (peer) {
                case Peer.Endpoints e -> ids.addAll(view.matching(e.selector()));
                case Peer.Cidrs c -> {
                    for (Map.Entry<Cidr, Integer> id : view.cidrIdentities().entrySet()) {
                        if (c.cidr().contains(id.getKey()) && c.except().stream().noneMatch(x -> x.contains(id.getKey()))) {
                            ids.add(id.getValue());
                        }
                    }
                }
                case Peer.Entity en -> {
                    switch (en.entity()) {
                        case ALL -> ids.add(ReservedIdentity.ANY);
                        case HOST -> ids.add(ReservedIdentity.HOST.id());
                        case REMOTE_NODE -> ids.add(ReservedIdentity.REMOTE_NODE.id());
                        case WORLD -> {
                            ids.add(ReservedIdentity.WORLD.id());
                            ids.addAll(view.cidrIdentities().values());
                        }
                        case CLUSTER -> {
                            ids.add(ReservedIdentity.HOST.id());
                            ids.add(ReservedIdentity.REMOTE_NODE.id());
                            ids.add(ReservedIdentity.CLUSTER.id());
                            ids.addAll(view.endpointIdentities().keySet());
                        }
                    }
                }
            }
        }
        return ids;
    }

    /**
     * {protocol, port, prefix bits} triples; {@code named} says what a port name stands for (none:
     * the name contributes nothing).
     */
    static List<int[]> ports(List<PortRule> rules, java.util.function.Function<String, java.util.Collection<Endpoint.NamedPort>> named) {
        List<int[]> out = new ArrayList<>();
        if (rules.isEmpty()) {
            out.add(new int[] {0, 0, 0});
            return out;
        }
        for (PortRule r : rules) {
            if (r.isNamed()) {
                for (Endpoint.NamedPort np : named.apply(r.name())) {
                    if (r.protocol().number() == 0 || r.protocol() == np.protocol()) {
                        out.add(new int[] {np.protocol().number(), np.port(), 16});
                    }
                }
                continue;
            }
            int proto = r.protocol().number();
            if (r.allPorts()) {
                out.add(new int[] {proto, 0, 0});
                continue;
            }
            int hi = Math.max(r.port(), r.endPort());
            PolicyKey.coverRange(r.port(), hi, (port, bits) -> {
                out.add(new int[] {proto, port, bits});
                return 0;
            });
        }
        return out;
    }
}
