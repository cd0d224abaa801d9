package io.gannet.netpolicy.enforce;

import io.gannet.bpf.maps.DropEvent;
import io.gannet.bpf.maps.DropEvent6;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.maps.IpcacheKey6;
import io.gannet.bpf.maps.PolicyMapKey;
import io.gannet.bpf.maps.PolicyMapValue;
import io.gannet.bpf.policy.IngressEntry;
import io.gannet.bpf.policy.PolicyFeature;
import io.gannet.bpf.policy.PolicyReason;
import io.gannet.netpolicy.compile.Entry;
import io.gannet.netpolicy.compile.EndpointPolicy;
import io.gannet.netpolicy.compile.PolicyEngine;
import io.gannet.netpolicy.compile.PolicyKey;
import io.gannet.netpolicy.compile.RuleRef;
import io.gannet.netpolicy.external.ExternalEndpoint;
import io.gannet.netpolicy.pods.PublishedPod;
import io.gannet.netpolicy.pods.PublishedPods;
import io.gannet.netpolicy.identity.IdentityAllocator;
import io.gannet.netpolicy.identity.LocalIdentityAllocator;
import io.gannet.netpolicy.identity.ReservedIdentity;
import io.gannet.netpolicy.model.Cidr;
import io.gannet.netpolicy.model.Endpoint;
import io.gannet.netpolicy.model.Labels;
import io.gannet.netpolicy.model.Policy;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Ingress and egress policy, IPv4 and IPv6, for the pods of this node, end to end: policies and pod labels from the
 * {@link PolicyDirectory}, pods from the CNI backend ({@link #podAdded}), compiled by the
 * incremental {@link PolicyEngine} and written through the datapath's {@link PolicyFeature}.
 * Each change writes only the endpoints it affects, and of those only the entries that differ.
 *
 * <p>Pods are endpoints named "namespace/name" with the labels of their Pod object (if the
 * directory has one), their namespace, and their Namespace object's labels (Cilium's
 * convention, see {@link Labels#ofPod}); every address of a pod (a dual-stack pod's IPv4 and
 * IPv6 one) maps to its identity. The node's own addresses (IPv4 and global IPv6) map to identity
 * host; an address nothing maps is world. IPv4 prefixes go to dp_ipcache4, IPv6 ones to
 * dp_ipcache6; the entries, keyed by identity, serve both.
 *
 * <p>Drops are drained from the datapath's queue by {@link #pollDrops} into a bounded history
 * with sequence numbers, in user terms (pods by name, identities by labels, rules by policy).
 *
 * <p>Threads: every public method is synchronized on this object.
 */
public final class PolicyEnforcer {
    /** Drop events kept for {@code gannet monitor --drops}. */
    public static final int DROP_HISTORY = 4096;
    /** Engine ids of external endpoints: "external:namespace/name". */
    public static final String EXTERNAL = "external:";
    /** Endpoint ids of other nodes' pods: "pod@NODE/namespace/name". */
    public static final String REMOTE = "pod@";

    private final PolicyFeature feature;
    private final PolicyEngine engine;
    private final BiConsumer<String, String> log;
    private final Map<String, Pod> pods = new LinkedHashMap<>();
    private final Map<Integer, String> podByIfindex = new HashMap<>();
    private final Map<RuleRef, Integer> ruleIds = new HashMap<>();
    private final List<RuleRef> rules = new ArrayList<>(List.of(new RuleRef("-", "-")));
    private final Set<String> logged = new HashSet<>();
    private final Deque<Drop> drops = new ArrayDeque<>();
    private long dropSeq;
    private List<Cidr> hostAddresses = List.of();
    private List<Cidr> remoteNodes = List.of();
    private final Map<String, ExternalEndpoint> externals = new LinkedHashMap<>();
    private final Map<String, PublishedPod> remotePods = new LinkedHashMap<>(); // store key -> pod of another node
    private List<String> remotePodProblems = List.of();
    private List<String> externalProblems = List.of();
    private PolicyDirectory.Result directory = new PolicyDirectory.Result(List.of(), Map.of(), Map.of(), List.of());

    /** A pod this node wired, with its addresses (the first as the CNI plugin attached it: IPv4 on a dual-stack node). */
    public record Pod(String namespace, String name, List<String> addresses, int ifindex) {
        public Pod {
            addresses = List.copyOf(addresses);
        }

        public String key() {
            return namespace + "/" + name;
        }

        /** The first address. */
        public String address() {
            return addresses.get(0);
        }

        List<Cidr> cidrs() {
            return addresses.stream().map(Cidr::parse).toList();
        }
    }

    /** A dropped packet in user terms. */
    /** A dropped packet in user terms; {@code identity} is the peer's (the source on ingress, the destination on egress). */
    public record Drop(long seq, long atMillis, String source, int sourcePort, String identity, String destination,
            int destinationPort, String endpoint, String protocol, String reason, String rule, String direction) {}

    /**
     * @param log (subject, message) lines for the operator: refused files, unsupported fields,
     *            endpoints whose policy changed
     */
    public PolicyEnforcer(PolicyFeature feature, BiConsumer<String, String> log) {
        this(feature, new LocalIdentityAllocator(), log);
    }

    /**
     * @param identities where label sets get their numbers: the cluster store in a daemon
     *                   ({@code StoreIdentityAllocator}, the same number on every host)
     */
    public PolicyEnforcer(PolicyFeature feature, IdentityAllocator identities, BiConsumer<String, String> log) {
        this.feature = feature;
        this.engine = new PolicyEngine(identities);
        this.log = log;
    }

    /**
     * The external endpoints the cluster store holds now (all of them; {@code problems}: store
     * values that do not read). Each is an endpoint of no node, named "external:namespace/name";
     * its prefixes map to its identity in the ipcache, and a label change moves it to another
     * identity (the policies naming either label set are recomputed).
     */
    public synchronized void externalEndpointsChanged(Collection<ExternalEndpoint> now, List<String> problems) {
        for (String p : problems) {
            if (logged.add("ext\u0000" + p)) {
                log.accept("external endpoints", p);
            }
        }
        externalProblems = List.copyOf(problems);
        Map<String, ExternalEndpoint> next = new LinkedHashMap<>();
        now.forEach(e -> next.put(EXTERNAL + e.key(), e));
        Set<String> affected = new TreeSet<>();
        // Applied one by one, each recorded as it lands: if an identity cannot be allocated (the
        // store out of reach), what was applied is written and a retry continues from there.
        try {
            for (String id : new ArrayList<>(externals.keySet())) {
                if (!next.containsKey(id)) {
                    affected.addAll(engine.removeEndpoint(id));
                    externals.remove(id);
                    log.accept("external endpoints", id + " removed");
                }
            }
            for (Map.Entry<String, ExternalEndpoint> e : next.entrySet()) {
                ExternalEndpoint old = externals.get(e.getKey());
                if (!e.getValue().sameAs(old)) {
                    ExternalEndpoint x = e.getValue();
                    affected.addAll(engine.upsertEndpoint(new Endpoint(e.getKey(), x.labelSet(), x.cidrs(), Map.of(), false)));
                    log.accept("external endpoints", e.getKey() + " " + x.cidrs() + " identity " + engine.identityOf(e.getKey())
                            + " (" + x.labelSet() + ")" + (old == null ? " added" : " changed"));
                }
                externals.put(e.getKey(), e.getValue());
            }
        } finally {
            write(affected);
        }
    }

    /**
     * Pods of other nodes changed in the cluster store ({@link PublishedPods#watch}). Each is an
     * endpoint of no node here, with the labels this node's directory gives its namespace and
     * name (as for its own pods), so its address maps to the same identity on every host and a
     * policy's {@code fromEndpoints}/{@code podSelector} admits it by its labels.
     */
    public synchronized void remotePodsChanged(PublishedPods.Change change) {
        for (String p : change.problems()) {
            if (logged.add("pod\u0000" + p)) {
                log.accept("pods", p);
            }
        }
        if (change.resync() || !change.problems().isEmpty()) {
            remotePodProblems = List.copyOf(change.problems());
        }
        Set<String> affected = new TreeSet<>();
        try {
            List<String> gone = new ArrayList<>(change.removed());
            if (change.resync()) {
                Set<String> now = new HashSet<>();
                change.upserts().forEach(p -> now.add(p.storeKey()));
                remotePods.keySet().stream().filter(k -> !now.contains(k)).forEach(gone::add);
            }
            for (String key : gone) {
                if (remotePods.remove(key) != null) {
                    affected.addAll(engine.removeEndpoint(remoteId(key)));
                }
            }
            for (PublishedPod p : change.upserts()) {
                if (!p.equals(remotePods.get(p.storeKey()))) {
                    affected.addAll(engine.upsertEndpoint(remoteEndpoint(p)));
                    remotePods.put(p.storeKey(), p);
                }
            }
        } finally {
            write(affected);
        }
    }

    private static String remoteId(String storeKey) {
        return REMOTE + storeKey.substring(PublishedPod.PREFIX.length());
    }

    private Endpoint remoteEndpoint(PublishedPod p) {
        Map<String, String> labels = directory.podLabels().getOrDefault(p.key(), Map.of());
        Map<String, String> ns = directory.namespaceLabels().getOrDefault(p.namespace(), Map.of());
        return new Endpoint(remoteId(p.storeKey()), Labels.ofPod(p.namespace(), labels, ns), p.addresses().stream().map(Cidr::parse).toList(),
                directory.podNamedPorts().getOrDefault(p.key(), Map.of()), false);
    }

    /**
     * The node's own addresses (identity host): IPv4 and IPv6 but loopback and IPv6 link-local
     * (every pod veth has one; the node reaches pods from its global addresses).
     */
    public synchronized void hostAddresses(Collection<InetAddress> addresses) {
        List<Cidr> next = hostPrefixes(addresses);
        next.removeIf(c -> pods.values().stream().anyMatch(p -> p.cidrs().contains(c)));
        if (!next.equals(hostAddresses)) {
            hostAddresses = List.copyOf(next);
            syncIpcache();
        }
    }

    /**
     * The other hosts of the fabric (the profile's inventory): their addresses get the reserved
     * identity remote-node, which {@code fromEntities}/{@code toEntities} {@code remote-node} and
     * {@code cluster} name. This node's own addresses stay host; a pod, external endpoint or
     * policy CIDR of the same /32 keeps its own identity.
     */
    public synchronized void remoteNodes(Collection<InetAddress> addresses) {
        List<Cidr> next = hostPrefixes(addresses);
        if (!next.equals(remoteNodes)) {
            remoteNodes = List.copyOf(next);
            syncIpcache();
        }
    }

    private static List<Cidr> hostPrefixes(Collection<InetAddress> addresses) {
        List<Cidr> out = new ArrayList<>();
        for (InetAddress a : addresses) {
            if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
                continue;
            }
            if (a instanceof Inet4Address || a instanceof Inet6Address) {
                Cidr c = new Cidr(a.getAddress(), a.getAddress().length * 8);
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** A new state of the policy directory: policies, pod labels and namespace labels. */
    public synchronized void directoryChanged(PolicyDirectory.Result r) {
        this.directory = r;
        for (PolicyDirectory.FileReport f : r.problems()) {
            for (String e : f.errors()) {
                if (logged.add("err\u0000" + e)) {
                    log.accept("policy", e + " -- " + f.summary());
                }
            }
        }
        Set<String> affected = new TreeSet<>();
        Map<String, Policy> wanted = new LinkedHashMap<>();
        for (Policy p : r.policies()) {
            wanted.put(p.key(), p);
            for (String u : p.unsupported()) {
                if (logged.add("uns\u0000" + p.key() + u)) {
                    log.accept("policy", p.key() + " (" + p.origin() + "): not enforced: " + u);
                }
            }
        }
        for (String key : new ArrayList<>(engine.policies().keySet())) {
            if (!wanted.containsKey(key)) {
                affected.addAll(engine.removePolicy(key));
            }
        }
        for (Policy p : wanted.values()) {
            if (!p.equals(engine.policies().get(p.key()))) {
                affected.addAll(engine.upsertPolicy(p));
            }
        }
        for (Pod pod : pods.values()) {
            Endpoint e = endpoint(pod);
            if (!e.equals(engine.endpoints().get(pod.key()))) { // labels or named ports
                affected.addAll(engine.upsertEndpoint(e));
            }
        }
        for (PublishedPod p : remotePods.values()) {
            Endpoint e = remoteEndpoint(p);
            if (!e.equals(engine.endpoints().get(e.id()))) {
                affected.addAll(engine.upsertEndpoint(e));
            }
        }
        write(affected);
    }

    /**
     * A pod wired by the CNI plugin, before its programs are attached: its policy is written
     * first, so it is enforced from its first packet.
     */
    public synchronized void podAdded(String namespace, String name, String address, int ifindex) {
        podAdded(namespace, name, List.of(address), ifindex);
    }

    /** {@link #podAdded(String, String, String, int)} with every address of the pod (a dual-stack pod's two). */
    public synchronized void podAdded(String namespace, String name, List<String> addresses, int ifindex) {
        Pod old = pods.get(namespace + "/" + name);
        if (old != null && old.ifindex() != ifindex) {
            feature.remove(old.ifindex());
            podByIfindex.remove(old.ifindex());
        }
        Pod pod = new Pod(namespace, name, addresses, ifindex);
        pods.put(pod.key(), pod);
        podByIfindex.put(ifindex, pod.key());
        hostAddresses = hostAddresses.stream().filter(c -> !pod.cidrs().contains(c)).toList();
        Set<String> affected = new TreeSet<>(engine.upsertEndpoint(endpoint(pod)));
        affected.add(pod.key());
        write(affected);
    }

    /**
     * A dual-stack pod's IPv6 address, given after its IPv4 one (the CNI plugin's attachIpv6): it
     * maps to the pod's identity from now on. Unknown ifindex or an address the pod has: nothing.
     */
    public synchronized void podAddressAdded(int ifindex, String address) {
        String key = podByIfindex.get(ifindex);
        Pod pod = key == null ? null : pods.get(key);
        if (pod == null || pod.addresses().contains(address)) {
            return;
        }
        List<String> all = new ArrayList<>(pod.addresses());
        all.add(address);
        podAdded(pod.namespace(), pod.name(), all, ifindex);
    }

    /** A pod deleted (CNI DEL): its entries go, and policies naming its identity are recomputed. */
    public synchronized void podRemoved(int ifindex) {
        String key = podByIfindex.remove(ifindex);
        if (key == null) {
            return;
        }
        pods.remove(key);
        feature.remove(ifindex);
        write(new TreeSet<>(engine.removeEndpoint(key)));
    }

    private Endpoint endpoint(Pod pod) {
        Map<String, String> labels = directory.podLabels().getOrDefault(pod.key(), Map.of());
        Map<String, String> ns = directory.namespaceLabels().getOrDefault(pod.namespace(), Map.of());
        return new Endpoint(pod.key(), Labels.ofPod(pod.namespace(), labels, ns), pod.cidrs(),
                directory.podNamedPorts().getOrDefault(pod.key(), Map.of()), true);
    }

    private void write(Set<String> endpoints) {
        for (String id : endpoints) {
            Pod pod = pods.get(id);
            if (pod == null) {
                continue;
            }
            EndpointPolicy ep = engine.policyOf(id);
            PolicyFeature.Applied a = feature.apply(pod.ifindex(), ep.enforced(), datapathEntries(ep));
            if (a.written() + a.deleted() > 0) {
                log.accept("policy", id + ": ingress " + (ep.enforced() ? "enforced by " + ep.selectedBy() : "open: no policy selects it")
                        + " (" + a.written() + " entries written, " + a.deleted() + " deleted)");
            }
            EndpointPolicy eg = engine.egressPolicyOf(id);
            PolicyFeature.Applied b = feature.applyEgress(pod.ifindex(), eg.enforced(), datapathEntries(eg));
            if (b.written() + b.deleted() > 0) {
                log.accept("policy", id + ": egress " + (eg.enforced() ? "enforced by " + eg.selectedBy() : "open: no policy selects it")
                        + " (" + b.written() + " entries written, " + b.deleted() + " deleted)");
            }
        }
        syncIpcache();
    }

    private List<IngressEntry> datapathEntries(EndpointPolicy ep) {
        List<IngressEntry> entries = new ArrayList<>(ep.entries().size());
        for (Map.Entry<PolicyKey, Entry> e : ep.entries().entrySet()) {
            PolicyKey k = e.getKey();
            entries.add(new IngressEntry(k.identity(), k.protocol(), k.port(), k.portPrefixBits(), e.getValue().deny(),
                    ruleId(e.getValue().rule())));
        }
        return entries;
    }

    private int ruleId(RuleRef r) {
        if (r == null) {
            return 0;
        }
        Integer id = ruleIds.get(r);
        if (id == null) {
            id = rules.size();
            rules.add(r);
            ruleIds.put(r, id);
        }
        return id;
    }

    private void syncIpcache() {
        Map<IpcacheKey, Integer> want = new HashMap<>();
        Map<IpcacheKey6, Integer> want6 = new HashMap<>();
        for (Map.Entry<Cidr, Integer> e : engine.ipCache().entrySet()) {
            put(want, want6, e.getKey(), e.getValue(), true);
        }
        for (Cidr c : hostAddresses) {
            put(want, want6, c, ReservedIdentity.HOST.id(), false);
        }
        for (Cidr c : remoteNodes) {
            put(want, want6, c, ReservedIdentity.REMOTE_NODE.id(), false);
        }
        feature.applyIpcache(want);
        feature.applyIpcache6(want6);
    }

    /** An ipcache entry into its family's map; {@code replace} false keeps an identity already there. */
    private static void put(Map<IpcacheKey, Integer> v4, Map<IpcacheKey6, Integer> v6, Cidr c, int identity, boolean replace) {
        if (c.isIpv4()) {
            if (replace) {
                v4.put(key(c), identity);
            } else {
                v4.putIfAbsent(key(c), identity);
            }
        } else if (replace) {
            v6.put(IpcacheKey6.of(c.address(), c.prefixLength()), identity);
        } else {
            v6.putIfAbsent(IpcacheKey6.of(c.address(), c.prefixLength()), identity);
        }
    }

    private static IpcacheKey key(Cidr c) {
        byte[] a = c.address();
        int addr = ((a[0] & 0xff) << 24) | ((a[1] & 0xff) << 16) | ((a[2] & 0xff) << 8) | (a[3] & 0xff);
        return new IpcacheKey(c.prefixLength(), addr);
    }

    /** The identity this host's datapath gives each external endpoint ("namespace/name"), as applied. */
    public synchronized Map<String, Integer> externalIdentities() {
        Map<String, Integer> out = new LinkedHashMap<>();
        externals.forEach((id, e) -> out.put(e.key(), engine.identityOf(id)));
        return out;
    }

    // ------------------------------------------------------------------ drops

    /** Moves the datapath's queued drop events into the history; returns how many. */
    public synchronized int pollDrops() {
        List<DropEvent> events = feature.drainDrops(DROP_HISTORY);
        long now = System.currentTimeMillis();
        for (DropEvent e : events) {
            addDrop(now, ip(e.saddr()), e.sport(), e.identity(), ip(e.daddr()), e.dport(), e.epId(), e.protocol(), e.reason(),
                    e.ruleId(), e.egress());
        }
        List<DropEvent6> events6 = feature.drainDrops6(DROP_HISTORY);
        for (DropEvent6 e : events6) {
            addDrop(now, ip(e.saddr()), e.sport(), e.identity(), ip(e.daddr()), e.dport(), e.epId(), e.protocol(), e.reason(),
                    e.ruleId(), e.egress());
        }
        return events.size() + events6.size();
    }

    private void addDrop(long now, String source, int sport, int identity, String destination, int dport, int epId, int protocol,
            int reasonCode, int ruleId, boolean egress) {
        String ep = podByIfindex.getOrDefault(epId, "ifindex " + epId);
        PolicyReason reason = PolicyReason.of(reasonCode);
        RuleRef rule = ruleId > 0 && ruleId < rules.size() ? rules.get(ruleId) : null;
        String label = reason == null ? "reason " + reasonCode : reason.label();
        drops.addLast(new Drop(++dropSeq, now, source, sport, describeIdentity(identity), destination, dport, ep, protocol(protocol),
                egress ? "egress_" + label : label, rule == null ? "default deny: no rule allows it" : rule.toString(),
                egress ? "egress" : "ingress"));
        if (drops.size() > DROP_HISTORY) {
            drops.removeFirst();
        }
    }

    /** Drops with a sequence number above {@code after}, oldest first. */
    public synchronized List<Drop> dropsAfter(long after) {
        List<Drop> out = new ArrayList<>();
        for (Drop d : drops) {
            if (d.seq() > after) {
                out.add(d);
            }
        }
        return out;
    }

    /** Datapath outcome counters by reason label (drop_denied, drop_default_deny, ...). */
    /** Ingress outcome counters by reason label. */
    public Map<String, Long> counters() {
        return byLabel(feature.metrics());
    }

    /** Egress outcome counters by reason label. */
    public Map<String, Long> egressCounters() {
        return byLabel(feature.egressMetrics());
    }

    private static Map<String, Long> byLabel(Map<PolicyReason, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((r, n) -> out.put(r.label(), n));
        return out;
    }

    // ------------------------------------------------------------------ show

    /**
     * {@code gannet show policy [ENDPOINT]}: per pod (all, or the one named "namespace/name",
     * "name" or its address) its identity and labels, the policies that select it, and each
     * entry (from whom, protocol, ports, allow/deny, the rule, packets counted); then the
     * policies in force with what they do not enforce, and the files not applied.
     */
    public synchronized Map<String, Object> show(String filter) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> endpoints = new ArrayList<>();
        for (Pod pod : pods.values()) {
            if (filter != null && !filter.isBlank() && !filter.equals(pod.key()) && !filter.equals(pod.name())
                    && !pod.addresses().contains(filter)) {
                continue;
            }
            EndpointPolicy ep = engine.policyOf(pod.key());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("endpoint", pod.key());
            row.put("address", pod.address());
            row.put("addresses", pod.addresses());
            row.put("identity", engine.identityOf(pod.key()));
            Endpoint e = engine.endpoints().get(pod.key());
            row.put("labels", e == null ? "" : e.labels().toString());
            EndpointPolicy eg = engine.egressPolicyOf(pod.key());
            row.put("enforced", ep.enforced());
            row.put("ingress", ep.enforced() ? "default deny; allowed: what the entries allow" : "open: no policy selects it");
            row.put("selectedBy", ep.selectedBy());
            Map<String, Long> packetsByRule = new HashMap<>();
            row.put("entries", entries(ep, "from", feature.entries(pod.ifindex()), packetsByRule));
            row.put("egressEnforced", eg.enforced());
            row.put("egress", eg.enforced() ? "default deny; allowed: what the egress entries allow" : "open: no policy selects it for egress");
            row.put("egressSelectedBy", eg.selectedBy());
            row.put("egressEntries", entries(eg, "to", feature.egressEntries(pod.ifindex()), packetsByRule));
            row.put("packetsByRule", packetsByRule);
            endpoints.add(row);
        }
        out.put("endpoints", endpoints);
        List<Map<String, Object>> policies = new ArrayList<>();
        for (Policy p : engine.policies().values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("policy", p.key());
            r.put("origin", p.origin());
            r.put("selects", p.subject().toString());
            r.put("rules", p.rules().size());
            r.put("unsupported", p.unsupported());
            policies.add(r);
        }
        out.put("policies", policies);
        List<Map<String, Object>> ext = new ArrayList<>();
        for (Map.Entry<String, ExternalEndpoint> e : externals.entrySet()) {
            ExternalEndpoint x = e.getValue();
            if (filter != null && !filter.isBlank() && !filter.equals(x.key()) && !filter.equals(x.name()) && !filter.equals(e.getKey())
                    && x.cidrs().stream().noneMatch(c -> c.toString().equals(filter) || hostText(c).equals(filter))) {
                continue;
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("endpoint", x.key());
            r.put("cidrs", x.cidrs().stream().map(Cidr::toString).toList());
            r.put("identity", engine.identityOf(e.getKey()));
            r.put("labels", x.labelSet().toString());
            r.put("source", x.source());
            ext.add(r);
        }
        out.put("externalEndpoints", ext);
        out.put("remoteNodes", remoteNodes.stream().filter(c -> !hostAddresses.contains(c)).map(PolicyEnforcer::hostText).toList());
        List<Map<String, Object>> remote = new ArrayList<>();
        for (PublishedPod p : remotePods.values()) {
            if (filter == null || filter.isBlank() || !(filter.equals(p.key()) || filter.equals(p.name()) || p.addresses().contains(filter))) {
                continue;
            }
            String id = remoteId(p.storeKey());
            Endpoint e = engine.endpoints().get(id);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("endpoint", p.key());
            r.put("node", p.node());
            r.put("address", p.address());
            r.put("addresses", p.addresses());
            r.put("identity", engine.identityOf(id));
            r.put("labels", e == null ? "" : e.labels().toString());
            remote.add(r);
        }
        out.put("remotePods", remotePods.size());
        out.put("remotePodsMatching", remote);
        out.put("remotePodProblems", remotePodProblems);
        out.put("externalEndpointProblems", externalProblems);
        List<Map<String, Object>> files = new ArrayList<>();
        for (PolicyDirectory.FileReport f : directory.problems()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", f.file());
            r.put("status", f.summary());
            r.put("errors", f.errors());
            files.add(r);
        }
        out.put("filesNotApplied", files);
        out.put("hostTraffic", "traffic from this node (identity host) is allowed into enforced pods unless a deny rule names the host");
        return out;
    }

    private String describeIdentity(int id) {
        if (id == ReservedIdentity.ANY || id < ReservedIdentity.FIRST_ENDPOINT || ReservedIdentity.isCidr(id)) {
            if (ReservedIdentity.isCidr(id)) {
                for (Map.Entry<Cidr, Integer> e : engine.cidrIdentities().entrySet()) {
                    if (e.getValue() == id) {
                        return "cidr " + e.getKey();
                    }
                }
            }
            return ReservedIdentity.describe(id);
        }
        Labels l = engine.endpointIdentities().get(id);
        return id + (l == null ? "" : " (" + l + ")");
    }

    /** One direction's entries in user terms ({@code peer}: "from" or "to"); counts packets per rule. */
    private List<Map<String, Object>> entries(EndpointPolicy ep, String peer, Map<PolicyMapKey, PolicyMapValue> counted,
            Map<String, Long> packetsByRule) {
        counted.values().forEach(v -> packetsByRule.merge(rules.get(Math.min(v.ruleId(), rules.size() - 1)).toString(),
                v.packets(), Long::sum));
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<PolicyKey, Entry> en : ep.entries().entrySet()) {
            PolicyKey k = en.getKey();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("verdict", en.getValue().deny() ? "deny" : "allow");
            r.put(peer, describeIdentity(k.identity()));
            r.put("protocol", k.protocol() == 0 ? "any" : protocol(k.protocol()));
            r.put("ports", ports(k));
            r.put("rule", Objects.toString(en.getValue().rule()));
            entries.add(r);
        }
        entries.sort((a, b) -> (a.get("verdict") + "" + a.get(peer) + a.get("ports")).compareTo(
                b.get("verdict") + "" + b.get(peer) + b.get("ports")));
        return entries;
    }

    private static String ports(PolicyKey k) {
        boolean types = k.protocol() == ICMP || k.protocol() == ICMPV6;
        if (k.portPrefixBits() == 0) {
            return types ? "all types" : "all";
        }
        int hi = k.port() + (1 << (16 - k.portPrefixBits())) - 1;
        String range = hi == k.port() ? Integer.toString(k.port()) : k.port() + "-" + hi;
        return types ? "type " + range : range;
    }

    /** A host prefix as its address (/32 and /128 dropped). */
    private static String hostText(Cidr c) {
        String t = c.toString();
        return c.prefixLength() == c.address().length * 8 ? t.substring(0, t.indexOf('/')) : t;
    }

    /** IP protocol number of ICMP (IPv4): a policy key's port holds the ICMP type. */
    public static final int ICMP = 1;
    /** IP protocol number of ICMPv6: a policy key's port holds the ICMPv6 type (echo request 128). */
    public static final int ICMPV6 = 58;

    public static String protocol(int p) {
        return switch (p) {
            case ICMP -> "ICMP";
            case ICMPV6 -> "ICMPv6";
            case 4 -> "IPIP";
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 47 -> "GRE";
            case 50 -> "ESP";
            case 51 -> "AH";
            case 112 -> "VRRP";
            case 132 -> "SCTP";
            default -> "protocol " + p;
        };
    }

    /** An IPv6 address in its canonical text (RFC 5952: fd00:3::21). */
    private static String ip(byte[] a) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(a);
        return new io.gannet.bpf.lb.Ipv6(b.getLong(), b.getLong()).format();
    }

    private static String ip(int a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a})
                    .getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
