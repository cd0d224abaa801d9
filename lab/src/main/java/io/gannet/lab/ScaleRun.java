package io.gannet.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gannet.lab.Lab.LabException;
import io.gannet.lab.Lab.Router;
import io.gannet.linux.Netns;
import io.gannet.linux.NetworkNamespace;
import io.gannet.linux.ProcessStats;
import io.gannet.topology.LoadedProfile;
import io.gannet.topology.ProfileException;
import io.gannet.topology.TopologyProfiles;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code gannet lab scale}: how a core holds up under many nodes, on one machine. One core
 * switch (FRR, BIRD or Gannet, configured by {@code profile render --switch} from a generated
 * ibgp-core profile of N nodes) runs in a namespace of its own; N lightweight nodes
 * ({@link ScaleNode}: real BGP over real sockets, each from its own address, all in one JVM
 * and one more namespace) connect to it at once and announce their PodCIDRs with graceful
 * restart. The run measures the time until every session is Established and until every
 * PodCIDR sits in the core's kernel table with the node as next hop, the core's peak memory
 * and CPU, then restarts a share of the nodes (their connections close without a
 * NOTIFICATION, they come back with the Restart State bit, announce again and send
 * End-of-RIB) and measures how long that takes and whether any PodCIDR left the core's table
 * meanwhile. Everything is recorded in {@code DIR/lab.json} before it is created and removed
 * at the end ({@code gannet lab down} finds it after a run that was killed).
 */
public final class ScaleRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Nodes live at 10.64.x.y/16, the core at 10.64.0.1; PodCIDRs are /24s of 10.128.0.0/9. */
    static final String CORE = "10.64.0.1";
    static final String POD_POOL = "10.128.0.0/9";
    static final int MAX_NODES = 10_000;
    static final long AS = 4200000000L;
    private static final int HOLD = 30;
    private static final int RESTART_TIME = 120;

    /**
     * @param restartShare share of the nodes restarted after convergence (0 to 1)
     * @param keep         leave everything up (for {@code lab status}/{@code down})
     */
    public record Options(String name, int nodes, Router router, Path dir, List<String> gannetCommand, Map<String, String> env,
            double restartShare, Duration timeout, boolean keep) {}

    /** What the run measured; times in milliseconds from the nodes' start (restart times from the restart). */
    public record Result(String name, String core, int nodes, long coreReadyMs, long establishedMs, long routesMs, double corePeakRssMiB,
            double coreRssMiB, double coreCpuSeconds, double coreCpuSecondsSinceStart, int restarted, long restartEstablishedMs,
            long restartEndOfRibMs, int minRoutesDuringRestart, long restartRoutesMs, double coreCpuSecondsRestart, long routeRefreshes,
            int flaps, Map<String, Long> flapReasons, List<String> failures) {

        public boolean ok() {
            return establishedMs >= 0 && routesMs >= 0 && failures.isEmpty()
                    && (restarted == 0 || (restartEndOfRibMs >= 0 && restartRoutesMs >= 0 && minRoutesDuringRestart == nodes));
        }

        public String json() {
            try {
                return JSON.writeValueAsString(this);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public void print(PrintWriter out) {
            out.printf("lab scale %s: %d nodes (in-process BGP speakers in one JVM, one address each) against %s%n", name, nodes, core);
            out.printf("  core started, listening and configured for every node: %s%n", seconds(coreReadyMs));
            out.printf("  all sessions Established:                 %s%n", seconds(establishedMs));
            out.printf("  all %d PodCIDRs in the core's kernel table: %s%n", nodes, seconds(routesMs));
            out.printf("  core: peak RSS %.0f MiB (now %.0f MiB), CPU %.1f s while converging, %.1f s since it started%n",
                    corePeakRssMiB, coreRssMiB, coreCpuSeconds, coreCpuSecondsSinceStart);
            if (routeRefreshes > 0) {
                out.printf("  the core asked %d times for a node's routes again (ROUTE-REFRESH, answered)%n", routeRefreshes);
            }
            if (flaps > 0) {
                out.printf("  the core ended %d Established sessions (the nodes connected again): %s%n", flaps, flapReasons);
            }
            if (restarted > 0) {
                out.printf("  graceful restart of %d nodes (connection closed, back with the Restart State bit):%n", restarted);
                out.printf("    sessions back %s, End-of-RIB sent %s, PodCIDRs in the core's table throughout: %s (fewest %d of %d),"
                        + " table complete %s; core CPU %.1f s%n", seconds(restartEstablishedMs), seconds(restartEndOfRibMs),
                        minRoutesDuringRestart == nodes ? "yes" : "NO", minRoutesDuringRestart, nodes, seconds(restartRoutesMs),
                        coreCpuSecondsRestart);
            }
            failures.forEach(f -> out.println("  FAILED: " + f));
            out.println(ok() ? "lab scale " + name + ": converged" : "lab scale " + name + ": did NOT converge");
            out.flush();
        }

        private static String seconds(long ms) {
            return ms < 0 ? "not within the timeout" : String.format("%.2f s", ms / 1000.0);
        }
    }

    private ScaleRun() {}

    /** The generated profile: one core, N nodes with pinned PodCIDRs, graceful restart, no BFD (the light nodes run none). */
    static String profile(int nodes) {
        StringBuilder b = new StringBuilder(256 + nodes * 80);
        b.append("""
                # gannet lab scale: one core and %d nodes
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: scale}
                spec:
                  model: ibgp-core
                  asn: {scheme: single, base: %d}
                  podCIDRPool: {cidr: %s, prefixLength: 24}
                  bgp:
                    holdTime: %d
                    connectRetry: 10
                    gracefulRestart: {enabled: true, restartTime: %d}
                  bfd: {enabled: false}
                  inventory:
                    switches:
                      - {name: core1, addresses: [%s]}
                    hosts:
                """.formatted(nodes, AS, POD_POOL, HOLD, RESTART_TIME, CORE));
        for (int i = 0; i < nodes; i++) {
            b.append("      - {name: n").append(i + 1).append(", address: ").append(nodeAddress(i)).append(", podCIDR: ")
                    .append(podCidr(i)).append("/24}\n");
        }
        return b.toString();
    }

    static String nodeAddress(int i) {
        return "10.64." + (1 + i / 250) + "." + (1 + i % 250);
    }

    static String podCidr(int i) {
        return "10." + (128 + i / 256) + "." + (i % 256) + ".0";
    }

    public static Result run(Options o, PrintWriter out) throws LabException, IOException, InterruptedException {
        Lab.checkName(o.name());
        if (o.nodes() < 1 || o.nodes() > MAX_NODES) {
            throw new LabException("--nodes " + o.nodes() + ": a scale run has 1 to " + MAX_NODES + " nodes");
        }
        if (!"0".equals(Lab.uid())) {
            throw new LabException("gannet lab scale needs root (network namespaces): run it in a root shell");
        }
        List<String> missing = Lab.missingForSwitches(o.router());
        if (!missing.isEmpty()) {
            throw new LabException("missing on this machine, install and run again (nothing was created):\n  " + String.join("\n  ", missing));
        }
        if (LabState.read(o.dir()) != null || !Lab.existingNamespaces(o.name()).isEmpty()) {
            throw new LabException("a lab named " + o.name() + " exists (state in " + o.dir() + "); run: gannet lab down --name " + o.name());
        }
        String yaml = profile(o.nodes());
        LoadedProfile p = TopologyProfiles.parse("scale.yaml", yaml);
        if (p.hasErrors()) {
            throw new IllegalStateException("the generated profile has errors: " + p.problems());
        }
        String coreConfig;
        try {
            coreConfig = p.renderSwitch("core1", SwitchFormat.valueOf(o.router().name()), SecretResolver.referencesOnly());
        } catch (ProfileException e) {
            throw new IllegalStateException("rendering the core: " + e.getMessage(), e);
        }

        Files.createDirectories(o.dir());
        Files.setPosixFilePermissions(o.dir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(o.dir().resolve("profile.yaml"), yaml);
        LabState.Data d = new LabState.Data();
        d.name = o.name();
        d.profile = o.dir().resolve("profile.yaml").toString();
        d.router = o.router().name().toLowerCase();
        d.dir = o.dir().toAbsolutePath().toString();
        d.segment = "10.64.0.0/16";
        LabState state = LabState.create(o.dir(), d);
        Result result;
        ExecutorService nsThread = null;
        ServerSocketChannel listener = null;
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("scale-keepalives").unstarted(r));
        try {
            String pre = Lab.nsPrefix(o.name());
            NetworkNamespace coreNs = Lab.newNamespace(state, pre + "core");
            NetworkNamespace nodesNs = Lab.newNamespace(state, pre + "nodes");
            wire(coreNs, nodesNs, o.nodes());
            Path swDir = o.dir().resolve("switches").resolve("core1");
            Files.createDirectories(swDir);
            d.switches.add(new LabState.Switch("core1", coreNs.name(), CORE, swDir.toString(), d.router));
            long coreStart = System.nanoTime();
            List<Long> corePids = startCore(o, state, coreNs, swDir, coreConfig);
            awaitReady(o, coreNs, Duration.ofSeconds(300), swDir);
            long coreReadyMs = ms(coreStart);
            out.printf("lab scale %s: core1 (%s) listening and configured after %.1f s; starting %d nodes%n", o.name(), d.router,
                    coreReadyMs / 1000.0, o.nodes());
            out.flush();

            Path nodesPath = Netns.named(nodesNs.name());
            nsThread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("scale-netns").unstarted(() -> {
                Netns.enterOnThisThread(nodesPath);
                r.run();
            }));
            ExecutorService sockets = nsThread;
            ScaleNode.Sockets inNodes = () -> {
                try {
                    return sockets.submit(() -> SocketChannel.open(StandardProtocolFamily.INET)).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (ExecutionException e) {
                    throw new IOException(e.getCause().getMessage(), e.getCause());
                }
            };
            InetSocketAddress core = new InetSocketAddress(InetAddress.getByName(CORE), 179);
            List<ScaleNode> nodes = new ArrayList<>(o.nodes());
            Map<String, String> expected = new HashMap<>();
            Map<InetAddress, ScaleNode> byAddress = new HashMap<>();
            for (int i = 0; i < o.nodes(); i++) {
                Inet4Address address = (Inet4Address) InetAddress.getByName(nodeAddress(i));
                ScaleNode n = new ScaleNode("n" + (i + 1), address, core, AS, HOLD, RESTART_TIME, (Inet4Address) InetAddress.getByName(podCidr(i)), 24);
                nodes.add(n);
                byAddress.put(address, n);
                expected.put(podCidr(i) + "/24", nodeAddress(i));
            }
            listener = sockets.submit(() -> {
                ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.INET);
                l.bind(new InetSocketAddress(179), 4096);
                return l;
            }).get();
            ServerSocketChannel accepting = listener;
            Thread.ofVirtual().name("scale-listener").start(() -> {
                while (accepting.isOpen()) {
                    try {
                        SocketChannel c = accepting.accept();
                        ScaleNode n = byAddress.get(((InetSocketAddress) c.getLocalAddress()).getAddress());
                        if (n == null) {
                            c.close();
                        } else {
                            Thread.ofVirtual().start(() -> n.inbound(c));
                        }
                    } catch (IOException e) {
                        return; // closed at the end of the run
                    }
                }
            });
            CoreUsage usage = new CoreUsage(corePids);
            double cpu0 = usage.cpu();
            long t0 = System.nanoTime();
            for (ScaleNode n : nodes) {
                n.start(inNodes, timers, false);
            }
            long deadline = t0 + o.timeout().toNanos();
            long established = -1;
            long routes = -1;
            while (System.nanoTime() < deadline && (established < 0 || routes < 0)) {
                if (established < 0 && nodes.stream().allMatch(ScaleNode::established)) {
                    established = ms(t0);
                }
                if (routes < 0 && coreRoutes(coreNs, expected) == expected.size()) {
                    routes = ms(t0);
                }
                Thread.sleep(100);
            }
            long convergeMs = ms(t0);
            double cpuConverge = usage.cpu() - cpu0;
            double peak = usage.peakRss();
            double rss = usage.rss();
            double cpuTotal = usage.cpu();

            int restarted = 0;
            long backMs = -1;
            long eorMs = -1;
            long fullMs = -1;
            int fewest = coreRoutes(coreNs, expected);
            double cpuRestart = 0;
            List<ScaleNode> restart = new ArrayList<>();
            if (routes >= 0 && o.restartShare() > 0) {
                int every = (int) Math.max(1, Math.round(1 / o.restartShare()));
                for (int i = 0; i < nodes.size(); i += every) {
                    restart.add(nodes.get(i));
                }
                restarted = restart.size();
                double c0 = usage.cpu();
                long r0 = System.nanoTime();
                restart.forEach(ScaleNode::drop);
                Thread.sleep(1000); // the nodes are down for a second, as a restarting agent is
                restart.forEach(n -> n.start(inNodes, timers, true));
                long rDeadline = r0 + o.timeout().toNanos();
                // Until every measure is in and every node is Established at once: a session the core
                // ended meanwhile (FRR does) comes back after the node's ConnectRetry, and the run
                // judges the end state, not an instant between the two.
                while (System.nanoTime() < rDeadline && (eorMs < 0 || fullMs < 0 || backMs < 0 || !nodes.stream().allMatch(ScaleNode::established))) {
                    int here = coreRoutes(coreNs, expected);
                    fewest = Math.min(fewest, here);
                    if (backMs < 0 && restart.stream().allMatch(n -> n.established() && n.establishedNanos() > r0)) {
                        backMs = ms(r0);
                    }
                    if (eorMs < 0 && restart.stream().allMatch(n -> n.endOfRibNanos() > r0)) {
                        eorMs = ms(r0);
                    }
                    if (eorMs >= 0 && here == expected.size()) {
                        fullMs = ms(r0);
                    }
                    Thread.sleep(100);
                }
                cpuRestart = usage.cpu() - c0;
            }
            List<String> failures = new ArrayList<>();
            List<ScaleNode> down = nodes.stream().filter(n -> !n.established()).toList();
            if (!down.isEmpty()) {
                Map<String, Long> why = new TreeMap<>();
                down.forEach(n -> why.merge(n.notYet() == null ? "connecting or waiting for the core's OPEN" : n.notYet(), 1L, Long::sum));
                failures.add(down.size() + " sessions not Established at the end (" + (established < 0 ? convergeMs / 1000 + " s after the start"
                        : "the restart") + "; why: " + why + "); the core's log: " + SwitchStatus.log(d.switches.get(0)));
            }
            Map<String, Long> flapReasons = new TreeMap<>();
            nodes.stream().filter(n -> n.flaps() > 0).forEach(n -> flapReasons.merge(String.valueOf(n.lastFlap()), (long) n.flaps(), Long::sum));
            result = new Result(o.name(), coreName(o.router()), o.nodes(), coreReadyMs, established, routes, peak, rss, cpuConverge, cpuTotal,
                    restarted, backMs, eorMs, fewest, fullMs, cpuRestart, nodes.stream().mapToLong(ScaleNode::refreshes).sum(),
                    nodes.stream().mapToInt(ScaleNode::flaps).sum(), flapReasons, failures);
            Files.writeString(o.dir().resolve("scale.json"), result.json());
            nodes.forEach(ScaleNode::drop);
        } catch (ExecutionException e) {
            throw new LabException("the nodes cannot listen on port 179 in their namespace: " + e.getCause().getMessage());
        } finally {
            if (listener != null) {
                listener.close();
            }
            timers.shutdownNow();
            if (nsThread != null) {
                nsThread.shutdownNow();
            }
        }
        result.print(out);
        if (!o.keep()) {
            Lab.down(o.dir());
            out.println("lab scale " + o.name() + ": removed everything it created");
        } else {
            out.println("left up: gannet lab down --name " + o.name());
        }
        out.flush();
        return result;
    }

    private static String coreName(Router r) {
        return switch (r) {
            case FRR -> "an FRR core (bgpd + zebra)";
            case BIRD -> "a BIRD core";
            case GANNET -> "a Gannet core (gannet run --fib, the launcher's JVM flags)";
        };
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * One veth between the core's and the nodes' namespaces; every node address on the nodes'
     * end; permanent neighbour entries both ways, so thousands of peers neither wait for ARP nor
     * overflow the kernel's shared neighbour table (permanent entries are exempt from its limit).
     */
    private static void wire(NetworkNamespace core, NetworkNamespace nodes, int count) throws IOException, InterruptedException {
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", core.name(), "type", "veth", "peer", "name", "eth0", "netns", nodes.name());
        core.exec("ip", "addr", "add", CORE + "/16", "dev", "eth0");
        core.exec("ip", "link", "set", "eth0", "up");
        core.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        nodes.exec("ip", "link", "set", "eth0", "up");
        String nodesMac = mac(nodes);
        String coreMac = mac(core);
        StringBuilder addrs = new StringBuilder();
        StringBuilder neigh = new StringBuilder();
        for (int i = 0; i < count; i++) {
            addrs.append("addr add ").append(nodeAddress(i)).append("/16 dev eth0\n");
            neigh.append("neigh replace ").append(nodeAddress(i)).append(" lladdr ").append(nodesMac).append(" dev eth0 nud permanent\n");
        }
        batch(nodes, addrs.toString());
        batch(core, neigh.toString());
        nodes.exec("ip", "neigh", "replace", CORE, "lladdr", coreMac, "dev", "eth0", "nud", "permanent");
    }

    private static String mac(NetworkNamespace ns) {
        Matcher m = Pattern.compile("link/ether (\\S+)").matcher(ns.exec("ip", "link", "show", "eth0"));
        if (!m.find()) {
            throw new IllegalStateException("no MAC address on eth0 in " + ns.name());
        }
        return m.group(1);
    }

    private static void batch(NetworkNamespace ns, String commands) throws IOException, InterruptedException {
        Path f = Files.createTempFile("gannet-scale", ".ip");
        try {
            Files.writeString(f, commands);
            Process p = new ProcessBuilder("ip", "-n", ns.name(), "-batch", f.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("ip -batch in " + ns.name() + " failed: " + text);
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** Starts the core; returns the pids whose memory and CPU are the core's. */
    private static List<Long> startCore(Options o, LabState state, NetworkNamespace ns, Path dir, String config)
            throws IOException, InterruptedException, LabException {
        LabState.Data d = state.data();
        try {
            switch (o.router()) {
                case FRR -> {
                    for (String daemon : FrrRoutingSwitch.daemons()) {
                        d.pidFiles.add(dir.resolve(daemon + ".pid").toString());
                    }
                    state.save();
                    FrrRoutingSwitch.start(ns, dir, config);
                    // bfdd has no session here: the core's BGP work is bgpd's and zebra's
                    return List.of(pidFrom(dir.resolve("bgpd.pid")), pidFrom(dir.resolve("zebra.pid")));
                }
                case BIRD -> {
                    d.pidFiles.add(dir.resolve("bird.pid").toString());
                    state.save();
                    BirdSwitch.start(ns, dir, config + Lab.BIRD_DIRECT);
                    return List.of(pidFrom(dir.resolve("bird.pid")));
                }
                default -> {
                    Path profile = dir.resolve("profile.yaml");
                    Files.writeString(profile, config);
                    long pid = Lab.startDaemon(o.gannetCommand(), o.env(), ns, "core1", profile, dir, List.of("--fib"));
                    d.pids.add(pid);
                    state.save();
                    return List.of(pid);
                }
            }
        } catch (IOException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new LabException("the core did not start (" + e.getMessage() + "); its files are in " + dir
                    + "; clean up with: gannet lab down --name " + o.name());
        }
    }

    private static long pidFrom(Path f) throws IOException {
        return Long.parseLong(Files.readString(f).trim());
    }

    /**
     * Until the core listens on port 179 and, for FRR, has every node as an IPv4 unicast
     * neighbor: bgpd listens while it is still reading a long configuration, and ends sessions
     * that come up before their address family is activated ("No AFI/SAFI activated"). Gannet
     * and BIRD read their whole configuration before they listen.
     */
    private static void awaitReady(Options o, NetworkNamespace core, Duration timeout, Path dir)
            throws InterruptedException, LabException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean listening = false;
        while (System.nanoTime() < deadline) {
            listening = listening
                    || NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", core.name(), "ss", "-Hltn", "sport", "=", ":179").contains(":179");
            if (listening && (o.router() != Router.FRR || frrNeighbors(core, dir) >= o.nodes())) {
                return;
            }
            Thread.sleep(listening ? 500 : 100);
        }
        throw new LabException("the core " + (listening ? "did not have all " + o.nodes() + " neighbors configured" : "does not listen on port 179")
                + " after " + timeout.toSeconds() + " s; see " + dir);
    }

    /** IPv4 unicast neighbors FRR's bgpd has configured so far. */
    static int frrNeighbors(NetworkNamespace core, Path dir) {
        String json = NetworkNamespace.Shell.runQuietly(core.inside("vtysh", "--vty_socket", dir.toString(), "-c",
                "show bgp ipv4 unicast summary json").toArray(String[]::new));
        try {
            var peers = JSON.readTree(json).path("peers");
            return peers.size();
        } catch (IOException e) {
            return 0;
        }
    }

    /** How many of the expected PodCIDRs the core's kernel table holds with the expected next hop. */
    static int coreRoutes(NetworkNamespace core, Map<String, String> expected) {
        String table = NetworkNamespace.Shell.runQuietly("ip", "-n", core.name(), "-4", "route", "show", "root", POD_POOL);
        int n = 0;
        for (String line : table.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp < 0) {
                continue;
            }
            String hop = expected.get(line.substring(0, sp));
            if (hop != null && line.contains("via " + hop + " ")) {
                n++;
            }
        }
        return n;
    }

    /** The core's processes' CPU and memory, summed. */
    private record CoreUsage(List<Long> pids) {
        double cpu() throws IOException {
            double s = 0;
            for (long p : pids) {
                s += new ProcessStats(p).cpuSeconds();
            }
            return s;
        }

        double peakRss() throws IOException {
            double s = 0;
            for (long p : pids) {
                s += new ProcessStats(p).peakRssMiB();
            }
            return s;
        }

        double rss() throws IOException {
            double s = 0;
            for (long p : pids) {
                s += new ProcessStats(p).rssMiB();
            }
            return s;
        }
    }
}
