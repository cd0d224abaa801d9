package io.gannet.netpolicy.compile;

import io.gannet.netpolicy.identity.IdentityAllocator;
import io.gannet.netpolicy.identity.ReservedIdentity;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Endpoint;
import io.gannet.netpolicy.model.Labels;
import io.gannet.netpolicy.model.Peer;
import io.gannet.netpolicy.model.Policy;
import io.gannet.netpolicy.model.Rule;
import io.gannet.netpolicy.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The desired policy state of one host, kept incrementally: every policy and every endpoint of
 * the cluster (pods anywhere, external endpoints), the identities they resolve to, and the
 * compiled {@link EndpointPolicy} of each endpoint on this host.
 *
 * <p>A change recomputes only what it can affect and returns those endpoints: a policy change,
 * the local endpoints its old or new version selects; an endpoint whose label set (identity)
 * changes, the local endpoints whose policies name a peer that matches its old or new labels,
 * and the endpoint itself; a new or dropped policy CIDR, the endpoints whose policies name CIDRs
 * or the world. The datapath's reconciler writes the returned endpoints' entries.
 *
 * <p>Threads: not thread-safe; owned by the policy reconciler's thread.
 */
public final class PolicyEngine implements IdentityView {
    private final IdentityAllocator allocator;
    private final Map<String, Policy> policies = new LinkedHashMap<>();
    private final Map<String, Endpoint> endpoints = new HashMap<>();
    private final Map<String, Integer> endpointIdentity = new HashMap<>();
    private final LabelIndex identities = new LabelIndex();
    private final Map<Integer, Integer> identityUsers = new HashMap<>();
    private final Map<Integer, Set<String>> members = new HashMap<>(); // identity -> endpoint ids
    private final Map<Cidr, Integer> cidrIds = new TreeMap<>();
    private final Map<String, EndpointPolicy> compiled = new HashMap<>();
    private final Map<String, EndpointPolicy> compiledEgress = new HashMap<>();
    private final Map<String, Endpoint> local = new HashMap<>();
    private int nextCidrId = ReservedIdentity.FIRST_CIDR;

    public PolicyEngine(IdentityAllocator allocator) {
        this.allocator = allocator;
    }

    // ------------------------------------------------------------------ changes

    /** Adds or replaces a policy; returns the local endpoints whose compiled policy was recomputed. */
    public Set<String> upsertPolicy(Policy policy) {
        Policy old = policies.put(policy.key(), policy);
        return policyChanged(old, policy);
    }

    public Set<String> removePolicy(String key) {
        Policy old = policies.remove(key);
        return old == null ? Set.of() : policyChanged(old, null);
    }

    /** Adds or replaces an endpoint (a label change is an identity change everywhere). */
    public Set<String> upsertEndpoint(Endpoint endpoint) {
        Endpoint old = endpoints.get(endpoint.id());
        boolean relabelled = old == null || !old.labels().equals(endpoint.labels());
        boolean portsChanged = old != null && !old.namedPorts().equals(endpoint.namedPorts());
        // may throw (a store allocator that cannot reach the store): then nothing has changed
        int id = relabelled ? allocator.allocate(endpoint.labels()) : 0;
        endpoints.put(endpoint.id(), endpoint);
        Set<String> affected = new TreeSet<>();
        if (relabelled) {
            Integer oldId = endpointIdentity.get(endpoint.id());
            endpointIdentity.put(endpoint.id(), id);
            identities.add(id, endpoint.labels());
            identityUsers.merge(id, 1, Integer::sum);
            members.computeIfAbsent(id, x -> new java.util.HashSet<>()).add(endpoint.id());
            if (old != null) {
                leave(oldId, endpoint.id());
                dropIdentityUse(oldId, old.labels());
            }
            affected.addAll(namingPeers(old == null ? null : old.labels(), endpoint.labels()));
        }
        if (portsChanged || (relabelled && !endpoint.namedPorts().isEmpty())) {
            affected.addAll(resolvingNamedPorts(endpoint.labels())); // egress named ports resolve at their destinations
        }
        if (endpoint.local()) {
            local.put(endpoint.id(), endpoint);
            affected.add(endpoint.id());
        } else if (local.remove(endpoint.id()) != null) {
            compiled.remove(endpoint.id());
            compiledEgress.remove(endpoint.id());
        }
        recompute(affected);
        return affected;
    }

    public Set<String> removeEndpoint(String id) {
        Endpoint old = endpoints.remove(id);
        if (old == null) {
            return Set.of();
        }
        int oldId = endpointIdentity.remove(id);
        leave(oldId, id);
        compiled.remove(id);
        compiledEgress.remove(id);
        local.remove(id);
        dropIdentityUse(oldId, old.labels());
        Set<String> affected = new TreeSet<>(namingPeers(old.labels(), null));
        if (!old.namedPorts().isEmpty()) {
            affected.addAll(resolvingNamedPorts(old.labels()));
        }
        affected.remove(id);
        recompute(affected);
        return affected;
    }

    // ------------------------------------------------------------------ queries

    /** The compiled ingress policy of a local endpoint (open when no policy selects it). */
    public EndpointPolicy policyOf(String endpointId) {
        return compiled.getOrDefault(endpointId, EndpointPolicy.OPEN);
    }

    /** The compiled egress policy of a local endpoint (open when no policy selects it for egress). */
    public EndpointPolicy egressPolicyOf(String endpointId) {
        return compiledEgress.getOrDefault(endpointId, EndpointPolicy.OPEN);
    }

    @Override
    public Set<Endpoint.NamedPort> namedPorts(int identity, String name) {
        Set<Endpoint.NamedPort> out = new java.util.HashSet<>();
        java.util.Collection<String> ids = identity == ReservedIdentity.ANY ? endpoints.keySet()
                : members.getOrDefault(identity, Set.of());
        for (String id : ids) {
            Endpoint.NamedPort np = endpoints.get(id).namedPorts().get(name);
            if (np != null) {
                out.add(np);
            }
        }
        return out;
    }

    public Integer identityOf(String endpointId) {
        return endpointIdentity.get(endpointId);
    }

    public Map<String, Endpoint> endpoints() {
        return Collections.unmodifiableMap(endpoints);
    }

    public Map<String, Policy> policies() {
        return Collections.unmodifiableMap(policies);
    }

    /** The address -> identity entries of the datapath's longest-prefix map. */
    public Map<Cidr, Integer> ipCache() {
        Map<Cidr, Integer> out = new TreeMap<>(cidrIds);
        for (Endpoint e : endpoints.values()) {
            int id = endpointIdentity.get(e.id());
            for (Cidr a : e.addresses()) {
                out.put(a, id);
            }
        }
        return out;
    }

    @Override
    public Map<Integer, Labels> endpointIdentities() {
        return Collections.unmodifiableMap(identities.all());
    }

    @Override
    public java.util.Collection<Integer> matching(LabelSelector selector) {
        return identities.matching(selector);
    }

    @Override
    public Map<Cidr, Integer> cidrIdentities() {
        return Collections.unmodifiableMap(cidrIds);
    }

    /** The policies whose subject selects {@code endpoint}. */
    public List<Policy> selecting(Endpoint endpoint) {
        List<Policy> out = new ArrayList<>();
        for (Policy p : policies.values()) {
            if (p.subject().matches(endpoint.labels())) {
                out.add(p);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ internals

    private Set<String> policyChanged(Policy old, Policy now) {
        Set<String> affected = new TreeSet<>();
        for (Policy p : new Policy[] {old, now}) {
            if (p != null) {
                affected.addAll(localSelectedBy(p.subject()));
            }
        }
        if (syncCidrs()) {
            // A new or dropped CIDR identity changes what every CIDR and world peer stands for.
            for (Policy p : policies.values()) {
                if (namesPeer(p, peer -> peer instanceof Peer.Cidrs
                        || (peer instanceof Peer.Entity e && e.entity() == ReservedIdentity.Entity.WORLD))) {
                    affected.addAll(localSelectedBy(p.subject()));
                }
            }
        }
        recompute(affected);
        return affected;
    }

    /** Local endpoints selected by a policy that names a peer matching either label set. */
    private Set<String> namingPeers(Labels before, Labels after) {
        Set<String> out = new TreeSet<>();
        for (Policy p : policies.values()) {
            boolean names = namesPeer(p, peer -> switch (peer) {
                case Peer.Endpoints e -> (before != null && e.selector().matches(before)) || (after != null && e.selector().matches(after));
                case Peer.Entity e -> e.entity() == ReservedIdentity.Entity.CLUSTER;
                case Peer.Cidrs c -> false;
            });
            if (names) {
                out.addAll(localSelectedBy(p.subject()));
            }
        }
        return out;
    }

    /**
     * Local endpoints selected by a policy with an egress rule whose named ports an endpoint of
     * these labels resolves (the rule's peers match it, or it names none, or all of the cluster).
     */
    private Set<String> resolvingNamedPorts(Labels labels) {
        Set<String> out = new TreeSet<>();
        for (Policy p : policies.values()) {
            for (Rule r : p.rules()) {
                if (r.direction() == Rule.Direction.EGRESS && r.ports().stream().anyMatch(io.gannet.netpolicy.model.PortRule::isNamed)
                        && (r.peers().isEmpty() || r.peers().stream().anyMatch(peer -> switch (peer) {
                            case Peer.Endpoints e -> e.selector().matches(labels);
                            case Peer.Entity e -> e.entity() == ReservedIdentity.Entity.ALL || e.entity() == ReservedIdentity.Entity.CLUSTER;
                            case Peer.Cidrs c -> false;
                        }))) {
                    out.addAll(localSelectedBy(p.subject()));
                    break;
                }
            }
        }
        return out;
    }

    private static boolean namesPeer(Policy p, Predicate<Peer> test) {
        for (Rule r : p.rules()) {
            for (Peer peer : r.peers()) {
                if (test.test(peer)) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<String> localSelectedBy(LabelSelector subject) {
        List<String> out = new ArrayList<>();
        for (Endpoint e : local.values()) {
            if (subject.matches(e.labels())) {
                out.add(e.id());
            }
        }
        return out;
    }

    private void recompute(Set<String> ids) {
        for (String id : ids) {
            Endpoint e = endpoints.get(id);
            if (e != null && e.local()) {
                List<Policy> selecting = selecting(e);
                compiled.put(id, PolicyCompiler.compile(e, selecting, this, Rule.Direction.INGRESS));
                compiledEgress.put(id, PolicyCompiler.compile(e, selecting, this, Rule.Direction.EGRESS));
            }
        }
    }

    private void leave(int identity, String endpointId) {
        Set<String> m = members.get(identity);
        if (m != null && m.remove(endpointId) && m.isEmpty()) {
            members.remove(identity);
        }
    }

    private void dropIdentityUse(int id, Labels labels) {
        allocator.release(labels);
        if (identityUsers.merge(id, -1, Integer::sum) <= 0) {
            identityUsers.remove(id);
            identities.remove(id);
        }
    }

    /** Gives every CIDR the policies name an identity and drops unused ones; true if the set changed. */
    private boolean syncCidrs() {
        Set<Cidr> wanted = new TreeSet<>();
        for (Policy p : policies.values()) {
            for (Rule r : p.rules()) {
                for (Peer peer : r.peers()) {
                    if (peer instanceof Peer.Cidrs c) {
                        wanted.add(c.cidr());
                        wanted.addAll(c.except());
                    }
                }
            }
        }
        boolean changed = cidrIds.keySet().retainAll(wanted);
        for (Cidr c : wanted) {
            if (!cidrIds.containsKey(c)) {
                cidrIds.put(c, nextCidrId++);
                changed = true;
            }
        }
        return changed;
    }
}
