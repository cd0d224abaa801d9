package io.gannet.bpf;

import io.gannet.bpf.lb.ApplyResult;
import io.gannet.bpf.lb.CtGarbageCollector;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.ServicesFeature;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.ServiceStatus;
import io.gannet.bpf.libbpf.BpfException;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.BpfObject;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.libbpf.Bpffs;
import io.gannet.bpf.libbpf.Capabilities;
import io.gannet.bpf.libbpf.KernelFeatures;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.libbpf.Tc;
import io.gannet.bpf.maps.BackendValue;
import io.gannet.bpf.maps.ConfigValue;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.Layout;
import io.gannet.bpf.maps.MaglevValue;
import io.gannet.bpf.maps.Reason;
import io.gannet.bpf.maps.RevNatValue;
import io.gannet.bpf.maps.SvcKey;
import io.gannet.bpf.maps.SvcValue;
import io.gannet.bpf.maps.TypedMap;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's eBPF service datapath: the API the agent calls.
 *
 * <p>{@link #open} probes the kernel, loads bpf_lxc.o and bpf_host.o (compiled once at
 * build time) with their maps pinned by name under the pin root, re-adopting maps already
 * pinned there, pins the programs under {@code <pinRoot>/progs/}, and restores the
 * reconciler from the maps. {@link #attachPod} and {@link #attachHost} attach the loaded
 * programs to a device and record per-pod facts in dp_endpoints: no compiler runs.
 * {@link #close} leaves pins and attachments in place, so traffic keeps flowing while the
 * agent restarts; the next {@link #open} plus {@link #applyServices} reconciles.
 *
 * <p>Threads: every public method is synchronized; the reconciler, maps and attachments
 * are owned by whichever thread calls in (the agent uses one datapath thread).
 */
public final class Datapath implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Datapath.class);

    /** Program names (SEC("tc") functions). */
    public static final String FROM_POD = "from_pod";
    public static final String TO_POD = "to_pod";
    public static final String FROM_HOST = "from_host";
    public static final String TO_HOST = "to_host";
    public static final String XDP_FROM_HOST = "xdp_from_host";

    private final DatapathOptions options;
    private final BpfObject lxc;
    private final BpfObject host;
    private final BpfObject xdp;
    private final BpfObject sock;
    private final ServicesFeature services;
    private final io.gannet.bpf.lb.SocketLbFeature socketLb;
    private final io.gannet.bpf.policy.PolicyFeature policy;
    private final io.gannet.bpf.nat.MasqueradeFeature masquerade;
    private final CtGarbageCollector gc;
    private final TypedMap<CtKey, CtEntry> ct;
    private final TypedMap<io.gannet.bpf.maps.CtKey6, CtEntry> ct6;
    private final TypedMap<Integer, EndpointValue> endpoints;
    private final TypedMap<Integer, io.gannet.bpf.maps.EndpointValue6> endpoints6;
    private final BpfMap metrics;
    /** False for an instance {@link #sharingObjects} made: its close leaves the objects to their loader. */
    private final boolean ownsObjects;
    private boolean closed;

    private Datapath(DatapathOptions options, BpfObject lxc, BpfObject host, BpfObject xdp, BpfObject sock,
                     boolean ownsObjects) {
        this.options = options;
        this.ownsObjects = ownsObjects;
        this.lxc = lxc;
        this.host = host;
        this.xdp = xdp;
        this.sock = sock;
        this.socketLb = new io.gannet.bpf.lb.SocketLbFeature(sock, PinLayout.linksDir(options.pinRoot()), options.netns());
        int defunct = io.gannet.bpf.libbpf.TcxLink.sweepDefunct(PinLayout.linksDir(options.pinRoot()));
        if (defunct > 0) {
            LOG.info("removed {} tcx link pin(s) of devices that are gone", defunct);
        }
        TypedMap<SvcKey, SvcValue> svc = typed(DpMaps.SVC);
        TypedMap<Integer, BackendValue> backends = typed(DpMaps.BACKENDS);
        TypedMap<Integer, RevNatValue> revnat = typed(DpMaps.REVNAT);
        TypedMap<Integer, MaglevValue> maglev = new TypedMap<>(lxc.map(DpMaps.MAGLEV.name()), DpMaps.MAGLEV.key(),
                MaglevValue.layout(options.maglevTableSize()));
        this.ct = typed(DpMaps.CT);
        this.endpoints = typed(DpMaps.ENDPOINTS);
        this.endpoints6 = typed(DpMaps.ENDPOINTS6);
        TypedMap<Integer, ConfigValue> config = typed(DpMaps.CONFIG);
        this.metrics = lxc.map(DpMaps.METRICS.name());
        config.put(0, options.timeouts());
        this.ct6 = typed(DpMaps.CT6);
        this.services = new ServicesFeature(svc, backends, revnat, maglev, typed(DpMaps.SRC_RANGE), ct,
                new ServicesFeature.Ipv6Maps(typed(DpMaps.SVC6), typed(DpMaps.BACKENDS6), typed(DpMaps.REVNAT6), ct6,
                        typed(DpMaps.SNAT6_SRC), typed(DpMaps.SRC_RANGE6)), typed(DpMaps.SNAT4_SRC));
        this.policy = new io.gannet.bpf.policy.PolicyFeature(typed(DpMaps.POLICY), typed(DpMaps.IPCACHE), endpoints,
                typed(DpMaps.POLICY_METRICS), typed(DpMaps.EGRESS_METRICS), lxc.map(DpMaps.DROP_EVENTS),
                new io.gannet.bpf.policy.PolicyFeature.Ipv6Maps(typed(DpMaps.IPCACHE6), lxc.map(DpMaps.DROP_EVENTS6)));
        this.masquerade = new io.gannet.bpf.nat.MasqueradeFeature(typed(DpMaps.MASQ), typed(DpMaps.NOMASQ),
                lxc.map(DpMaps.MASQ_RETRIES.name()), ct, typed(DpMaps.SNAT),
                new io.gannet.bpf.nat.MasqueradeFeature.Ipv6Maps(typed(DpMaps.MASQ6), typed(DpMaps.NOMASQ6), ct6,
                        typed(DpMaps.SNAT6)), options.clock());
        this.gc = new CtGarbageCollector(ct, typed(DpMaps.SNAT), options.clock()).withIpv6(ct6, typed(DpMaps.SNAT6));
    }

    private <K, V> TypedMap<K, V> typed(DpMaps.Spec<K, V> spec) {
        return new TypedMap<>(lxc.map(spec.name()), spec.key(), spec.value());
    }

    /** Opens (or re-adopts) the datapath. See the class comment. */
    public static Datapath open(DatapathOptions options) {
        Capabilities.require();
        KernelFeatures.Report features = KernelFeatures.require();
        Bpffs.requireDirectory(options.pinRoot());
        Path objects = options.objectDir() != null ? options.objectDir() : extractObjects();
        try {
            Files.createDirectories(PinLayout.mapsDir(options.pinRoot()));
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "create " + PinLayout.mapsDir(options.pinRoot()), 0, e.toString());
        }
        String pinRoot = PinLayout.mapsDir(options.pinRoot()).toString();
        dropResizedCounters(PinLayout.mapsDir(options.pinRoot()), options.maglevTableSize());
        int ctEntries = options.conntrackEntries();
        int m = options.maglevTableSize();
        BpfObject.Sizing sizes = new BpfObject.Sizing(ConntrackSize.overrides(ctEntries),
                Map.of(DpMaps.MAGLEV.name(), 4 * m), Map.of(".rodata.maglev", m));
        ConntrackSize.Carried carried = ConntrackSize.unpinResized(PinLayout.mapsDir(options.pinRoot()), ctEntries);
        BpfObject lxc = BpfObject.load(objects.resolve("bpf_lxc.o"), pinRoot, sizes);
        BpfObject host = null;
        BpfObject xdp = null;
        BpfObject sock = null;
        try {
            ConntrackSize.carry(carried, Map.of("dp_ct4", lxc.map("dp_ct4"), "dp_snat4", lxc.map("dp_snat4"),
                    "dp_ct6", lxc.map("dp_ct6"), "dp_snat6", lxc.map("dp_snat6")), ctEntries);
            host = BpfObject.load(objects.resolve("bpf_host.o"), pinRoot, sizes);
            xdp = BpfObject.load(objects.resolve("bpf_xdp.o"), pinRoot, sizes);
            sock = BpfObject.load(objects.resolve("bpf_sock.o"), pinRoot, sizes);
        } catch (RuntimeException e) {
            lxc.close();
            if (host != null) {
                host.close();
            }
            if (xdp != null) {
                xdp.close();
            }
            throw e;
        }
        try {
            Path progs = PinLayout.progsDir(options.pinRoot());
            Files.createDirectories(progs);
            PinLayout.Migration migration = PinLayout.copyV1(options.pinRoot(), lxc);
            pinProgram(lxc.program(FROM_POD), progs);
            pinProgram(lxc.program(TO_POD), progs);
            pinProgram(host.program(FROM_HOST), progs);
            pinProgram(host.program(TO_HOST), progs);
            pinProgram(xdp.program(XDP_FROM_HOST), progs);
            for (io.gannet.bpf.lb.SocketLbFeature.Hook h : io.gannet.bpf.lb.SocketLbFeature.HOOKS) {
                pinProgram(sock.program(h.program()), progs);
            }
            Datapath dp = new Datapath(options, lxc, host, xdp, sock, true);
            if (migration.happened()) {
                dp.reattachMigratedPods(migration);
                PinLayout.removeV1(options.pinRoot());
            }
            LOG.info("datapath open on kernel {} (xdp {}), pins under {}, {} frontends re-adopted, conntrack table of {} entries",
                    features.kernelRelease(), features.xdp(), pinRoot, dp.services.restoredFrontends(), ctEntries);
            return dp;
        } catch (IOException | RuntimeException e) {
            lxc.close();
            host.close();
            xdp.close();
            sock.close();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new BpfException(BpfException.Kind.OTHER, "create " + options.pinRoot() + "/progs", 0, e.toString());
        }
    }

    /**
     * Maps that hold nothing the agent cannot rebuild are removed, not refused, when a build
     * changed their size, so they never block an upgrade: dp_metrics holds counters only (a pin
     * sized for fewer reasons restarts from zero), dp_maglev4 holds Maglev tables computed from
     * the Services (a pin with another table size is refilled when the Services are applied;
     * until then Maglev services pick at random, and established flows keep their conntrack
     * entries).
     */
    private static void dropResizedCounters(Path mapsDir, int maglevSize) {
        dropIfResized(mapsDir.resolve(DpMaps.METRICS.name()), m -> m.maxEntries() == METRICS_ENTRIES,
                "dp_metrics was pinned with another number of counters: counters restart from zero");
        dropIfResized(mapsDir.resolve(DpMaps.MAGLEV.name()), m -> m.valueSize() == 4 * maglevSize,
                "dp_maglev4 was pinned with another Maglev table size (now " + maglevSize
                        + " entries): the tables are rebuilt from the Services");
    }

    private static void dropIfResized(Path pin, java.util.function.Predicate<BpfMap> fits, String why) {
        if (!Files.exists(pin)) {
            return;
        }
        boolean ok;
        try (BpfMap m = BpfMap.openPinnedAsIs(pin.toString())) {
            if (m == null) {
                return;
            }
            ok = fits.test(m);
        }
        if (!ok) {
            try {
                Files.deleteIfExists(pin);
                LOG.info(why);
            } catch (IOException e) {
                throw new BpfException(BpfException.Kind.OTHER, "remove " + pin, 0, e.toString());
            }
        }
    }

    /** DP_METRICS_MAX in lib/metrics.h. */
    private static final int METRICS_ENTRIES = 64;

    /** After a pin-layout migration: the pods the old programs served get the new ones (atomic replace). */
    private void reattachMigratedPods(PinLayout.Migration m) {
        for (Map.Entry<Integer, Integer> e : m.pods().entrySet()) {
            String ifname = Netns.call(options.netns(), () -> {
                jnr.ffi.Pointer buf = io.gannet.bpf.libbpf.Native.get().allocate(16);
                jnr.ffi.Pointer r = io.gannet.bpf.libbpf.Native.get().libc().if_indextoname(e.getKey(), buf);
                return r == null ? null : buf.getString(0);
            });
            if (ifname == null) {
                endpoints.delete(e.getKey());
                continue; // the pod is gone
            }
            Netns.run(options.netns(), () -> {
                Tc.attach(ifname, Tc.Direction.INGRESS, lxc.program(FROM_POD), links());
                Tc.attach(ifname, Tc.Direction.EGRESS, lxc.program(TO_POD), links());
            });
            LOG.info("pin layout {} -> {}: re-attached pod {} on {}", m.from(), PinLayout.CURRENT,
                    io.gannet.bpf.lb.Ipv4.format(e.getValue()), ifname);
        }
    }

    private static void pinProgram(BpfProgram p, Path dir) throws IOException {
        Path pin = dir.resolve(p.name());
        Files.deleteIfExists(pin); // the new program replaces the old pin; attachments keep their own reference
        p.pin(pin.toString());
    }

    private static Path extractObjects() {
        try {
            Path dir = Files.createTempDirectory("gannet-bpf");
            for (String name : List.of("bpf_lxc.o", "bpf_host.o", "bpf_xdp.o", "bpf_sock.o")) {
                try (InputStream in = Datapath.class.getResourceAsStream("/bpf/" + name)) {
                    if (in == null) {
                        throw new BpfException(BpfException.Kind.NOT_FOUND, "load /bpf/" + name, 0,
                                "BPF object missing from the classpath: build the bpf module with clang installed");
                    }
                    Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
                dir.resolve(name).toFile().deleteOnExit();
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "extract BPF objects", 0, e.toString());
        }
    }

    /** Frontends found in the pinned maps when this instance opened. */
    public int restoredFrontends() {
        return services.restoredFrontends();
    }

    /** The services feature handle: frontends (ClusterIP, externalIP, L4LB VIPs), its maps and reconciler. */
    public ServicesFeature servicesFeature() {
        return services;
    }

    /** The policy feature handle: dp_policy4, dp_ipcache4, dp_ipcache6, the endpoints' policy flags, drop events. */
    public io.gannet.bpf.policy.PolicyFeature policyFeature() {
        return policy;
    }

    /** The socket-level load balancing handle: the node's own processes' connections to frontends (bpf_sock.c). */
    public io.gannet.bpf.lb.SocketLbFeature socketLb() {
        return socketLb;
    }

    /** The masquerade feature handle: dp_masq4 / dp_masq6, dp_nomasq4 / dp_nomasq6, translations, occupancy, retry histogram (lib/masq.h, lib/masq6.h). */
    public io.gannet.bpf.nat.MasqueradeFeature masqueradeFeature() {
        return masquerade;
    }

    /** {@link #attachPod(String, String, String)} of a pod without an IPv6 address. */
    public synchronized int attachPod(String ifname, String podIp) {
        return attachPod(ifname, podIp, null);
    }

    /**
     * Attaches from_pod (ingress) and to_pod (egress) to a pod's host-side veth and
     * records the pod's addresses, the only sources it may send from (dp_endpoints, and
     * dp_endpoints6 for IPv6: {@code podIpv6}, or null for a pod without one, which may send
     * IPv6 link-local neighbour discovery only); replaces Gannet's previous programs there atomically.
     * The endpoint starts policy-enforced when its policy was applied before the attach
     * ({@link io.gannet.bpf.policy.PolicyFeature#flagsFor}). Returns the veth's ifindex, the
     * endpoint's id in the policy maps.
     */
    public synchronized int attachPod(String ifname, String podIp, String podIpv6) {
        if (podIp == null && podIpv6 == null) {
            throw new IllegalArgumentException("attach to " + ifname + ": a pod needs an IPv4 or an IPv6 address");
        }
        int addr = podIp == null ? 0 : Ipv4.parse(podIp); // 0: an IPv6-only pod, which may send no IPv4 (lib/endpoint.h)
        io.gannet.bpf.maps.EndpointValue6 addr6 = endpoint6(podIpv6);
        BpfProgram from = lxc.program(FROM_POD);
        BpfProgram to = lxc.program(TO_POD);
        int ifindex = Netns.call(options.netns(), () -> {
            int idx = Tc.ifindex(ifname);
            refuseForeign(ifname);
            Tc.attach(ifname, Tc.Direction.INGRESS, from, links());
            Tc.attach(ifname, Tc.Direction.EGRESS, to, links());
            return idx;
        });
        endpoints.put(ifindex, new EndpointValue(addr, policy.flagsFor(ifindex)));
        endpoints6.put(ifindex, addr6);
        LOG.info("attached pod {} on {} (ifindex {})", podIp == null ? podIpv6 + " (IPv6 only)"
                : podIpv6 == null ? podIp : podIp + " " + podIpv6, ifname, ifindex);
        return ifindex;
    }

    /**
     * A pod a previous agent wired, at start: when Gannet's programs are on its veth and its
     * endpoint is in dp_endpoints, only its dp_endpoints6 entry is (re)written (a pod attached
     * before dp_endpoints6 existed had none and went unchecked), leaving its policy flags alone;
     * otherwise (a pod an earlier version wired without the datapath, an IPv6-only one, or one
     * whose programs were removed) it is attached as {@link #attachPod(String, String, String)}
     * does. Returns what was done, in the log's terms; "gone" when the veth no longer exists.
     */
    public synchronized String restorePod(String ifname, String podIp, String podIpv6) {
        int ifindex = ifindex(ifname);
        if (ifindex == 0) {
            return "gone";
        }
        EndpointValue ep = endpoints.get(ifindex);
        if (ep == null || attachedProgramId(ifname, true) == 0 || attachedProgramId(ifname, false) == 0) {
            attachPod(ifname, podIp, podIpv6);
            return "attached";
        }
        io.gannet.bpf.maps.EndpointValue6 want = endpoint6(podIpv6);
        if (want.equals(endpoints6.get(ifindex))) {
            return "in place";
        }
        endpoints6.put(ifindex, want);
        LOG.info("pod on {} (ifindex {}): IPv6 source {} registered for the source check", ifname, ifindex,
                podIpv6 == null ? "none (link-local neighbour discovery only)" : podIpv6);
        return "IPv6 source registered";
    }

    /**
     * Records the IPv6 address of a pod attached already ({@link #attachPod(String, String)}),
     * the only IPv6 source it may send from besides link-local neighbour discovery.
     */
    public synchronized void attachPodIpv6(String ifname, String podIpv6) {
        io.gannet.bpf.maps.EndpointValue6 addr6 = endpoint6(podIpv6);
        int ifindex = ifindex(ifname);
        if (ifindex == 0 || endpoints.get(ifindex) == null) {
            throw new IllegalStateException("no pod is attached on " + ifname + " to give IPv6 address " + podIpv6);
        }
        endpoints6.put(ifindex, addr6);
        LOG.info("pod on {} (ifindex {}) sends IPv6 from {}", ifname, ifindex, podIpv6);
    }

    private static io.gannet.bpf.maps.EndpointValue6 endpoint6(String podIpv6) {
        if (podIpv6 == null) {
            return io.gannet.bpf.maps.EndpointValue6.NONE;
        }
        io.gannet.bpf.lb.Ipv6 a = io.gannet.bpf.lb.Ipv6.parse(podIpv6);
        return new io.gannet.bpf.maps.EndpointValue6(a.hi(), a.lo());
    }

    /** In the device's namespace: another CNI's program on either TC hook stops the attach unless told to coexist. */
    private void refuseForeign(String ifname) {
        if (options.coexist()) {
            return;
        }
        List<String> found = new java.util.ArrayList<>();
        for (Tc.Direction d : Tc.Direction.values()) {
            int own = Tc.query(ifname, d, links()); // Gannet's own link (a restart) is not foreign
            for (String f : io.gannet.bpf.libbpf.HookOccupants.foreign(ifname, d, own)) {
                found.add(d.toString().toLowerCase(java.util.Locale.ROOT) + ": " + f);
            }
        }
        if (!found.isEmpty()) {
            throw new BpfException(BpfException.Kind.BUSY, "attach to " + ifname, 0,
                    "another program is attached to " + ifname + "'s TC hook (another CNI?) " + found
                            + "; Gannet does not share the hook unless told to coexist (DatapathOptions.withCoexist)");
        }
    }

    /** Where this datapath pins its tcx links ({@link Tc#attach(String, Tc.Direction, BpfProgram, Path)}). */
    private Path links() {
        return PinLayout.linksDir(options.pinRoot());
    }

    /**
     * Attaches one of this datapath's programs to a device's hook in its namespace, as the
     * datapath attaches its own (a tcx link pinned under its pin root, else a cls_bpf filter).
     */
    public synchronized void attachProgram(String ifname, Tc.Direction dir, String program) {
        BpfProgram p = program(program);
        Netns.run(options.netns(), () -> Tc.attach(ifname, dir, p, links()));
    }

    /** The ifindex of a device in the datapath's namespace (the endpoint id of a pod veth); 0 when there is none. */
    public int ifindex(String ifname) {
        return Netns.call(options.netns(), () -> io.gannet.bpf.libbpf.Native.get().libc().if_nametoindex(ifname));
    }

    /** Removes Gannet's programs (only) from a pod veth and forgets the endpoint. */
    public synchronized void detachPod(String ifname) {
        Integer ifindex = Netns.call(options.netns(), () -> {
            int idx = io.gannet.bpf.libbpf.Native.get().libc().if_nametoindex(ifname);
            Tc.detach(ifname, Tc.Direction.INGRESS, links());
            Tc.detach(ifname, Tc.Direction.EGRESS, links());
            return idx;
        });
        if (ifindex != 0) {
            endpoints.delete(ifindex);
            endpoints6.delete(ifindex);
            policy.remove(ifindex);
        }
    }

    /**
     * Attaches from_host at TC ingress (external frontends' DNAT, reverse NAT of remote
     * backends' replies) and to_host at TC egress (reverse NAT of replies from backends in
     * the host's own namespace) of a host device.
     */
    public synchronized void attachHost(String ifname) {
        BpfProgram in = host.program(FROM_HOST);
        BpfProgram out = host.program(TO_HOST);
        Netns.run(options.netns(), () -> {
            Tc.ifindex(ifname);
            refuseForeign(ifname);
            Tc.attach(ifname, Tc.Direction.INGRESS, in, links());
            Tc.attach(ifname, Tc.Direction.EGRESS, out, links());
        });
        LOG.info("attached host device {}", ifname);
    }

    public synchronized void detachHost(String ifname) {
        Netns.run(options.netns(), () -> {
            Tc.detach(ifname, Tc.Direction.INGRESS, links());
            Tc.detach(ifname, Tc.Direction.EGRESS, links());
        });
    }

    /**
     * Attaches the XDP fast path (external frontends' DNAT and reverse NAT, IPv4 and IPv6, before
     * an skb exists) to a host device that already has {@link #attachHost}; {@code nativeMode}
     * false uses generic (skb) XDP, which every driver supports. Through an XDP link pinned under
     * the pin root ({@link io.gannet.bpf.libbpf.XdpLink}): it stays while the agent restarts, the
     * next agent replaces its program in place, and {@code gannet datapath reset} removes it.
     */
    public synchronized void attachHostXdp(String ifname, boolean nativeMode) {
        BpfProgram p = xdp.program(XDP_FROM_HOST);
        Netns.run(options.netns(), () -> io.gannet.bpf.libbpf.XdpLink.attach(ifname, p, nativeMode, links()));
        LOG.info("attached XDP ({}) on host device {}", nativeMode ? "native" : "generic", ifname);
    }

    /** Removes Gannet's XDP program from a host device (either mode); false when it had none. */
    public synchronized boolean detachHostXdp(String ifname) {
        return Netns.call(options.netns(), () -> io.gannet.bpf.libbpf.XdpLink.detach(ifname, links()));
    }

    /** Gannet's XDP programs: every device it attached the fast path to, with the mode and program ID. */
    public synchronized List<io.gannet.bpf.libbpf.XdpLink.Attached> hostXdp() {
        return Netns.call(options.netns(), () -> io.gannet.bpf.libbpf.XdpLink.attached(links()));
    }

    /**
     * Detaches the XDP fast path from every device not in {@code keep} (an earlier run's, on a
     * device this run does not give it: no {@code --xdp}, or no longer a host device); the devices
     * it was removed from.
     */
    public synchronized List<String> detachHostXdpExcept(java.util.Collection<String> keep) {
        List<String> detached = new ArrayList<>();
        for (io.gannet.bpf.libbpf.XdpLink.Attached a : hostXdp()) {
            if (!keep.contains(a.device())) {
                detachHostXdp(a.device());
                detached.add(a.device());
            }
        }
        return detached;
    }

    /** Program ID Gannet has attached on a device's hook, 0 when none (diagnostics, tests). */
    public synchronized int attachedProgramId(String ifname, boolean ingress) {
        return Netns.call(options.netns(),
                () -> Tc.query(ifname, ingress ? Tc.Direction.INGRESS : Tc.Direction.EGRESS, links()));
    }

    /** Makes the service maps equal to {@code desired}; idempotent ({@link ServicesFeature#apply(List)}). */
    public ApplyResult applyServices(List<ServiceSpec> desired) {
        return services.apply(desired);
    }

    /** Entries of each Maglev table (the size this datapath was opened with; every LB host must use the same). */
    public synchronized int maglevTableSize() {
        return services.maglevTableSize();
    }

    /** What is programmed, for {@code gannet show services} ({@link ServicesFeature#status()}). */
    public List<ServiceStatus> services() {
        return services.status();
    }

    /** Deletes expired conntrack entries; returns how many. Call periodically (e.g. every 30 s). */
    public synchronized int collectGarbage() {
        return gc.sweep();
    }

    /** Packet counters by reason, summed over CPUs. */
    public synchronized Map<Reason, Long> metrics() {
        Map<Reason, Long> out = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            byte[] raw = metrics.lookupPerCpu(Layout.U32.encode(r.ordinal()));
            long sum = 0;
            if (raw != null) {
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 8) {
                    sum += b.getLong();
                }
            }
            out.put(r, sum);
        }
        return out;
    }

    /** A loaded program by name ({@link #FROM_POD}, {@link #TO_POD}, {@link #FROM_HOST}, {@link #TO_HOST}, {@link #XDP_FROM_HOST}), e.g. for BPF_PROG_TEST_RUN. */
    public synchronized BpfProgram program(String name) {
        return switch (name) {
            case FROM_HOST, TO_HOST -> host.program(name);
            case XDP_FROM_HOST -> xdp.program(name);
            default -> lxc.program(name);
        };
    }

    /** The endpoint map, by pod veth ifindex (tests, diagnostics). */
    public TypedMap<Integer, EndpointValue> endpoints() {
        return endpoints;
    }

    /** The pods' IPv6 addresses for the source check, by pod veth ifindex (tests, diagnostics). */
    public TypedMap<Integer, io.gannet.bpf.maps.EndpointValue6> endpoints6() {
        return endpoints6;
    }

    /** The conntrack map (tests, diagnostics). */
    public TypedMap<CtKey, CtEntry> conntrack() {
        return ct;
    }

    /** dp_ct6: the NAT pairs of IPv6 Service flows (lib/lb6.h). */
    public TypedMap<io.gannet.bpf.maps.CtKey6, CtEntry> conntrack6() {
        return ct6;
    }

    public DatapathOptions options() {
        return options;
    }

    /**
     * Another instance over this one's loaded objects, built as {@link #open} builds one over
     * the maps it finds (the features restore from them, dp_config gets this instance's
     * timeouts), without loading the objects again: the verifier does not run. Its
     * {@link #close} leaves the objects open; this instance closes them. For tests, which
     * load the objects once per class and empty the maps between tests.
     */
    synchronized Datapath sharingObjects() {
        return new Datapath(options, lxc, host, xdp, sock, false);
    }

    /** The loaded objects (bpf_lxc.o, bpf_host.o, bpf_xdp.o, bpf_sock.o), for tests that walk every map. */
    synchronized List<BpfObject> objects() {
        return List.of(lxc, host, xdp, sock);
    }

    /** Closes fds only: pinned maps, pinned programs and attachments stay, traffic flows on. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsObjects) { // a sharingObjects() instance leaves them to the instance that loaded them
            lxc.close();
            host.close();
            xdp.close();
            sock.close();
        }
    }

    /**
     * The frontends the pins under {@code pinRoot} hold (the master slots of dp_svc4 and dp_svc6):
     * what {@link #open} re-adopts, read without opening the datapath (no program is loaded, no map
     * written), so a starting agent can tell whether an earlier run left VIPs being served before it
     * speaks to its peers. Empty when nothing is pinned, or a map's key has another size (a layout
     * this build does not read).
     */
    public static List<io.gannet.bpf.lb.Frontend> pinnedFrontends(Path pinRoot) {
        List<io.gannet.bpf.lb.Frontend> out = new ArrayList<>();
        Path dir = PinLayout.mapsDir(pinRoot);
        try (BpfMap m = BpfMap.openPinnedAsIs(dir.resolve(DpMaps.SVC.name()).toString())) {
            if (m != null && m.keySize() == DpMaps.SVC.key().size() && m.valueSize() == DpMaps.SVC.value().size()) {
                new TypedMap<>(m, DpMaps.SVC.key(), DpMaps.SVC.value()).forEach((k, v) -> {
                    if (k.slot() == 0) {
                        out.add(new io.gannet.bpf.lb.Frontend(k.addr(), k.port(), io.gannet.bpf.lb.Protocol.ofNumber(k.proto())));
                    }
                });
            }
        }
        try (BpfMap m = BpfMap.openPinnedAsIs(dir.resolve(DpMaps.SVC6.name()).toString())) {
            if (m != null && m.keySize() == DpMaps.SVC6.key().size() && m.valueSize() == DpMaps.SVC6.value().size()) {
                new TypedMap<>(m, DpMaps.SVC6.key(), DpMaps.SVC6.value()).forEach((k, v) -> {
                    if (k.slot() == 0) {
                        out.add(io.gannet.bpf.lb.Frontend.of(new io.gannet.bpf.lb.Ipv6(k.addrHi(), k.addrLo()), k.port(),
                                io.gannet.bpf.lb.Protocol.ofNumber(k.proto())));
                    }
                });
            }
        }
        return out;
    }

    /**
     * Removes every pin under {@code pinRoot} (maps and programs die once nothing else
     * references them). For tests and for "gannet datapath reset"; attachments must be
     * detached first or they keep their programs alive.
     */
    public static void removePins(Path pinRoot) {
        if (!Files.exists(pinRoot)) {
            return;
        }
        try (Stream<Path> s = Files.walk(pinRoot)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "remove pins under " + pinRoot, 0, e.toString());
        }
    }
}
