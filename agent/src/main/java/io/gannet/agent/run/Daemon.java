package io.gannet.agent.run;

import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.ReloadResult;
import io.gannet.agent.control.server.ControlServer;
import io.gannet.agent.control.server.ControlServerConfig;
import io.gannet.agent.logging.EventLog;
import io.gannet.agent.metrics.DatapathCounters;
import io.gannet.agent.metrics.GannetMetrics;
import io.gannet.agent.metrics.IpamGauges;
import io.gannet.agent.metrics.LatencyHistogram;
import io.gannet.bfd.BfdServiceOptions;
import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.cluster.k8s.api.KubeApiClient;
import io.gannet.bgp.rib.LocalRoute;
import io.gannet.bgp.rib.Rib;
import io.gannet.topology.LoadedProfile;
import io.gannet.topology.ProfileException;
import io.gannet.topology.TopologyProfiles;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.RoutePolicy;
import io.gannet.topology.diff.NodeConfigDiff;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The running daemon: the composition root that wires a host's rendered profile into the
 * BGP speaker, originates the host's prefixes, and serves the control API and metrics.
 *
 * <p>Threads: the speaker's event loop owns sessions and RIB; the control server has its own
 * I/O and worker threads and reaches the speaker through {@link SpeakerLoop}; one scheduler
 * thread publishes metrics snapshots; BFD runs its own threads and reaches BGP through
 * {@link BfdBinding} (started only when a neighbor enables BFD); reload runs on whichever thread
 * asked (SIGHUP handler or a control worker), serialized by this object's monitor.
 */
public final class Daemon implements AutoCloseable {
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(5);
    private static final long METRICS_PERIOD_MS = 1000;

    private final DaemonOptions options;
    private final EventLog log;
    private final RestartMarker marker;
    private final Map<RoutePolicy, Policy> policies = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private BgpSpeaker<Rib> speaker;
    /** The control plane's way onto the speaker's loop, shared by start-up, reload and the API. */
    private SpeakerLoop loop;
    private ControlServer control;
    private GannetMetrics metrics;
    private ScheduledExecutorService scheduler;
    /** An L4LB host holds End-of-RIB until its VIPs are announced, or this long. */
    static final long END_OF_RIB_HOLD_SECONDS = 60;
    private final java.util.concurrent.atomic.AtomicBoolean endOfRibHeld = new java.util.concurrent.atomic.AtomicBoolean();
    private ServiceDatapath datapath;
    /** The daemon's one connection to the Kubernetes API (--kube-api), shared by the Services and policy sources; or null. */
    private KubeApiClient kubeApi;
    private static final double KUBE_API_REQUESTS_PER_SECOND = 10;
    private static final int KUBE_API_BURST = 20;
    private PolicyPart policy;
    private MasqueradePart masquerade;
    private SpeakerView view;
    private PodNetwork pods;
    private LoadedProfile loaded;
    /** The ECMP L4LB (role l4lb with --services-dir): it announces the VIPs, not the profile. */
    private L4lbPart l4lb;
    private ExaBgpPart exabgp;
    private BfdBinding bfd;
    private NodeNetworkingBinding nodeNet;
    private volatile NodeConfig node;
    /** The host's configuration as the profile gives it: unnumbered neighbors without addresses. */
    private volatile NodeConfig rendered;
    private volatile LinkLocalNeighbors linkLocal;
    private RouteSources routeSources;
    private HostClaim claim;
    private volatile SpeakerConfig speakerConfig;
    /**
     * Peer name -> neighbor address for log lines. The speaker reports state changes by name on
     * its loop, and during a reload those come from removed, kept and added peers alike, so
     * this is the union of both configurations until the speaker has taken the new one.
     */
    private volatile Map<String, String> peerAddresses = Map.of();
    private boolean closed;
    /** The start has completed (speaker, BFD, control API): learned addresses may reconfigure sessions. */
    private boolean started;
    private ControlAccess access = ControlAccess.NONE;

    private Daemon(DaemonOptions options, EventLog log) {
        this.options = options;
        this.log = log;
        this.marker = new RestartMarker(options.stateDir());
    }

    /** As {@link #start(DaemonOptions, EventLog)}, with the control API's tokens and socket group. */
    static Daemon start(DaemonOptions options, EventLog log, ControlAccess access) throws IOException, ProfileException {
        Daemon d = new Daemon(options, log);
        d.access = access;
        try {
            d.startAll();
        } catch (IOException | ProfileException | RuntimeException e) {
            d.close(false);
            throw e;
        }
        return d;
    }

    /**
     * Loads the profile, starts the speaker, originates the host's routes and opens the control
     * API. Throws {@link ProfileException} for a profile that does not load or has no such host.
     */
    public static Daemon start(DaemonOptions options, EventLog log) throws IOException, ProfileException {
        Daemon d = new Daemon(options, log);
        try {
            d.startAll();
        } catch (IOException | ProfileException | RuntimeException e) {
            d.close(false);
            throw e;
        }
        return d;
    }

    private void startAll() throws IOException, ProfileException {
        node = render();
        // One daemon per host: locks and every listener checked before any session starts.
        claim = HostClaim.acquire(options, node);
        pods = PodNetwork.start(options, loaded, node, log);
        node = pods == null ? node : pods.apply(node);
        rendered = node;
        linkLocal = new LinkLocalNeighbors(log, this::relink);
        linkLocal.watch(rendered);
        node = linkLocal.resolve(rendered); // unnumbered sessions start once their switch has advertised
        speakerConfig = SpeakerConfiguration.speakerConfig(node, policies);
        peerAddresses = addresses(speakerConfig);
        RestartEvidence.Decision restart = restartDecision();
        boolean restarting = restart.restarting();
        marker.markRunning(ProcessHandle.current().pid());
        log.operatorAction("graceful-restart", node.name(), (restarting ? "restarting speaker (Restart State bit; Forwarding"
                + " State bit for " + new java.util.TreeSet<>(restart.forwardingKept().stream().map(Object::toString).toList())
                + "): " : "") + restart.why());
        SpeakerOptions speakerOptions = (restarting ? SpeakerOptions.defaults().withRestarting(restart.forwardingKept())
                : SpeakerOptions.defaults())
                .withListener((peer, from, to, reason) ->
                        log.peerStateChanged(peer, addressOf(peer), from.toString(), to.toString(), reason));
        // An L4LB host holds End-of-RIB until its VIPs are announced (they wait for health checks to
        // rise; SpeakerAnnouncer.settled), at most END_OF_RIB_HOLD_SECONDS: after a restart (the
        // state directory says so, and our OPEN says forwarding was preserved), peers keep the
        // earlier run's stale VIP routes until then. On a first start nobody waits for it.
        boolean holdForL4lb = l4lbManaged(node);
        // Restarting speaker (RFC 4724 4.1): peers get End-of-RIB only once our own routes are
        // announced again, so they never flush the stale PodCIDR in between.
        metrics = GannetMetrics.create(InstantSource.system());
        LatencyHistogram updateLatency = metrics.updateLatency();
        speaker = BgpSpeaker.start(speakerConfig, cfg -> {
            // What peers send before import policy is kept per session as the profile says
            // (bgp.keepReceived: NeighborConfig -> PeerConfig.keepReceived).
            Rib rib = new Rib(cfg);
            rib.holdEndOfRib(restarting || holdForL4lb);
            rib.observeUpdateLatency(updateLatency::recordNanos);
            return rib;
        }, speakerOptions);
        loop = new SpeakerLoop(speaker, CONTROL_TIMEOUT);
        List<LocalRoute> originated = originated(node);
        List<LocalRoute> persisted = restoreOperatorRoutes();
        endOfRibHeld.set(holdForL4lb);
        loop.call(() -> {
            originated.forEach(speaker.routes()::announce);
            persisted.forEach(speaker.routes()::announce);
            if (!holdForL4lb) {
                speaker.routes().holdEndOfRib(false);
            }
            return null;
        });
        if (pods != null) {
            pods.attach(new FixedIpAnnouncer(speaker, loop));
            metrics.registry().getPrometheusRegistry().register(new IpamGauges(pods::usages));
        }
        log.operatorAction("start", node.name(), "profile " + options.profile() + ", AS " + node.localAs()
                + ", " + node.neighbors().size() + " neighbors, originating " + node.announcements()
                + (restarting ? ", graceful restart: restarting speaker" : ""));

        bfd = new BfdBinding(BfdBinding.gateOf(speaker), log, BfdServiceOptions.defaults());
        bfd.apply(node);

        MetricsPublisher publisher = new MetricsPublisher(speaker, loop, metrics, () -> speakerConfig, bfd::metrics);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-metrics-publisher");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(publisher::publishQuietly, 0, METRICS_PERIOD_MS, TimeUnit.MILLISECONDS);

        if (holdForL4lb) {
            scheduler.schedule(() -> releaseEndOfRib("the L4LB had not announced all its VIPs " + END_OF_RIB_HOLD_SECONDS
                    + " s after the start"), END_OF_RIB_HOLD_SECONDS, TimeUnit.SECONDS);
        }
        SpeakerAnnouncer announcer = new SpeakerAnnouncer(speaker, loop,
                () -> releaseEndOfRib("the L4LB has announced its VIPs"));
        if (options.kubeApi() != null) {
            kubeApi = KubeApiClient.connect(options.kubeconfig(), KUBE_API_REQUESTS_PER_SECOND, KUBE_API_BURST,
                    msg -> log.operatorAction("kube-api", options.kubeApi(), msg));
        }
        if (l4lbManaged(node)) {
            l4lb = L4lbPart.start(node, options.servicesDir(), kubeApi, datapathOptions(loaded), options.hostDevices(), options.xdp(),
                    options.etcdUrls() == null ? null : PodNetwork.openStore(options), announcer, log, metrics.registry());
        } else if (options.services() || options.policy() || loaded.masquerade().enabled()) {
            datapath = ServiceDatapath.start(datapathOptions(loaded), options.servicesDir(), kubeApi,
                    options.hostDevices(), options.xdp(), options.node(), options.socketLbCgroup(), log);
            metrics.registry().getPrometheusRegistry().register(new DatapathCounters(datapath.datapath()::metrics));
        }
        if (options.xdp() != null && datapath == null && l4lb == null) {
            throw new IllegalArgumentException("--xdp: the XDP fast path serves Services (--services-dir or --kube-api) or, on an"
                    + " L4LB host, its VIPs; host " + node.name() + " has neither");
        }
        if (options.socketLbCgroup() != null && datapath == null) {
            throw new IllegalArgumentException("--socket-lb-cgroup: socket-level load balancing runs in a node's Service datapath,"
                    + " not on L4LB host " + node.name());
        }
        if (options.policy()) {
            if (datapath == null) {
                throw new IllegalArgumentException((options.policyDir() != null ? "--policy-dir" : "--kube-api-policy")
                        + ": ingress policy runs in a node's pod datapath, not on L4LB host " + node.name());
            }
            policy = PolicyPart.start(datapath.datapath(), options, loaded, node, pods, log, metrics.registry(), kubeApi);
        }

        masquerade = MasqueradePart.startFor(loaded, node, datapath == null ? null : datapath.datapath(), options.hostDevices(), log,
                metrics.registry().getPrometheusRegistry(), null);

        nodeNet = NodeNetworkingBinding.start(options, node, pods, speaker, loop, datapath, policy, log, restarting);

        if (options.exabgpSocket() != null || !options.exabgpProcesses().isEmpty()) {
            exabgp = ExaBgpPart.start(node, options.exabgpSocket(), options.exabgpProcesses(), announcer, log);
        }

        ControlServerConfig cfg = ControlServerConfig.defaults().withUnixSocket(options.controlSocket());
        if (options.metricsAddress() != null) {
            cfg = cfg.withMetricsTcp(options.metricsAddress());
        }
        if (options.controlTcp() != null) {
            cfg = cfg.withControlTcp(options.controlTcp());
        }
        control = ControlServer.start(access.applyTo(cfg),
                view = new SpeakerView(speaker, loop, bfd, () -> speakerConfig.localAs(), datapath, pods).withSources(routeSources).withL4lb(l4lb)
                        .withPolicy(policy).withMasquerade(masquerade).withPendingUnnumbered(this::pendingUnnumbered),
                new SpeakerControl(speaker, loop, this::reload, bfd, pods, routeSources).withL4lb(l4lb).withPolicy(policy), metrics,
                (caller, action, target, status, outcome) ->
                        log.operatorCommand(caller.describe(), caller.via(), action, target, status, outcome),
                new io.gannet.agent.cli.CliText());
        synchronized (this) {
            started = true;
        }
        relink(); // an unnumbered switch that advertised while we were starting
    }

    /**
     * The operator routes stored with {@code gannet announce --persist}, checked as the API
     * checks them; a bad entry is logged and skipped.
     */
    private List<LocalRoute> restoreOperatorRoutes() throws IOException {
        OperatorRoutes operatorRoutes = new OperatorRoutes(options.stateDir());
        routeSources = new RouteSources(() -> {
            NodeConfig n = node;
            return n == null ? List.of() : SpeakerConfiguration.originatedRoutes(n);
        }, options.profile().getFileName() + ", host " + options.node(), operatorRoutes);
        List<String> problems = new ArrayList<>();
        List<LocalRoute> out = new ArrayList<>();
        for (io.gannet.agent.control.Announcement a : operatorRoutes.loadPersisted(problems)) {
            out.add(SpeakerControl.localRoute(a));
        }
        problems.forEach(p -> log.operatorAction("restore", OperatorRoutes.FILE, p));
        if (!out.isEmpty()) {
            log.operatorAction("restore", OperatorRoutes.FILE, "announcing " + out.size()
                    + " route(s) stored with gannet announce --persist: " + out.stream().map(r -> r.prefix().toString()).toList());
        }
        return out;
    }

    /**
     * RFC 4724 restarting speaker or not: the state directory's record when it has one, else the
     * forwarding state an earlier run left and this run re-adopts ({@link RestartEvidence}).
     */
    private RestartEvidence.Decision restartDecision() {
        RestartMarker.Record record = marker.previous();
        boolean recorded = record == RestartMarker.Record.LEFT_ROUTES || record == RestartMarker.Record.STOPPED_CLEANLY;
        RestartEvidence.Evidence evidence = recorded ? RestartEvidence.Evidence.NONE
                : RestartEvidence.gather(node.vipPool(), l4lbManaged(node) ? datapathOptions(loaded).pinRoot() : null,
                        options.fib() || options.cniSocket() != null ? io.gannet.linux.netlink.RtNetlink::open : null);
        return RestartEvidence.decide(record, options.stateDir(), evidence);
    }

    /** Sends the End-of-RIB an L4LB host held, once (either caller may come first). */
    private void releaseEndOfRib(String why) {
        if (endOfRibHeld.compareAndSet(true, false)) {
            loop.call(() -> {
                speaker.routes().holdEndOfRib(false);
                return null;
            });
            log.operatorAction("graceful-restart", node.name(), "End-of-RIB sent to the peers: " + why);
        }
    }

    private boolean l4lbManaged(NodeConfig n) {
        return n.role() == io.gannet.topology.config.Role.L4LB && options.services();
    }

    /** What the daemon originates itself: on a managed L4LB host the VIPs are the L4LB's to announce. */
    private List<LocalRoute> originated(NodeConfig n) {
        List<LocalRoute> all = SpeakerConfiguration.originatedRoutes(n);
        if (!l4lbManaged(n)) {
            return all;
        }
        List<io.gannet.bgp.wire.attr.Prefix> vips = n.vips().stream().map(SpeakerConfiguration::prefix).toList();
        return all.stream().filter(r -> !vips.contains(r.prefix())).toList();
    }

    private NodeConfig render() throws IOException, ProfileException {
        LoadedProfile profile = TopologyProfiles.load(options.profile());
        if (profile.hasErrors()) {
            throw new ProfileException(String.join("\n", profile.problems().stream().map(Object::toString).toList()));
        }
        loaded = profile;
        return profile.nodeConfig(options.node());
    }

    private String addressOf(String peer) {
        return peerAddresses.getOrDefault(peer, "");
    }

    private static Map<String, String> addresses(SpeakerConfig config) {
        Map<String, String> m = new HashMap<>();
        config.peers().forEach(p -> m.put(p.name(), p.address().getHostAddress()));
        return Map.copyOf(m);
    }

    /**
     * Re-reads the profile and applies what can change at run time: neighbors added, removed or
     * changed (only those sessions are touched), announcements, policies, and on an L4LB host the
     * VIP pool, its VIPs and their communities. Speaker identity
     * changes (router id, AS, listen address) are reported as needing a restart and nothing is
     * applied; a changed ECMP width is reported as needing a restart and the rest is applied.
     */
    public synchronized ReloadResult reload() {
        NodeConfig next;
        NodeConfig unresolved;
        String masqueradeBefore = MasqueradePart.describe(loaded);
        int maglevBefore = loaded.maglevTableSize();
        try {
            next = render();
            if (pods != null) {
                next = pods.apply(next);
                pods.profileChanged(loaded);
            }
            if (policy != null) {
                policy.profileChanged(loaded, next);
            }
            unresolved = next;
            next = linkLocal.resolve(next);
        } catch (IOException | ProfileException e) {
            throw new ControlException(ControlException.Kind.INVALID_CONFIG, "profile not applied: " + e.getMessage());
        }
        NodeConfigDiff diff = NodeConfigDiff.between(node, next);
        List<ReloadResult.Part> parts = new ArrayList<>();
        if (diff.speakerRestart()) {
            parts.add(new ReloadResult.Part("speaker", ReloadResult.Outcome.RESTART_REQUIRED, String.join("; ", diff.speakerChanges())));
            log.operatorAction("reload", node.name(), "restart required: " + diff.speakerChanges());
            return new ReloadResult(parts);
        }
        Map<RoutePolicy, Policy> nextPolicies = new HashMap<>(policies);
        SpeakerConfig nextConfig;
        try {
            nextConfig = SpeakerConfiguration.speakerConfig(next, nextPolicies);
        } catch (IllegalArgumentException e) {
            // A profile the checker accepts can still hold a policy the speaker cannot express
            // (PolicyTranslation's limits): the operator's error, refused before anything changed.
            throw new ControlException(ControlException.Kind.INVALID_CONFIG, "profile not applied: " + e.getMessage());
        }
        nextPolicies.keySet().retainAll(List.of(next.importPolicy(), next.exportPolicy()));
        // The RIB fixes its multipath width when the speaker starts; the running value stays
        // in the configuration (and so in every later reload's answer) until a restart.
        int runningMaxPaths = speakerConfig.maxPaths();
        int wantedMaxPaths = nextConfig.maxPaths();
        nextConfig = withRunningMaxPaths(nextConfig);
        boolean neighborsChanged = !diff.added().isEmpty() || !diff.removed().isEmpty() || !diff.changed().isEmpty()
                || diff.policyChanged();
        if (neighborsChanged) {
            reconfigureSessions(next, diff, nextConfig, "reload");
        }
        List<LocalRoute> before = originated(node);
        List<LocalRoute> after = originated(next);
        boolean announcementsChanged = !before.equals(after);
        if (announcementsChanged) {
            loop.call(() -> {
                for (LocalRoute r : before) {
                    if (after.stream().noneMatch(a -> a.prefix().equals(r.prefix()))) {
                        speaker.routes().withdraw(r.prefix());
                    }
                }
                for (LocalRoute r : after) {
                    if (!before.contains(r)) {
                        speaker.routes().announce(r);
                    }
                }
                return null;
            });
        }
        policies.clear();
        policies.putAll(nextPolicies);
        node = next;
        // Only an applied profile: a refused one (restart required, a policy the speaker cannot
        // express) must not reach the sessions later through a learned link-local address.
        rendered = unresolved;
        linkLocal.watch(unresolved);
        speakerConfig = nextConfig;
        peerAddresses = addresses(nextConfig);
        parts.add(new ReloadResult.Part("neighbors", neighborsChanged ? ReloadResult.Outcome.APPLIED : ReloadResult.Outcome.UNCHANGED,
                describe(diff)));
        if (wantedMaxPaths != runningMaxPaths) {
            parts.add(new ReloadResult.Part("maximum paths", ReloadResult.Outcome.RESTART_REQUIRED,
                    "maxPaths: " + runningMaxPaths + " -> " + wantedMaxPaths + " (the RIB's multipath width is set when the speaker starts)"));
        }
        parts.add(new ReloadResult.Part("announcements", announcementsChanged ? ReloadResult.Outcome.APPLIED : ReloadResult.Outcome.UNCHANGED,
                announcementsChanged ? "now " + next.announcements() : ""));
        if (loaded.maglevTableSize() != maglevBefore && (l4lb != null || datapath != null)) {
            parts.add(new ReloadResult.Part("maglev table size", ReloadResult.Outcome.RESTART_REQUIRED, "maglev.tableSize: "
                    + maglevBefore + " -> " + loaded.maglevTableSize() + " (the datapath's tables are sized when gannet run starts;"
                    + " restart every L4LB host, as they must agree)"));
        }
        if (l4lb != null) {
            parts.add(l4lb.reload(next));
        }
        if (exabgp != null) {
            parts.add(exabgp.reload(next));
        }
        String masqueradeAfter = MasqueradePart.describe(loaded);
        if (!masqueradeAfter.equals(masqueradeBefore)) {
            parts.add(reloadMasquerade(masqueradeBefore, masqueradeAfter));
        }
        log.operatorAction("reload", node.name(), parts.toString());
        return new ReloadResult(parts);
    }

    /**
     * spec.masquerade changed: the running part stops and the new one starts on the same
     * datapath (translations in the table stay and expire as usual). Without a pod datapath
     * (started with masquerade off and no --services-dir or --policy-dir) it needs a restart.
     */
    private ReloadResult.Part reloadMasquerade(String before, String after) {
        if (datapath == null) {
            return new ReloadResult.Part("masquerade", ReloadResult.Outcome.RESTART_REQUIRED, before + " -> " + after
                    + " (this gannet run has no pod datapath to translate in: it starts with spec.masquerade on, --services-dir or --policy-dir)");
        }
        try {
            MasqueradePart next = MasqueradePart.startFor(loaded, node, datapath.datapath(), options.hostDevices(), log,
                    metrics.registry().getPrometheusRegistry(), masquerade);
            masquerade = next;
            if (view != null) {
                view.withMasquerade(next);
            }
            return new ReloadResult.Part("masquerade", ReloadResult.Outcome.APPLIED, before + " -> " + after);
        } catch (IllegalArgumentException e) {
            return new ReloadResult.Part("masquerade", ReloadResult.Outcome.RESTART_REQUIRED, before + " -> " + after
                    + " not applied: " + e.getMessage());
        }
    }

    /**
     * An unnumbered switch's link-local address was learned (or changed): its session starts
     * there (or moves), as a reload would apply it; nothing else is touched.
     */
    private synchronized void relink() {
        if (!started || closed) {
            return; // still starting (the start looks once more at its end), or stopped
        }
        NodeConfig next = linkLocal.resolve(rendered);
        NodeConfigDiff diff = NodeConfigDiff.between(node, next);
        if (diff.added().isEmpty() && diff.removed().isEmpty() && diff.changed().isEmpty()) {
            return;
        }
        SpeakerConfig nextConfig = withRunningMaxPaths(SpeakerConfiguration.speakerConfig(next, new HashMap<>(policies)));
        reconfigureSessions(next, diff, nextConfig, "unnumbered");
        node = next;
        speakerConfig = nextConfig;
        peerAddresses = addresses(nextConfig);
        log.operatorAction("unnumbered", node.name(), describe(diff));
    }

    /** Unnumbered neighbors of the applied profile whose switch has not advertised yet. */
    private List<io.gannet.topology.config.NeighborConfig> pendingUnnumbered() {
        return rendered == null || linkLocal == null ? List.of() : linkLocal.pending(rendered);
    }

    /** The datapath's options: the command line's, with the profile's Maglev table size (the same on every host). */
    private io.gannet.bpf.DatapathOptions datapathOptions(LoadedProfile profile) {
        return options.datapathOptions().withMaglevTableSize(profile.maglevTableSize());
    }

    /** The RIB fixes its multipath width when the speaker starts: the running value stays until a restart. */
    private SpeakerConfig withRunningMaxPaths(SpeakerConfig c) {
        return new SpeakerConfig(c.localAs(), c.routerId(), c.listenAddress(), c.listenPort(), c.clusterId(), speakerConfig.maxPaths(),
                c.peers(), c.dynamicNeighbors(), c.moreListenAddresses());
    }

    /** Hands the speaker its next sessions (only changed ones are touched) and BFD its next sessions. */
    private void reconfigureSessions(NodeConfig next, NodeConfigDiff diff, SpeakerConfig nextConfig, String action) {
        Map<String, String> during = new HashMap<>(addresses(nextConfig));
        during.putAll(peerAddresses);
        peerAddresses = Map.copyOf(during);
        diff.sessionsToReset(next).forEach(bfd::resettingSession);
        speaker.reconfigure(nextConfig);
        try {
            bfd.apply(next);
        } catch (IOException e) {
            log.operatorAction(action, node.name(), "BFD sessions not updated: " + e.getMessage());
        }
    }

    private static String describe(NodeConfigDiff diff) {
        List<String> s = new ArrayList<>();
        diff.added().forEach(n -> s.add("added " + n.name()));
        diff.removed().forEach(n -> s.add("removed " + n.name()));
        diff.changed().forEach(c -> s.add("changed " + c.name() + " " + c.fields()));
        if (diff.policyChanged()) {
            s.add("policy changed");
        }
        return String.join("; ", s);
    }

    /** Blocks until {@link #close} ran. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** The control socket this daemon serves. */
    public Path controlSocket() {
        return options.controlSocket();
    }

    /**
     * Stops with the configured SIGTERM behaviour: graceful restart (TCP close without
     * NOTIFICATION, the marker stays so the next daemon is the restarting speaker) when any
     * neighbor negotiates it, a Cease NOTIFICATION to every peer otherwise.
     */
    @Override
    public void close() {
        boolean graceful = node != null && node.neighbors().stream().anyMatch(n -> n.gracefulRestart());
        close(graceful);
    }

    public synchronized void close(boolean gracefulRestart) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (linkLocal != null) {
                linkLocal.close();
            }
            if (control != null) {
                control.close();
            }
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
            if (nodeNet != null) {
                nodeNet.close();
            }
            if (policy != null) {
                policy.close();
            }
            if (masquerade != null) {
                masquerade.close();
            }
            if (datapath != null) {
                datapath.close();
            }
            if (kubeApi != null) {
                kubeApi.close();
            }
            if (pods != null) {
                pods.close();
            }
            if (exabgp != null) {
                exabgp.close();
            }
            if (l4lb != null) {
                l4lb.close();
            }
            if (speaker != null) {
                speaker.stop(gracefulRestart, gracefulRestart ? null : "gannet shutting down");
                log.operatorAction("stop", node == null ? options.node() : node.name(),
                        gracefulRestart ? "graceful restart: peers keep our routes" : "Cease sent to every peer");
            }
            if (bfd != null) {
                // After the speaker: BFD AdminDown (RFC 5882 3.2) must not beat a graceful BGP close.
                bfd.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            if (!gracefulRestart && claim != null) {
                // Only the daemon that holds the state dir's lock owns its marker. A Cease went to
                // every peer: the next run is not restarting, whatever forwarding state it finds.
                if (speaker != null) {
                    marker.markStoppedCleanly(ProcessHandle.current().pid());
                } else {
                    marker.clear();
                }
            }
        } catch (IOException e) {
            log.operatorAction("stop", options.node(), "could not clear restart marker: " + e.getMessage());
        } finally {
            if (claim != null) {
                claim.close();
            }
            stopped.countDown();
        }
    }
}
