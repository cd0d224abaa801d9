package io.gannet.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.topology.LoadedProfile;
import io.gannet.topology.ProfileException;
import io.gannet.topology.TopologyProfiles;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.config.Role;
import io.gannet.topology.model.PodCidrPool;
import io.gannet.topology.net.Cidr;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code gannet lab up|status|down}: a profile's fabric in network namespaces on one machine.
 *
 * <p>Shape: one namespace {@code gl-NAME-fab} holds a bridge, the lab's one L2 segment; every
 * switch ({@code gl-NAME-sI}) and node ({@code gl-NAME-nI}) namespace has an {@code eth0} veth
 * into it, addressed as in the profile with the shortest prefix covering all of the lab's
 * addresses (so the profile's racks and cores share the segment, and no pod or VIP address is
 * on it), except an FRR core whose iBGP sessions run multihop BFD: it carries its address as a
 * /32 with an on-link route to the segment, as a core reached over its loopback (FRR runs
 * single-hop BFD for an iBGP neighbor on a connected subnet). Switches are real FRR (zebra,
 * bfdd, bgpd) or BIRD configured by the profile's own switch rendering and forward by what BGP
 * taught them; nodes have a default route over their switches (ECMP), like a rack's hosts.
 * An etcd in {@code gl-NAME-e}, on the segment, is the nodes' one cluster store ({@link LabStore}).
 * Each node runs {@code gannet run --cni-socket --fib --etcd} through the given launcher; its
 * pods are made by the real CNI plugin. Two L4LB hosts sharing a VIP and a client outside the
 * cluster join when the profile has them ({@link LabL4lb}).
 *
 * <p>Every veth has both ends inside the lab's namespaces, so deleting them removes every link.
 */
public final class Lab {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9]{1,10}");
    /** The MD5 key a lab uses for profile references to environment variables that are not set. */
    public static final String LAB_MD5_KEY = "gannet-lab-md5";
    private static final Duration BFD_GRACE = Duration.ofSeconds(10);
    /**
     * Added to a BIRD switch's rendered configuration: connected routes, so the next hops of its
     * multihop (iBGP) sessions resolve and it installs what it learns. FRR's zebra knows them.
     */
    static final String BIRD_DIRECT = "\n# gannet lab: connected routes, so BGP next hops resolve\nprotocol direct gannet_lab_direct {\n  ipv4;\n  interface \"eth0\";\n}\n";

    /** What runs the lab's switches: FRR (zebra, bfdd, bgpd), BIRD 2, or Gannet itself ({@code gannet run --fib}, role router). */
    public enum Router { FRR, BIRD, GANNET }

    /**
     * @param nodeCommand the command that runs {@code gannet} (the launcher, or java with the launcher's flags)
     * @param env         extra environment for the daemons (the launcher's)
     */
    public record Options(String name, Path profile, int nodes, Router router, Path dir, List<String> nodeCommand,
            Map<String, String> env, Path cniPlugin) {}

    /** Thrown for anything the user should fix; the message says what to do. */
    public static final class LabException extends Exception {
        public LabException(String message) {
            super(message);
        }
    }

    private Lab() {}

    public static Path defaultDir(String name) {
        return Path.of("/run/gannet-lab", name);
    }

    public static void checkName(String name) throws LabException {
        if (!NAME.matcher(name).matches()) {
            throw new LabException("lab name '" + name + "': use 1-10 lower-case letters or digits (it prefixes namespace names)");
        }
    }

    static String nsPrefix(String name) {
        return "gl-" + name + "-";
    }

    // ---------------------------------------------------------------- plan (no side effects)

    /** Everything {@code up} will create, decided before anything is. */
    record Plan(String labProfileYaml, LoadedProfile profile, Cidr segment, List<NodeConfig> nodes, Map<String, String> switchAddress,
            Map<String, String> switchConfig, Map<String, String> secretsEnv, LabL4lb.Part l4lb) {}

    static List<String> missingPackages(Router router, Path cniPlugin) {
        List<String> missing = missingForSwitches(router);
        if (!onPath("ping")) {
            missing.add("ping (apt-get install iputils-ping)");
        }
        if (!onPath("python3")) {
            missing.add("python3 (apt-get install python3-minimal): the lab's pods serve and ask HTTP with it");
        }
        if (!onPath("etcd")) {
            missing.add("etcd (apt-get install etcd-server; the lab starts its own, the etcd service may stay off): the nodes' cluster store");
        }
        if (cniPlugin == null || !Files.isExecutable(cniPlugin)) {
            missing.add("the Gannet CNI plugin at " + cniPlugin + " (build it: ./mvnw -pl pod-routing -am compile, or install it in /opt/cni/bin)");
        }
        return missing;
    }

    /** What running the switches as {@code router} needs, and namespaces and daemons in them. */
    static List<String> missingForSwitches(Router router) {
        List<String> missing = new ArrayList<>();
        if (!onPath("ip")) {
            missing.add("iproute2 (apt-get install iproute2)");
        }
        if (!onPath("nsenter") || !onPath("setsid")) {
            missing.add("nsenter and setsid (apt-get install util-linux)");
        }
        if (router == Router.FRR) {
            for (String d : FrrRoutingSwitch.daemons()) {
                if (!Files.isExecutable(Path.of("/usr/lib/frr", d))) {
                    missing.add("FRR's " + d + " (apt-get install frr; the lab starts its own daemons, the frr service may stay off)");
                    break;
                }
            }
            if (!onPath("vtysh")) {
                missing.add("vtysh (apt-get install frr)");
            }
        } else if (router == Router.BIRD && (!onPath("bird") || !onPath("birdc"))) {
            missing.add("BIRD 2 (apt-get install bird2; the lab starts its own bird, the bird service may stay off)");
        }
        return missing;
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return Stream.of("/usr/sbin", "/sbin", "/usr/bin").anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    static Plan plan(Options o) throws LabException, IOException {
        if (!Files.isReadable(o.profile())) {
            throw new LabException(o.profile() + ": no such profile file");
        }
        String original = Files.readString(o.profile());
        LoadedProfile p = TopologyProfiles.parse(o.profile().toString(), original);
        if (p.hasErrors()) {
            StringBuilder b = new StringBuilder("the profile has errors; fix them (gannet profile check " + o.profile() + "):");
            p.problems().forEach(pr -> b.append("\n  ").append(pr));
            throw new LabException(b.toString());
        }
        Map<String, String> secretsEnv = new TreeMap<>();
        SecretResolver secrets = SecretResolver.from(k -> {
            String v = System.getenv(k);
            if (v == null) {
                secretsEnv.put(k, LAB_MD5_KEY);
                return LAB_MD5_KEY;
            }
            secretsEnv.put(k, v);
            return v;
        });
        List<NodeConfig> nodes = new ArrayList<>();
        try {
            for (String host : p.hostNames()) {
                // Roles first, without secrets: hosts the lab does not run may name key files this machine lacks.
                if (nodes.size() < o.nodes() && p.nodeConfig(host, SecretResolver.referencesOnly()).role() == Role.NODE) {
                    nodes.add(p.nodeConfig(host, secrets));
                }
            }
        } catch (ProfileException e) {
            throw new LabException(o.profile() + ": " + e.getMessage());
        }
        if (nodes.size() < o.nodes()) {
            throw new LabException(o.profile() + " has " + nodes.size() + " node hosts; --nodes " + o.nodes() + " needs as many (add hosts or lower --nodes)");
        }
        for (NodeConfig n : nodes) {
            if (n.podCidr() == null && p.podCidrPool().isEmpty()) {
                throw new LabException(o.profile() + ": host " + n.name() + " has no podCIDR and the profile no podCIDRPool: a lab node needs one");
            }
        }
        // The nodes share the lab's etcd: blocks a profile leaves to the store are claimed from it at run time.
        String labYaml = original.contains("file:") ? labCopy(original) : original;
        LoadedProfile labProfile = TopologyProfiles.parse(o.profile().toString(), labYaml);
        if (labProfile.hasErrors()) {
            throw new LabException("the lab's copy of the profile (MD5 key files replaced) has errors: " + labProfile.problems());
        }
        List<NodeConfig> labNodes = new ArrayList<>();
        Map<String, String> switchAddress = new LinkedHashMap<>();
        LabL4lb.Part l4lb;
        try {
            for (NodeConfig n : nodes) {
                NodeConfig c = labProfile.nodeConfig(n.name(), secrets);
                if (!(c.listenAddress() instanceof Inet4Address)) {
                    throw new LabException("host " + n.name() + " has no IPv4 address: the lab builds IPv4 fabrics");
                }
                if (c.addresses().size() > 1 || c.podCidr(false) != null) {
                    throw new LabException("host " + n.name() + " is dual-stack (" + c.addresses().stream().map(java.net.InetAddress::getHostAddress)
                            .toList() + (c.podCidr(false) != null ? ", IPv6 PodCIDR " + c.podCidr(false) : "")
                            + "): the lab builds IPv4 fabrics; give the lab a profile with one IPv4 address per host and an IPv4 pool");
                }
                labNodes.add(c);
                for (NeighborConfig nb : c.neighbors()) {
                    if (nb.address() instanceof Inet4Address) {
                        switchAddress.putIfAbsent(nb.name(), nb.address().getHostAddress());
                    }
                }
            }
            // Two L4LB hosts sharing a VIP (when the lab has echo pods to serve it: two nodes or more).
            List<NodeConfig> lbCandidates = new ArrayList<>();
            for (String host : labProfile.hostNames()) {
                if (labProfile.nodeConfig(host, SecretResolver.referencesOnly()).role() == Role.L4LB) {
                    lbCandidates.add(labProfile.nodeConfig(host, secrets));
                }
            }
            l4lb = labNodes.size() >= 2 ? LabL4lb.choose(lbCandidates) : null;
            if (l4lb != null) {
                for (NodeConfig lb : l4lb.hosts()) {
                    for (NeighborConfig nb : lb.neighbors()) {
                        if (nb.address() instanceof Inet4Address) {
                            switchAddress.putIfAbsent(nb.name(), nb.address().getHostAddress());
                        }
                    }
                }
            }
        } catch (ProfileException e) {
            throw new LabException(o.profile() + ": " + e.getMessage());
        }
        if (switchAddress.isEmpty()) {
            throw new LabException(o.profile() + ": the lab's nodes have no IPv4 switch to peer with");
        }
        Map<String, String> switchConfig = new LinkedHashMap<>();
        try {
            for (String sw : switchAddress.keySet()) {
                switchConfig.put(sw, labProfile.renderSwitch(sw, SwitchFormat.valueOf(o.router().name()), secrets));
            }
        } catch (ProfileException e) {
            throw new LabException(o.profile() + ": rendering a switch: " + e.getMessage());
        }
        List<InetAddress> addresses = new ArrayList<>();
        labNodes.forEach(n -> addresses.add(n.listenAddress()));
        if (l4lb != null) {
            l4lb.hosts().forEach(n -> addresses.add(n.listenAddress()));
        }
        for (String a : switchAddress.values()) {
            addresses.add(InetAddress.getByName(a));
        }
        Cidr segment = segment(addresses, labNodes, p.podCidrPool().map(PodCidrPool::cidr).orElse(null));
        return new Plan(labYaml, labProfile, segment, labNodes, switchAddress, switchConfig, secretsEnv, l4lb);
    }

    /**
     * The lab's copy of the profile: MD5 keys read from files (which this machine may lack) taken
     * from the environment variable {@value #LAB_MD5_ENV} instead, which the lab sets to its own
     * key on both sides when unset.
     */
    private static String labCopy(String yaml) throws IOException {
        YAMLMapper y = new YAMLMapper();
        JsonNode root = y.readTree(yaml);
        if (!md5FromEnv(root)) {
            return yaml;
        }
        return "# gannet lab: the profile with MD5 key files replaced by $" + LAB_MD5_ENV + "\n" + y.writeValueAsString(root);
    }

    static final String LAB_MD5_ENV = "GANNET_LAB_MD5";

    private static boolean md5FromEnv(JsonNode n) {
        boolean changed = false;
        if (n instanceof ObjectNode o) {
            JsonNode md5 = o.get("md5");
            if (md5 instanceof ObjectNode m && m.has("file")) {
                m.remove("file");
                m.put("env", LAB_MD5_ENV);
                changed = true;
            }
            for (JsonNode c : o) {
                changed |= md5FromEnv(c);
            }
        } else if (n instanceof ArrayNode a) {
            for (JsonNode c : a) {
                changed |= md5FromEnv(c);
            }
        }
        return changed;
    }

    /** The shortest prefix (at most /24 wide) covering {@code addresses}, overlapping no node's PodCIDR, the PodCIDR pool or a VIP pool. */
    static Cidr segment(List<InetAddress> addresses, List<NodeConfig> nodes, Cidr podPool) throws LabException {
        int common = 32;
        int first = toInt(addresses.get(0));
        for (InetAddress a : addresses) {
            int x = toInt(a) ^ first;
            common = Math.min(common, Integer.numberOfLeadingZeros(x));
        }
        for (int len : new int[] {Math.min(common, 24), common}) {
            Cidr c = Cidr.of(fromInt(len == 0 ? 0 : first & (-1 << (32 - len))) + "/" + len);
            boolean clash = podPool != null && podPool.isIpv4() && c.overlaps(podPool);
            for (NodeConfig n : nodes) {
                clash |= n.podCidr() != null && c.overlaps(n.podCidr());
                for (Cidr v : n.vipPool()) {
                    clash |= v.isIpv4() && c.overlaps(v);
                }
            }
            if (!clash && len >= 8) {
                return c;
            }
        }
        throw new LabException("the lab's switch and host addresses " + addresses + " cannot share one segment without covering"
                + " PodCIDR or VIP addresses: give them addresses closer together");
    }

    private static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static String fromInt(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    // ---------------------------------------------------------------- up

    /** Builds the lab, waits for convergence and prints the summary; returns it. */
    public static Summary up(Options o, PrintWriter out) throws LabException, IOException, InterruptedException {
        checkName(o.name());
        if (o.nodes() < 1 || o.nodes() > 16) {
            throw new LabException("--nodes " + o.nodes() + ": a lab has 1 to 16 nodes");
        }
        if (!"0".equals(uid())) {
            throw new LabException("gannet lab needs root (network namespaces): run it in a root shell");
        }
        List<String> missing = missingPackages(o.router(), o.cniPlugin());
        if (!missing.isEmpty()) {
            throw new LabException("missing on this machine, install and run again (nothing was created):\n  " + String.join("\n  ", missing));
        }
        if (LabState.read(o.dir()) != null) {
            throw new LabException("lab " + o.name() + " is already up (state in " + o.dir() + "); run: gannet lab down --name " + o.name());
        }
        List<String> stale = existingNamespaces(o.name());
        if (!stale.isEmpty()) {
            throw new LabException("namespaces of a lab named " + o.name() + " exist (" + String.join(", ", stale)
                    + ") but no state in " + o.dir() + ": another --dir? run gannet lab down --name " + o.name() + " --dir THAT_DIR");
        }
        Plan plan = plan(o);
        if (plan.l4lb() != null && !onPath("nft")) {
            throw new LabException("missing on this machine, install and run again (nothing was created):\n  nft (apt-get install nftables):"
                    + " the L4LB hosts " + plan.l4lb().hosts().stream().map(NodeConfig::name).toList() + " SNAT with it");
        }
        long t0 = System.nanoTime();

        Files.createDirectories(o.dir());
        LabState.Data d = new LabState.Data();
        d.name = o.name();
        d.profile = o.profile().toAbsolutePath().toString();
        d.router = o.router().name().toLowerCase();
        d.dir = o.dir().toAbsolutePath().toString();
        d.segment = plan.segment().toString();
        List<NodeConfig> hosts = new ArrayList<>(plan.nodes());
        if (plan.l4lb() != null) {
            hosts.addAll(plan.l4lb().hosts());
        }
        for (NodeConfig h : hosts) {
            d.peers.put(h.name(), h.neighbors().stream().map(NeighborConfig::name).filter(plan.switchAddress()::containsKey).toList());
        }
        LabState state = LabState.create(o.dir(), d);
        Path labProfile = o.dir().resolve("profile.yaml");
        Files.writeString(labProfile, plan.labProfileYaml());
        d.labProfile = labProfile.toString();
        // User frr's daemons and the daemons' logs live below; they must be able to reach them.
        Files.setPosixFilePermissions(o.dir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        String pre = nsPrefix(o.name());
        NetworkNamespace fab = newNamespace(state, pre + "fab");
        fab.exec("ip", "link", "add", "br0", "type", "bridge");
        fab.exec("ip", "link", "set", "br0", "up");
        int port = 0;
        int plen = plan.segment().length();

        out.println("lab " + o.name() + ": segment " + plan.segment() + ", " + plan.switchAddress().size() + " " + d.router + " switches, "
                + plan.nodes().size() + " nodes (state: " + o.dir().resolve(LabState.FILE) + ")");
        out.flush();
        int si = 0;
        for (Map.Entry<String, String> sw : plan.switchAddress().entrySet()) {
            si++;
            NetworkNamespace ns = newNamespace(state, pre + "s" + si);
            if (o.router() == Router.FRR && multihopIbgpCore(sw.getKey(), plan.nodes())) {
                // A core reached over its loopback: its address is not on a connected subnet of the
                // segment (a /32 plus an on-link route to it), as FRR must see it to run multihop BFD
                // for its iBGP neighbors, which the nodes' profile asks for (bfd.multihop).
                plug(fab, ns, "p" + (++port), sw.getValue() + "/32");
                ns.exec("ip", "route", "add", plan.segment().toString(), "dev", "eth0", "src", sw.getValue());
            } else {
                plug(fab, ns, "p" + (++port), sw.getValue() + "/" + plen);
            }
            // per-flow ECMP over the L4LB hosts, as a data center switch hashes the 5-tuple
            ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1");
            Path swDir = o.dir().resolve("switches").resolve(sw.getKey());
            Files.createDirectories(swDir);
            if (o.router() == Router.FRR) {
                for (String daemon : FrrRoutingSwitch.daemons()) {
                    d.pidFiles.add(swDir.resolve(daemon + ".pid").toString());
                }
            } else if (o.router() == Router.BIRD) {
                d.pidFiles.add(swDir.resolve("bird.pid").toString());
            }
            d.switches.add(new LabState.Switch(sw.getKey(), ns.name(), sw.getValue(), swDir.toString(), d.router));
            state.save();
            try {
                if (o.router() == Router.FRR) {
                    FrrRoutingSwitch.start(ns, swDir, plan.switchConfig().get(sw.getKey()));
                } else if (o.router() == Router.BIRD) {
                    BirdSwitch.start(ns, swDir, plan.switchConfig().get(sw.getKey()) + BIRD_DIRECT);
                } else {
                    // The switch's own profile (profile render --switch --format gannet); ECMP routes into its kernel table.
                    Path swProfile = swDir.resolve("profile.yaml");
                    Files.writeString(swProfile, Ipv4SwitchProfile.of(plan.switchConfig().get(sw.getKey())));
                    d.pids.add(startDaemon(o, plan, ns, sw.getKey(), swProfile, swDir, List.of("--fib")));
                    state.save();
                }
            } catch (Exception e) {
                throw new LabException("switch " + sw.getKey() + " did not start (" + e.getMessage() + "); its files are in " + swDir
                        + "; clean up with: gannet lab down --name " + o.name());
            }
        }
        String store = startStore(o, plan, state, fab, "p" + (++port));
        List<String> gateways = new ArrayList<>(plan.switchAddress().values());
        List<LabWorkloads.PodPlan> podPlan = LabWorkloads.plan(plan.nodes().stream().map(NodeConfig::name).toList());
        LabWorkloads.writePolicy(o.dir(), podPlan);
        int ni = 0;
        for (NodeConfig n : plan.nodes()) {
            ni++;
            NetworkNamespace ns = newNamespace(state, pre + "n" + ni);
            plug(fab, ns, "p" + (++port), n.listenAddress().getHostAddress() + "/" + plen);
            List<String> mine = new ArrayList<>();
            for (NeighborConfig nb : n.neighbors()) {
                if (gateways.contains(nb.address().getHostAddress())) {
                    mine.add(nb.address().getHostAddress());
                }
            }
            ns.exec(defaultRoute(mine).toArray(String[]::new));
            Path nodeDir = Files.createDirectories(o.dir().resolve("nodes").resolve(n.name()));
            Path socket = nodeDir.resolve("gannet.sock");
            Path cni = nodeDir.resolve("cni.sock");
            Path log = nodeDir.resolve("gannet.log");
            String pins = LabWorkloads.pinRoot(o.name(), n.name());
            d.pinnedMaps.add(pins);
            state.save();
            long pid = startDaemon(o, plan, ns, n.name(), labProfile, nodeDir, List.of("--cni-socket", cni.toString(), "--fib",
                    "--services-dir", LabWorkloads.servicesDir(o.dir()).toString(), "--policy-dir", LabWorkloads.policyDir(o.dir()).toString(),
                    "--bpf-pin-root", pins, "--etcd", store, "--metrics", n.listenAddress().getHostAddress() + ":" + METRICS_PORT));
            d.pids.add(pid);
            // A block left to the store is known once the node has claimed it (below).
            d.nodes.add(new LabState.Node(n.name(), ns.name(), n.listenAddress().getHostAddress(), n.podCidr() == null ? "" : n.podCidr().toString(),
                    socket.toString(), cni.toString(), log.toString(), pid));
            state.save();
        }
        awaitPodCidrs(o, state, Duration.ofSeconds(90));
        // Pods, through the real CNI plugin, once the node's CNI socket is up; then their servers and the Service.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Map<String, Integer> podsOn = new LinkedHashMap<>();
        for (LabWorkloads.PodPlan pp : podPlan) {
            LabState.Node n = d.nodes.stream().filter(x -> x.name().equals(pp.node())).findFirst().orElseThrow();
            while (!Files.exists(Path.of(n.cniSocket()))) {
                if (System.nanoTime() > deadline || !ProcessHandle.of(n.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new LabException("node " + n.name() + " did not open its CNI socket; its log: " + n.log()
                            + "\n" + tail(Path.of(n.log()), 20) + "\nclean up with: gannet lab down --name " + o.name());
                }
                Thread.sleep(100);
            }
            int k = podsOn.merge(n.name(), 1, Integer::sum);
            NetworkNamespace pod = newNamespace(state, n.namespace() + "p" + k);
            String ip = cniAdd(o.cniPlugin(), n, pod, o.name() + "-" + pp.name(), pp.name());
            LabState.Pod made = new LabState.Pod(pp.name(), n.name(), pod.name(), ip);
            d.pods.add(made);
            if (LabWorkloads.serves(pp.role())) {
                d.pids.add(LabWorkloads.startServer(o.dir(), made));
            }
            state.save();
        }
        List<LabState.Pod> backends = LabWorkloads.backends(d.pods, d.nodes.stream().map(LabState.Node::name).toList());
        LabWorkloads.writeService(o.dir(), backends);
        if (plan.l4lb() != null) {
            port = startL4lb(o, plan, state, fab, port, labProfile, backends);
        }
        writeScrapeTargets(d);
        Summary s = awaitConvergence(d, Duration.ofSeconds(120));
        d.complete = true;
        state.save();
        s = s.withConvergence(Duration.ofNanos(System.nanoTime() - t0));
        Graph.write(d, s, out);
        s = s.withGraph(picture(d));
        s.print(out);
        return s;
    }

    /**
     * The lab's etcd ({@link LabStore}) in namespace {@code gl-NAME-e} at a free address of the
     * segment, healthy before any node starts; returns its client URL.
     */
    private static String startStore(Options o, Plan plan, LabState state, NetworkNamespace fab, String port)
            throws IOException, InterruptedException, LabException {
        LabState.Data d = state.data();
        d.storeAddress = freeAddress(plan, Set.of());
        NetworkNamespace ns = newNamespace(state, nsPrefix(o.name()) + "e");
        d.storeNamespace = ns.name();
        plug(fab, ns, port, d.storeAddress + "/" + plan.segment().length());
        ns.exec("ip", "link", "set", "lo", "up");
        Path dir = LabStore.dir(o.dir());
        long pid = LabStore.start(ns, d.storeAddress, dir, o.name());
        d.pids.add(pid);
        state.save();
        LabStore.awaitHealthy(ns, d.storeAddress, pid, dir, Duration.ofSeconds(30), o.name());
        return LabStore.url(d.storeAddress);
    }

    /** Waits until every node holds its PodCIDR (claimed from the store, or the profile's), and records it. */
    private static void awaitPodCidrs(Options o, LabState state, Duration timeout) throws InterruptedException, LabException {
        LabState.Data d = state.data();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < d.nodes.size(); i++) {
            LabState.Node n = d.nodes.get(i);
            LabStore.Claim c;
            while ((c = LabStore.claim(o.dir(), n.socket())) == null) {
                if (System.nanoTime() > deadline || !ProcessHandle.of(n.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new LabException("node " + n.name() + " holds no PodCIDR (show ipam); its log: " + n.log()
                            + "\n" + tail(Path.of(n.log()), 20) + "\nclean up with: gannet lab down --name " + o.name());
                }
                Thread.sleep(200);
            }
            d.nodes.set(i, new LabState.Node(n.name(), n.namespace(), n.address(), c.block(), n.socket(), n.cniSocket(), n.log(), n.pid()));
            d.podCidrSources.put(n.name(), c.source());
            state.save();
        }
    }

    /**
     * The L4LB hosts ({@code gannet run} with the VIP's LoadBalancer Service, forwarding on
     * eth0), their default route to the nodes' switches (the lab has no spine: that is where the
     * PodCIDRs are), and the outside client, its default route to the L4LB hosts' switches.
     */
    private static int startL4lb(Options o, Plan plan, LabState state, NetworkNamespace fab, int port, Path labProfile,
            List<LabState.Pod> backends) throws IOException {
        LabState.Data d = state.data();
        String pre = nsPrefix(o.name());
        int plen = plan.segment().length();
        LabL4lb.writeService(o.dir(), plan.l4lb().vip(), backends);
        d.vip = plan.l4lb().vip();
        Set<String> nodeGateways = new LinkedHashSet<>();
        for (NodeConfig n : plan.nodes()) {
            n.neighbors().forEach(nb -> nodeGateways.add(nb.address().getHostAddress()));
        }
        nodeGateways.retainAll(plan.switchAddress().values());
        Set<String> lbGateways = new LinkedHashSet<>();
        int li = 0;
        for (NodeConfig lb : plan.l4lb().hosts()) {
            li++;
            for (NeighborConfig nb : lb.neighbors()) {
                if (plan.switchAddress().containsKey(nb.name())) {
                    lbGateways.add(nb.address().getHostAddress());
                    if (!d.vipSwitches.contains(nb.name())) {
                        d.vipSwitches.add(nb.name());
                    }
                }
            }
            NetworkNamespace ns = newNamespace(state, pre + "l" + li);
            plug(fab, ns, "p" + (++port), lb.listenAddress().getHostAddress() + "/" + plen);
            ns.exec(defaultRoute(nodeGateways).toArray(String[]::new));
            Path dir = Files.createDirectories(o.dir().resolve("l4lb").resolve(lb.name()));
            String pins = LabWorkloads.pinRoot(o.name(), lb.name());
            d.pinnedMaps.add(pins);
            state.save();
            // The lab's etcd: the L4LB hosts agree on their VIPs' Maglev slots there, as the nodes on their blocks.
            long pid = startDaemon(o, plan, ns, lb.name(), labProfile, dir, List.of("--services-dir",
                    LabL4lb.servicesDir(o.dir()).toString(), "--host-device", "eth0", "--bpf-pin-root", pins,
                    "--etcd", LabStore.url(d.storeAddress), "--metrics", lb.listenAddress().getHostAddress() + ":" + METRICS_PORT));
            d.pids.add(pid);
            d.l4lbs.add(new LabState.Node(lb.name(), ns.name(), lb.listenAddress().getHostAddress(), "", dir.resolve("gannet.sock").toString(),
                    "", dir.resolve("gannet.log").toString(), pid));
            state.save();
        }
        String client = freeAddress(plan, Set.of(d.storeAddress));
        NetworkNamespace c = newNamespace(state, pre + "c");
        plug(fab, c, "p" + (++port), client + "/" + plen);
        c.exec(defaultRoute(lbGateways).toArray(String[]::new));
        d.vipClient = c.name();
        d.vipClientAddress = client;
        state.save();
        return port;
    }

    /** Where every host of the lab serves /metrics, on its own address. */
    static final int METRICS_PORT = 9324;
    static final String SCRAPE_TARGETS = "gannet-targets.json";

    /**
     * {@code DIR/gannet-targets.json}: every node and L4LB host's /metrics as Prometheus file
     * service discovery reads it, labelled as {@code deploy/prometheus/prometheus.yml} expects
     * (node, role). A Prometheus on the lab's segment (the store's namespace) scrapes them all.
     */
    private static void writeScrapeTargets(LabState.Data d) throws IOException {
        ArrayNode targets = JSON.createArrayNode();
        for (LabState.Node n : d.nodes) {
            ObjectNode t = targets.addObject();
            t.putArray("targets").add(n.address() + ":" + METRICS_PORT);
            t.putObject("labels").put("node", n.name()).put("role", "node");
        }
        for (LabState.Node n : d.l4lbs) {
            ObjectNode t = targets.addObject();
            t.putArray("targets").add(n.address() + ":" + METRICS_PORT);
            t.putObject("labels").put("node", n.name()).put("role", "l4lb");
        }
        Files.writeString(Path.of(d.dir, SCRAPE_TARGETS), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(targets) + "\n");
    }

    /** An address of the segment no host or switch of the profile uses, nor any of {@code taken}; the highest such. */
    static String freeAddress(Plan plan, Set<String> taken) {
        Set<String> used = new LinkedHashSet<>(plan.switchAddress().values());
        used.addAll(taken);
        plan.profile().hostNames().forEach(h -> {
            try {
                used.add(plan.profile().nodeConfig(h, SecretResolver.referencesOnly()).listenAddress().getHostAddress());
            } catch (ProfileException e) {
                // a host the lab cannot render is not on the segment either
            }
        });
        int base = toInt(plan.segment().network());
        int size = 1 << (32 - plan.segment().length());
        for (int off = size - 2; off > 0; off--) {
            String s = fromInt(base + off);
            if (!used.contains(s)) {
                return s;
            }
        }
        throw new IllegalStateException("no free address in " + plan.segment());
    }

    /** {@code ip route add default} via one gateway, or ECMP over several. */
    private static List<String> defaultRoute(java.util.Collection<String> gateways) {
        List<String> route = new ArrayList<>(List.of("ip", "route", "add", "default"));
        if (gateways.size() == 1) {
            route.addAll(List.of("via", gateways.iterator().next()));
        } else {
            gateways.forEach(g -> route.addAll(List.of("nexthop", "via", g)));
        }
        return route;
    }

    /**
     * {@code gannet run} for {@code host} inside {@code ns} (setsid: a session of its own, so the
     * terminal's Ctrl-C or hang-up, a reload to gannet, never reaches the lab's daemons; it execs
     * in place, keeping the pid), its state, socket and log under {@code dir}; returns the pid.
     */
    private static long startDaemon(Options o, Plan plan, NetworkNamespace ns, String host, Path labProfile, Path dir,
            List<String> args) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(o.env());
        env.putAll(plan.secretsEnv());
        return startDaemon(o.nodeCommand(), env, ns, host, labProfile, dir, args);
    }

    /** {@code gannet run} as above, with the command that runs gannet and the daemon's environment given. */
    static long startDaemon(List<String> gannet, Map<String, String> env, NetworkNamespace ns, String host, Path labProfile, Path dir,
            List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid", "nsenter", "--net=/run/netns/" + ns.name(), "--"));
        cmd.addAll(gannet);
        cmd.addAll(List.of("run", "--profile", labProfile.toString(), "--node", host, "--state-dir", dir.resolve("state").toString(),
                "--socket", dir.resolve("gannet.sock").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("gannet.log").toFile()));
        pb.environment().putAll(env);
        return pb.start().pid();
    }

    static NetworkNamespace newNamespace(LabState state, String name) {
        state.data().namespaces.add(name);
        state.save();
        return NetworkNamespace.createNamed(name);
    }

    /**
     * Whether the lab's nodes hold iBGP sessions with multihop BFD to switch {@code name}. FRR 8.4
     * decides the BFD hop mode of an iBGP neighbor by the subnet alone (single-hop when the
     * neighbor is on a connected subnet), so such a core must not share a connected subnet.
     */
    static boolean multihopIbgpCore(String name, List<NodeConfig> nodes) {
        for (NodeConfig n : nodes) {
            for (NeighborConfig nb : n.neighbors()) {
                if (nb.name().equals(name) && nb.ibgp() && nb.bfd().enabled() && nb.bfd().multihop()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A veth from {@code ns}'s eth0 into the fabric bridge, both ends created inside namespaces. */
    private static void plug(NetworkNamespace fab, NetworkNamespace ns, String port, String cidr) {
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", ns.name(), "type", "veth", "peer", "name", port, "netns", fab.name());
        fab.exec("ip", "link", "set", port, "master", "br0");
        fab.exec("ip", "link", "set", port, "up");
        ns.exec("ip", "addr", "add", cidr, "dev", "eth0");
        ns.exec("ip", "link", "set", "eth0", "up");
    }

    private static String cniAdd(Path plugin, LabState.Node n, NetworkNamespace pod, String id, String podName)
            throws IOException, InterruptedException, LabException {
        // as a runtime passes them: the pod's labels come from its Pod object in the policy directory
        CniRuntime.Result r = CniRuntime.call(plugin, n.namespace(), Path.of(n.cniSocket()), "ADD", id, pod.name(),
                CniRuntime.podArgs(LabWorkloads.NAMESPACE, podName), plugin.getParent());
        if (r.exit() != 0) {
            throw new LabException("CNI ADD on node " + n.name() + " failed: " + r.output());
        }
        return JSON.readTree(r.output()).path("ips").path(0).path("address").asText().replaceAll("/.*", "");
    }

    // ---------------------------------------------------------------- status

    /**
     * The lab's etcd as the summary shows it: whether it answers its health check, and each
     * node's PodCIDR with where it came from (claimed from the store, or the profile's).
     */
    public record Store(String url, String namespace, boolean healthy, String log, Map<String, String> podCidrs, String scrapeTargets) {
        static Store of(LabState.Data d) {
            if (d.storeNamespace == null) {
                return null;
            }
            Map<String, String> blocks = new LinkedHashMap<>();
            for (LabState.Node n : d.nodes) {
                String source = d.podCidrSources.getOrDefault(n.name(), "");
                blocks.put(n.name(), (n.podCidr().isEmpty() ? "(none yet)" : n.podCidr()) + (source.isEmpty() ? ""
                        : source.equals("profile") ? " (from the profile)" : " (claimed from " + source + ")"));
            }
            boolean healthy = LabStore.healthy(NetworkNamespace.of(d.storeNamespace), d.storeAddress);
            return new Store(LabStore.url(d.storeAddress), d.storeNamespace, healthy, LabStore.log(LabStore.dir(Path.of(d.dir))).toString(),
                    blocks, Path.of(d.dir, SCRAPE_TARGETS).toString());
        }
    }

    /** One node-switch session as the switch sees it. */
    public record Session(String node, String nodeAddress, String sw, String state, String bfd) {}

    public record PodPing(String from, String fromPod, String to, String toAddress, boolean ok, String detail) {}

    /** What a network engineer wants to see, live. */
    public record Summary(String name, String router, Store store, List<Session> sessions, Map<String, List<String>> podCidrsOnSwitches,
            List<String> missingPodCidrs, List<PodPing> pings, List<LabWorkloads.Check> workloads, Map<String, String> logs,
            Duration convergedIn, String graph) {

        /**
         * Routing works: every session Established, every PodCIDR on every switch, every pod ping
         * answered, and the Service and the policy behave through the datapaths.
         */
        public boolean routed() {
            return !sessions.isEmpty() && sessions.stream().allMatch(s -> s.state().equals("Established"))
                    && missingPodCidrs.isEmpty() && !pings.isEmpty() && pings.stream().allMatch(PodPing::ok)
                    && workloads.stream().allMatch(LabWorkloads.Check::ok);
        }

        public boolean bfdUp() {
            return sessions.stream().allMatch(s -> s.bfd().equalsIgnoreCase("up"));
        }

        public boolean converged() {
            return routed() && bfdUp();
        }

        Summary withConvergence(Duration d) {
            return new Summary(name, router, store, sessions, podCidrsOnSwitches, missingPodCidrs, pings, workloads, logs, d, graph);
        }

        Summary withGraph(String g) {
            return new Summary(name, router, store, sessions, podCidrsOnSwitches, missingPodCidrs, pings, workloads, logs, convergedIn, g);
        }

        public void print(PrintWriter out) {
            out.println("lab " + name + " (" + router + ")" + (convergedIn == null ? "" : ": up in " + convergedIn.toMillis() + " ms"));
            if (store != null) {
                out.println("cluster store: etcd " + store.url() + " (namespace " + store.namespace() + "): " + (store.healthy() ? "healthy" : "NOT ANSWERING")
                        + "; its log: " + store.log());
                store.podCidrs().forEach((node, from) -> out.println("  " + node + ": PodCIDR " + from));
                out.println("metrics: every node and L4LB host serves /metrics on its address, port " + METRICS_PORT
                        + "; Prometheus targets (file_sd) in " + store.scrapeTargets() + ", reachable from " + store.namespace());
            }
            out.println("sessions (switch view):");
            for (Session s : sessions) {
                out.printf("  %-14s %-15s <-> %-12s BGP %-12s BFD %s%n", s.node(), s.nodeAddress(), s.sw(), s.state(), s.bfd());
            }
            out.println("PodCIDRs in the switches' kernel tables:");
            podCidrsOnSwitches.forEach((sw, l) -> out.println("  " + sw + ": " + (l.isEmpty() ? "(none)" : String.join(", ", l))));
            if (!missingPodCidrs.isEmpty()) {
                out.println("  missing: " + String.join(", ", missingPodCidrs));
            }
            out.println("pod to pod across nodes:");
            for (PodPing p : pings) {
                out.println("  " + p.fromPod() + " (" + p.from() + ") -> " + p.toAddress() + " (" + p.to() + "): " + (p.ok() ? "ok" : "FAILED") + " " + p.detail());
            }
            if (!workloads.isEmpty()) {
                out.println("Service, policy and L4LB VIP through the eBPF datapath:");
                for (LabWorkloads.Check c : workloads) {
                    out.println("  " + c.what() + ": " + (c.ok() ? "ok" : "FAILED") + " (" + c.detail() + ")");
                }
            }
            out.println("daemon logs:");
            logs.forEach((k, v) -> out.println("  " + k + ": " + v));
            if (graph != null) {
                out.println("picture: " + graph);
            }
            if (converged()) {
                out.println("lab " + name + " is up. Stop it with: gannet lab down --name " + name);
            } else if (routed()) {
                out.println("lab " + name + " routes pods, but BFD is not up on every session (see above and the logs)."
                        + " Stop it with: gannet lab down --name " + name);
            } else {
                out.println("lab " + name + " has NOT converged (see above and the logs). Stop it with: gannet lab down --name " + name);
            }
            out.flush();
        }

        public String json() {
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The summary, live; the picture is redrawn with the sessions' current state. */
    public static Summary status(Path dir, PrintWriter out) throws LabException, IOException, InterruptedException {
        LabState st = LabState.read(dir);
        if (st == null) {
            throw new LabException("no lab state in " + dir + " (not up?)");
        }
        Summary s = summarize(st.data());
        Graph.write(st.data(), s, out);
        return s.withGraph(picture(st.data()));
    }

    static Summary awaitConvergence(LabState.Data d, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Summary s;
        long bfdDeadline = Long.MAX_VALUE;
        do {
            s = summarize(d);
            if (s.converged()) {
                return s;
            }
            if (s.routed() && bfdDeadline == Long.MAX_VALUE) {
                // BFD comes up within a few detection times of BGP; a lab whose BFD stays down
                // (a mismatch of single-hop and multihop, say) is reported, not waited for.
                bfdDeadline = System.nanoTime() + BFD_GRACE.toNanos();
            }
            if (System.nanoTime() > bfdDeadline) {
                return s;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return s;
    }

    static Summary summarize(LabState.Data d) {
        List<Session> sessions = new ArrayList<>();
        Map<String, List<String>> onSwitches = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (LabState.Switch sw : d.switches) {
            Map<String, String> bgp = new LinkedHashMap<>();
            Map<String, String> bfd = new LinkedHashMap<>();
            SwitchStatus.read(sw, Path.of(d.dir), bgp, bfd);
            String routes = NetworkNamespace.Shell.runQuietly("ip", "-n", sw.namespace(), "route", "show");
            List<String> here = new ArrayList<>();
            for (LabState.Node n : d.nodes) {
                if (d.peers.containsKey(n.name()) && !d.peers.get(n.name()).contains(sw.name())) {
                    continue; // another rack's switch
                }
                sessions.add(new Session(n.name(), n.address(), sw.name(), bgp.getOrDefault(n.address(), "not configured"),
                        bfd.getOrDefault(n.address(), "no session")));
                if (Pattern.compile("(?m)^" + Pattern.quote(n.podCidr()) + " .*via " + Pattern.quote(n.address()) + "\\b").matcher(routes).find()) {
                    here.add(n.podCidr() + " via " + n.address());
                } else {
                    missing.add(n.podCidr() + " on " + sw.name());
                }
            }
            for (LabState.Node lb : d.l4lbs) {
                if (d.peers.getOrDefault(lb.name(), List.of()).contains(sw.name())) {
                    sessions.add(new Session(lb.name(), lb.address(), sw.name(), bgp.getOrDefault(lb.address(), "not configured"),
                            bfd.getOrDefault(lb.address(), "no session")));
                }
            }
            if (d.nodes.stream().anyMatch(n -> !d.peers.containsKey(n.name()) || d.peers.get(n.name()).contains(sw.name()))) {
                onSwitches.put(sw.name(), here); // not the L4LB hosts' own switches in another rack
            }
        }
        List<PodPing> pings = new ArrayList<>();
        List<String> nodeNames = d.nodes.stream().map(LabState.Node::name).toList();
        for (int i = 0; i < d.pods.size(); i++) {
            LabState.Pod from = d.pods.get(i);
            LabState.Pod to = d.pods.get((i + 1) % d.pods.size());
            if (d.pods.size() < 2 || from.node().equals(to.node()) || LabWorkloads.role(to.name(), nodeNames).equals(LabWorkloads.SERVER)) {
                continue; // the policy admits only the client's TCP to the server: no ping
            }
            String outText = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.namespace(), "ping", "-n", "-q", "-c", "1", "-W", "1", to.address());
            boolean ok = outText.contains(" 1 received");
            var m = Pattern.compile("rtt [^=]*= [^/]+/([^/]+)/").matcher(outText);
            pings.add(new PodPing(from.node(), from.name(), to.node(), to.address(), ok, ok && m.find() ? "rtt " + m.group(1) + " ms" : ""));
        }
        Map<String, String> logs = new LinkedHashMap<>();
        d.nodes.forEach(n -> logs.put(n.name(), n.log()));
        d.switches.forEach(sw -> logs.put(sw.name(), SwitchStatus.log(sw)));
        d.l4lbs.forEach(l -> logs.put(l.name(), l.log()));
        List<LabWorkloads.Check> workloads = new ArrayList<>(LabWorkloads.check(d));
        workloads.addAll(LabL4lb.check(d));
        return new Summary(d.name, d.router, Store.of(d), sessions, onSwitches, missing, pings, workloads, logs, null,
                Files.exists(Path.of(d.dir, "fabric.dot")) ? picture(d) : null);
    }

    // ---------------------------------------------------------------- down

    /** Removes exactly what the state in {@code dir} records; returns what was removed, one line each. */
    public static List<String> down(Path dir) throws LabException, InterruptedException {
        LabState st = LabState.read(dir);
        if (st == null) {
            throw new LabException("no lab state in " + dir + ": nothing to take down");
        }
        LabState.Data d = st.data();
        List<String> done = new ArrayList<>();
        // Processes first: the recorded pids (only while they still run in one of the lab's
        // namespaces: a recycled pid is someone else's), the pid files', then anything left
        // inside the lab's namespaces.
        Set<String> labNetns = new LinkedHashSet<>();
        for (String ns : d.namespaces) {
            labNetns.add(netnsId("/run/netns/" + ns));
        }
        labNetns.remove(null);
        List<Long> pids = new ArrayList<>(d.pids);
        for (String f : d.pidFiles) {
            try {
                if (Files.exists(Path.of(f))) {
                    pids.add(Long.parseLong(Files.readString(Path.of(f)).trim()));
                }
            } catch (IOException | NumberFormatException e) {
                // a half-written pid file: its process is found through its namespace below
            }
        }
        for (String ns : d.namespaces) {
            for (String p : NetworkNamespace.Shell.runQuietly("ip", "netns", "pids", ns).split("\\s+")) {
                if (p.matches("\\d+")) {
                    pids.add(Long.parseLong(p));
                }
            }
        }
        List<ProcessHandle> ours = new ArrayList<>();
        for (long pid : new LinkedHashSet<>(pids)) {
            String id = netnsId("/proc/" + pid + "/ns/net");
            if (id != null && labNetns.contains(id)) {
                ProcessHandle.of(pid).ifPresent(ours::add);
            }
        }
        ours.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle h : ours) {
            while (running(h.pid()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (running(h.pid())) {
                h.destroyForcibly();
            }
            done.add("process " + h.pid());
        }
        for (int i = d.namespaces.size() - 1; i >= 0; i--) {
            String ns = d.namespaces.get(i);
            if (Files.exists(Path.of("/run/netns", ns))) {
                NetworkNamespace.of(ns).close();
                done.add("namespace " + ns + " (with its links)");
            }
        }
        for (String pin : d.pinnedMaps) {
            NetworkNamespace.Shell.runQuietly("rm", "-rf", pin);
            done.add("pins " + pin);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new LabException("could not remove " + dir + ": " + e.getMessage());
        }
        done.add("directory " + dir);
        return done;
    }

    /**
     * True while {@code pid} runs: a zombie (exited, waiting for whoever inherited it from the
     * {@code up} that started it to reap it) holds nothing and counts as gone.
     */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** The namespace inode behind {@code path} ("net:[4026532...]"), or null. */
    private static String netnsId(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            try {
                return String.valueOf(Files.getAttribute(Path.of(path), "unix:ino"));
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e2) {
                return null;
            }
        }
    }

    static List<String> existingNamespaces(String name) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(nsPrefix(name))).sorted().forEach(out::add);
        } catch (IOException e) {
            // no /run/netns yet: no namespaces at all
        }
        return out;
    }

    static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    static String tail(Path f, int lines) {
        try {
            List<String> all = Files.readAllLines(f);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The fabric as a Graphviz picture: devices, sessions (coloured by state), pods. */
    static final class Graph {
        private Graph() {}

        static void write(LabState.Data d, Summary s, PrintWriter out) throws IOException, InterruptedException {
            StringBuilder g = new StringBuilder("graph \"" + d.name + "\" {\n  label=\"gannet lab " + d.name + " (" + d.router + ")\";\n"
                    + "  node [fontname=\"Helvetica\"];\n");
            for (LabState.Switch sw : d.switches) {
                g.append("  \"").append(sw.name()).append("\" [shape=box, style=filled, fillcolor=lightblue, label=\"")
                        .append(sw.name()).append("\\n").append(sw.address()).append(" (").append(d.router).append(")\"];\n");
            }
            for (LabState.Node n : d.nodes) {
                g.append("  \"").append(n.name()).append("\" [shape=box3d, label=\"").append(n.name()).append("\\n")
                        .append(n.address()).append("\\nPodCIDR ").append(n.podCidr()).append("\"];\n");
            }
            for (LabState.Node l : d.l4lbs) {
                g.append("  \"").append(l.name()).append("\" [shape=box3d, style=filled, fillcolor=lightyellow, label=\"").append(l.name())
                        .append("\\n").append(l.address()).append("\\nL4LB, VIP ").append(d.vip).append("\"];\n");
            }
            if (d.storeNamespace != null) {
                g.append("  \"etcd\" [shape=cylinder, style=filled, fillcolor=lightgrey, label=\"etcd\\n").append(d.storeAddress)
                        .append(" (cluster store)\"];\n");
                for (LabState.Node n : d.nodes) {
                    g.append("  \"").append(n.name()).append("\" -- \"etcd\" [style=dashed, color=grey];\n");
                }
            }
            for (LabState.Pod p : d.pods) {
                g.append("  \"").append(p.name()).append("\" [shape=ellipse, label=\"").append(p.name()).append("\\n").append(p.address()).append("\"];\n");
                g.append("  \"").append(p.node()).append("\" -- \"").append(p.name()).append("\" [style=dotted];\n");
            }
            for (Session ss : s.sessions()) {
                String color = !ss.state().equals("Established") ? "red" : ss.bfd().equalsIgnoreCase("up") ? "darkgreen" : "orange";
                g.append("  \"").append(ss.node()).append("\" -- \"").append(ss.sw()).append("\" [color=").append(color)
                        .append(", label=\"BGP ").append(ss.state()).append("\\nBFD ").append(ss.bfd()).append("\"];\n");
            }
            g.append("}\n");
            Path dot = Path.of(d.dir, "fabric.dot");
            Files.writeString(dot, g);
            if (onPath("dot")) {
                Path svg = Path.of(d.dir, "fabric.svg");
                Process p = new ProcessBuilder("dot", "-Tsvg", "-o", svg.toString(), dot.toString()).redirectErrorStream(true).start();
                String err = new String(p.getInputStream().readAllBytes());
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return;
                }
                out.println("dot failed (" + err.trim() + "); the picture's source is " + dot);
            } else {
                out.println("graphviz is not installed (apt-get install graphviz for an SVG): wrote the picture's source " + dot);
            }
        }
    }

    /** The picture's path after {@link Graph#write}. */
    static String picture(LabState.Data d) {
        Path svg = Path.of(d.dir, "fabric.svg");
        return Files.exists(svg) ? svg.toString() : Path.of(d.dir, "fabric.dot").toString();
    }

    /** For tests and the JSON summary: the state's node-to-pod map. */
    public static ArrayNode podsJson(LabState.Data d) {
        ArrayNode a = JSON.createArrayNode();
        d.pods.forEach(p -> a.add(JSON.valueToTree(p)));
        return a;
    }
}
