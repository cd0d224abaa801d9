package io.gannet.agent.run;

import io.gannet.agent.control.ControlException;
import io.gannet.agent.logging.EventLog;
import io.gannet.cluster.store.Backoff;
import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.RateLimiter;
import io.gannet.cluster.store.RetryingStore;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.etcd.EtcdStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.pod.ipam.AllocationRequest;
import io.gannet.pod.ipam.Assignment;
import io.gannet.pod.ipam.BlockUsage;
import io.gannet.pod.fixedip.FixedIpRegistry;
import io.gannet.pod.fixedip.FixedIpRoutes;
import io.gannet.pod.ipam.FixedIpClaims;
import io.gannet.pod.ipam.FixedIpKey;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.ipam.IpamException;
import io.gannet.pod.ipam.NodeIpam;
import io.gannet.pod.ipam.PodAddresses;
import io.gannet.pod.podcidr.PodCidrClaim;
import io.gannet.topology.LoadedProfile;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.Role;
import io.gannet.topology.model.PodCidrPool;
import io.gannet.topology.net.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wiring of the node's pod networking into the daemon: the cluster store (file store under the
 * state dir, or etcd with {@code --etcd}), the node's PodCIDR ({@link PodCidrClaim}), the pod
 * IPAM on that block ({@link NodeIpam}), and what the control API shows and accepts for them.
 * The logic lives in cluster-state and pod-routing; this class translates.
 *
 * <p>Threads: start-up and reload on the daemon's thread; control calls on control workers
 * (NodeIpam is thread safe); one scheduler thread retries an unconfirmed PodCIDR with back-off.
 */
final class PodNetwork implements AutoCloseable {
    private final ClusterStore store;
    private final PodCidrClaim claim;
    private final NodeIpam ipam;
    /** A dual-stack node's second family (IPv6 beside IPv4): its claim (null when pinned) and IPAM, or null. */
    private final PodCidrClaim claim6;
    private final NodeIpam ipam6;
    /** Both blocks as the control API's allocate, release, reserve and release-address see them. */
    private final PodAddresses addresses;
    private final EventLog log;
    private final String node;
    private final ScheduledExecutorService retry;
    /** Fixed StatefulSet IPs of the main block's family, and (dual-stack) of IPv6; null without a pool of that family. */
    private final FixedIpRegistry fixedIps;
    private final FixedIpRegistry fixedIps6;
    private final LateRoutes fixedRoutes;
    /** Hosts of the profile this daemon last applied: a reload releases only the blocks of hosts it removed. */
    private volatile Set<String> knownHosts = Set.of();

    /** The speaker starts after the IPAM: fixed-IP routes go nowhere until {@link #attach} (nothing is held before). */
    private static final class LateRoutes implements FixedIpRoutes {
        private volatile FixedIpRoutes target;

        @Override
        public void announce(InetAddress address) {
            FixedIpRoutes t = target;
            if (t == null) {
                throw new IpamException(IpamException.Reason.FIXED_IP_UNAVAILABLE, "the daemon is still starting; retry");
            }
            t.announce(address);
        }

        @Override
        public void withdraw(InetAddress address) {
            FixedIpRoutes t = target;
            if (t != null) {
                t.withdraw(address);
            }
        }
    }

    private PodNetwork(ClusterStore store, PodCidrClaim claim, NodeIpam ipam, PodCidrClaim claim6, NodeIpam ipam6, EventLog log,
                       String node, FixedIpRegistry fixedIps, FixedIpRegistry fixedIps6, LateRoutes fixedRoutes) {
        this.claim6 = claim6;
        this.ipam6 = ipam6;
        this.fixedIps = fixedIps;
        this.fixedIps6 = fixedIps6;
        this.fixedRoutes = fixedRoutes;
        this.store = store;
        this.claim = claim;
        this.ipam = ipam;
        this.addresses = new PodAddresses(ipam6 == null ? List.of(ipam) : List.of(ipam, ipam6));
        this.log = log;
        this.node = node;
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-podcidr-reconcile");
            t.setDaemon(true);
            return t;
        });
        if (claim != null && !claim.confirmed()) {
            scheduleReconcile(claim, 0);
        }
        if (claim6 != null && !claim6.confirmed()) {
            scheduleReconcile(claim6, 0);
        }
    }

    /**
     * Sets up pod networking for a node host, or returns null for an L4LB host or a profile
     * without a PodCIDR pool and without a pinned PodCIDR (nothing to allocate from).
     */
    static PodNetwork start(DaemonOptions o, LoadedProfile profile, NodeConfig n, EventLog log) {
        if (n.role() != Role.NODE) {
            return null;
        }
        // The main family (IPv4 on a dual-stack node) and, beside it, IPv6 when the node has both.
        boolean mainIpv4 = hasBlock(profile, n, true);
        boolean second = mainIpv4 && hasBlock(profile, n, false);
        if (!mainIpv4 && !hasBlock(profile, n, false)) {
            return null;
        }
        ClusterStore store = openStore(o);
        PodCidrClaim claim = null;
        PodCidrClaim claim6 = null;
        NodeIpam ipam6 = null;
        FixedIpRegistry fixed = null;
        FixedIpRegistry fixed6 = null;
        try {
            claim = claim(o, profile, n, mainIpv4, store, log, o.stateDir());
            IpBlock block = claim != null ? claim.block() : IpBlock.parse(n.podCidr(mainIpv4).toString());
            if (second) {
                claim6 = claim(o, profile, n, false, store, log, o.stateDir().resolve("ipv6"));
            }
            // Each block's StatefulSet pods take their fixed IP from the first pool of the block's family.
            LateRoutes routes = new LateRoutes();
            fixed = fixedIps(profile, n, mainIpv4, store, routes);
            if (second) {
                fixed6 = fixedIps(profile, n, false, store, routes);
                IpBlock block6 = claim6 != null ? claim6.block() : IpBlock.parse(n.podCidr(false).toString());
                ipam6 = NodeIpam.open(NodeIpam.Options.of(o.stateDir(), block6).withFixedIps(fixed6 == null ? FixedIpClaims.NONE : fixed6));
            }
            NodeIpam ipam = NodeIpam.open(NodeIpam.Options.of(o.stateDir(), block).withFixedIps(fixed == null ? FixedIpClaims.NONE : fixed));
            PodNetwork pn = new PodNetwork(store, claim, ipam, claim6, ipam6, log, n.name(), fixed, fixed6, routes);
            pn.knownHosts = Set.copyOf(profile.hostNames());
            return pn;
        } catch (RuntimeException e) {
            java.util.stream.Stream.of(fixed, fixed6).filter(java.util.Objects::nonNull).forEach(FixedIpRegistry::close);
            if (ipam6 != null) {
                ipam6.close();
            }
            java.util.stream.Stream.of(claim, claim6).filter(java.util.Objects::nonNull).forEach(PodCidrClaim::close);
            store.close();
            throw e;
        }
    }

    /** Whether the node has a PodCIDR of this family: pinned or given by the profile, or to claim from the store. */
    private static boolean hasBlock(LoadedProfile profile, NodeConfig n, boolean ipv4) {
        return n.podCidr(ipv4) != null || profile.podCidrPool(ipv4).map(PodCidrPool::fromStore).orElse(false);
    }

    /** The store claim of this family's block, or null when the profile gives the block. */
    private static PodCidrClaim claim(DaemonOptions o, LoadedProfile profile, NodeConfig n, boolean ipv4, ClusterStore store, EventLog log,
                                      java.nio.file.Path cacheDir) {
        if (n.podCidr(ipv4) != null) {
            return null;
        }
        PodCidrPool pool = profile.podCidrPool(ipv4).orElseThrow();
        Set<IpBlock> others = new HashSet<>();
        profile.explicitPodCidrs(ipv4).forEach((host, c) -> {
            if (!host.equals(n.name())) {
                others.add(IpBlock.parse(c.toString()));
            }
        });
        try {
            java.nio.file.Files.createDirectories(cacheDir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + cacheDir + ": " + e.getMessage(), e);
        }
        int lease = pool.leaseSeconds();
        PodCidrClaim claim = PodCidrClaim.start(store, new PodCidrClaim.Settings(IpBlock.parse(pool.cidr().toString()), pool.prefixLength(),
                n.name(), Optional.empty(), others, lease == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(lease)), cacheDir));
        log.operatorAction("podcidr", n.name(), claim.block() + " from " + store.describe() + (claim.confirmed() ? "" : " (cached: store unreachable)"));
        return claim;
    }

    /** The registry of the profile's first fixed-IP pool of this family, or null when it has none. */
    private static FixedIpRegistry fixedIps(LoadedProfile profile, NodeConfig n, boolean ipv4, ClusterStore store, FixedIpRoutes routes) {
        return profile.fixedIpPools().stream().filter(f -> f.cidr().isIpv4() == ipv4).findFirst()
                .map(f -> new FixedIpRegistry(store, n.name(), f.name(), IpBlock.parse(f.cidr().toString()), routes,
                        Duration.ofSeconds(pool0Lease(profile)), Duration.ofSeconds(5)))
                .orElse(null);
    }

    /** Fixed-IP holders lose their hold this long after their node vanished: the PodCIDR lease, at most 30 s. */
    private static int pool0Lease(LoadedProfile profile) {
        int l = profile.podCidrPool().map(PodCidrPool::leaseSeconds).orElse(PodCidrPool.DEFAULT_LEASE_SECONDS);
        return l == 0 ? 30 : Math.max(5, Math.min(30, l));
    }

    /**
     * The speaker is up: fixed-IP routes go to it, and fixed IPs this node held before a restart
     * are claimed (and announced) again.
     */
    void attach(FixedIpRoutes routes) {
        fixedRoutes.target = routes;
        reclaim(ipam, fixedIps);
        reclaim(ipam6, fixedIps6);
    }

    /** Claims (and announces) again each fixed IP the block's IPAM holds from before a restart. */
    private void reclaim(NodeIpam block, FixedIpRegistry registry) {
        if (block == null || registry == null) {
            return;
        }
        for (Assignment a : block.list()) {
            if (a.kind() == Assignment.Kind.FIXED) {
                try {
                    registry.claim(a.fixedIp().orElseThrow());
                } catch (IpamException e) {
                    log.operatorAction("fixed ip", node, a.fixedIp().orElseThrow() + " (" + a.cidr() + ") not announced after restart: "
                            + e.getMessage());
                }
            }
        }
    }

    /** The cluster store this node uses (shared with ingress policy: identities, external endpoints). */
    ClusterStore store() {
        return store;
    }

    static ClusterStore openStore(DaemonOptions o) {
        ClusterStore raw = o.etcdUrls() != null ? EtcdStore.connect(o.etcdUrls(), Duration.ofSeconds(5)) : FileStore.open(o.stateDir().resolve("store"));
        // A node gives up a start-up call after 15 s and runs on its cache; the background retry takes over.
        return new RetryingStore(raw, Backoff.standard(), RateLimiter.perSecond(50, 100), Duration.ofSeconds(15));
    }

    /** The node's configuration with its PodCIDR filled in from the store. */
    NodeConfig apply(NodeConfig n) {
        List<Cidr> blocks = new ArrayList<>(n.podCidrs());
        for (PodCidrClaim c : claims()) {
            Cidr b = Cidr.of(c.block().toString());
            if (n.podCidr(b.isIpv4()) == null) {
                blocks.add(b);
            }
        }
        return blocks.size() == n.podCidrs().size() ? n : n.withPodCidrs(blocks);
    }

    /**
     * A reloaded profile: hosts it removed (compared with the profile this daemon applied before)
     * lose their store-allocated blocks. Never "every owner not in this profile": a node still on
     * an older profile would free the blocks of hosts added since.
     */
    void profileChanged(LoadedProfile profile) {
        Set<String> now = Set.copyOf(profile.hostNames());
        Set<String> removed = new HashSet<>(knownHosts);
        removed.removeAll(now);
        knownHosts = now;
        if (removed.isEmpty()) {
            return;
        }
        for (PodCidrClaim c : claims()) {
            try {
                List<String> gone = c.releaseHosts(removed);
                if (!gone.isEmpty()) {
                    log.operatorAction("podcidr", node, "released the blocks of " + gone + ", which left the profile");
                }
            } catch (StoreException e) {
                log.operatorAction("podcidr", node, "could not release blocks of hosts that left the profile: " + e.getMessage());
            }
        }
    }

    private void scheduleReconcile(PodCidrClaim c, int attempt) {
        Duration d = Backoff.standard().delay(attempt);
        retry.schedule(() -> {
            try {
                c.reconcile();
                log.operatorAction("podcidr", node, c.block() + " confirmed by " + store.describe());
            } catch (StoreException e) {
                scheduleReconcile(c, Math.min(attempt + 1, 20));
            }
        }, d.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- control API ----

    /** Each block's occupancy now (for /metrics): the node's block, and a dual-stack node's IPv6 one. */
    List<BlockUsage> usages() {
        return ipam6 == null ? List.of(ipam.usage()) : List.of(ipam.usage(), ipam6.usage());
    }

    Map<String, Object> summary() {
        BlockUsage u = ipam.usage();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("block", u.block().toString());
        m.put("gateway", IpBlock.format(u.gateway()));
        m.put("source", claim == null ? "profile" : claim.confirmed() ? store.describe() : "cache (store unreachable)");
        m.put("usable", u.usable());
        m.put("used", u.podsInBlock());
        m.put("reserved", u.reserved());
        m.put("free", u.free());
        m.put("fixedHere", u.fixed());
        m.put("fixedIpPool", fixedIps == null ? null : fixedIps.pool());
        if (ipam6 != null) { // a dual-stack node's IPv6 block
            BlockUsage u6 = ipam6.usage();
            m.put("block6", u6.block().toString());
            m.put("gateway6", IpBlock.format(u6.gateway()));
            m.put("source6", claim6 == null ? "profile" : claim6.confirmed() ? store.describe() : "cache (store unreachable)");
            m.put("used6", u6.podsInBlock());
            m.put("free6", u6.free());
            m.put("fixedHere6", u6.fixed());
            m.put("fixedIpPool6", fixedIps6 == null ? null : fixedIps6.pool());
        }
        return m;
    }

    List<Map<String, Object>> rows() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Assignment a : ipam.list()) {
            out.add(row(a));
        }
        if (ipam6 != null) {
            for (Assignment a : ipam6.list()) {
                out.add(row(a));
            }
        }
        return out;
    }

    private static Map<String, Object> row(Assignment a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", a.cidr());
        m.put("kind", a.kind().toString().toLowerCase(java.util.Locale.ROOT));
        m.put("pod", a.kind() == Assignment.Kind.RESERVED ? null : a.podNamespace() + "/" + a.podName());
        m.put("container", a.kind() == Assignment.Kind.RESERVED ? null : a.containerId());
        m.put("interface", a.kind() == Assignment.Kind.RESERVED ? null : a.ifName());
        m.put("fixedIp", a.fixedIp().map(FixedIpKey::toString).orElse(null));
        m.put("note", a.kind() == Assignment.Kind.RESERVED ? a.podName() : null);
        m.put("since", Instant.ofEpochMilli(a.allocatedAtMillis()).toString());
        return m;
    }

    /**
     * The CNI plugin's ADD: an address of each of the node's blocks for the attachment (the same
     * ones again for a retried ADD), as the CNI backend gives them: the main family's in the
     * top-level fields, every one in {@code ips} (a dual-stack node: IPv4, then IPv6).
     */
    Map<String, Object> allocate(String containerId, String ifName, String podNamespace, String podName, String fixedIp) {
        Optional<FixedIpKey> key;
        try {
            key = fixedIp == null || fixedIp.isEmpty() ? Optional.empty() : Optional.of(FixedIpKey.parse(fixedIp));
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest(e.getMessage());
        }
        List<Assignment> all = call(() -> addresses.allocate(new AllocationRequest(containerId, ifName, podNamespace, podName, key)));
        List<Map<String, Object>> ips = new ArrayList<>();
        for (Assignment a : all) {
            Map<String, Object> m = row(a);
            m.put("ip", IpBlock.format(a.address()));
            m.put("prefixLength", a.prefixLength());
            m.put("gateway", IpBlock.format(a.gateway()));
            ips.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>(ips.get(0));
        m.put("ips", ips);
        return m;
    }

    /** The CNI plugin's DEL: idempotent; releases the attachment's address in every block. */
    Map<String, Object> release(String containerId, String ifName) {
        List<Assignment> released = call(() -> addresses.release(containerId, ifName));
        log.operatorAction("ipam release", node, containerId + "/" + ifName + (released.isEmpty() ? ": held nothing"
                : ": " + PodAddresses.cidrs(released)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("released", !released.isEmpty());
        m.put("address", released.isEmpty() ? null : released.get(0).cidr());
        m.put("addresses", released.stream().map(Assignment::cidr).toList());
        return m;
    }

    Map<String, Object> reserve(String address, String note) {
        InetAddress a = parse(address);
        Assignment r = call(() -> blockOf(a, address).reserve(a, note));
        log.operatorAction("ipam reserve", node, r.cidr() + (note == null ? "" : " (" + note + ")"));
        return row(r);
    }

    Map<String, Object> releaseAddress(String address) {
        InetAddress addr = parse(address);
        // An address no block holds or contains was free all along (as a repeated release).
        Optional<Assignment> a = call(() -> addresses.blockOf(addr).flatMap(i -> i.releaseAddress(addr)));
        log.operatorAction("ipam release", node, address + (a.isPresent() ? " (held by " + row(a.get()).get("pod") + ")" : ": was free"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("released", a.isPresent());
        m.put("address", a.map(Assignment::cidr).orElse(null));
        return m;
    }

    /** The block an operator's address is in; outside all of them, the error names them. */
    private NodeIpam blockOf(InetAddress a, String address) {
        return addresses.blockOf(a).orElseThrow(() -> ControlException.badRequest(address + " is not in this node's "
                + (ipam6 == null ? "block " + ipam.block() : "blocks " + ipam.block() + " and " + ipam6.block())));
    }

    private static InetAddress parse(String address) {
        try {
            return IpBlock.parseAddress(address);
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest(e.getMessage());
        }
    }

    private static <T> T call(java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (IpamException e) {
            throw new ControlException(switch (e.reason()) {
                case BAD_REQUEST, NOT_IN_RANGE -> ControlException.Kind.BAD_REQUEST;
                case EXHAUSTED, IN_USE -> ControlException.Kind.CONFLICT;
                case FIXED_IP_UNAVAILABLE, STORAGE -> ControlException.Kind.UNAVAILABLE;
            }, e.getMessage());
        }
    }

    /** The node IPAM (the CNI backend allocates from it; issue 13). */
    NodeIpam ipam() {
        return ipam;
    }

    /** A dual-stack node's IPv6 IPAM (the CNI backend allocates each pod an address of each), or null. */
    NodeIpam ipam6() {
        return ipam6;
    }

    @Override
    public void close() {
        retry.shutdownNow();
        java.util.stream.Stream.of(fixedIps, fixedIps6).filter(java.util.Objects::nonNull).forEach(FixedIpRegistry::close);
        ipam.close();
        if (ipam6 != null) {
            ipam6.close();
        }
        claims().forEach(PodCidrClaim::close);
        store.close();
    }

    /** The store claims this node holds: none (pinned blocks), one, or one per family. */
    private List<PodCidrClaim> claims() {
        return java.util.stream.Stream.of(claim, claim6).filter(java.util.Objects::nonNull).toList();
    }
}
