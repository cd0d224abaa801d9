package io.gannet.agent.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.agent.GannetCli;
import io.gannet.agent.run.ShippedPrometheus;
import io.gannet.lab.Lab;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's proof for {@code gannet lab}: the smallest lab of each model (two nodes, the
 * example profiles' switches, real FRR) comes up through the real command line ({@code gannet
 * lab up} as its own JVM, started like the launcher starts it), its summary shows every session
 * Established, the PodCIDRs in the switches' kernel tables and a pod reaching the other node's
 * pod; {@code lab down} then leaves no namespace, process, directory or route of the lab. A
 * second {@code up} with the same name is refused, and a broken profile creates nothing.
 */
class LabCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of(System.getenv().getOrDefault("GANNET_REPO", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;
    private final List<String> labsUp = new ArrayList<>();

    record Run(int exit, String out) {}

    @BeforeEach
    void requirements() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("/usr/lib/frr/zebra");
        Requirements.requireCommand("/usr/lib/frr/bfdd");
        Requirements.requireCommand("nsenter");
        Path plugin = REPO.resolve("pod-routing/target/cni/gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");
        // FRR's daemons run as user frr and must reach the lab's directory.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void downWhatIsLeft() throws Exception {
        for (String name : labsUp) {
            gannet("lab", "down", "--name", name, "--dir", dir(name).toString());
        }
    }

    private Path dir(String name) {
        return tmp.resolve(name);
    }

    private static String name(String model) {
        return model + ProcessHandle.current().pid() % 100000;
    }

    /** {@code gannet ARGS} as its own JVM with the launcher's flags, from this repository. */
    private Run gannet(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(io.gannet.agent.LauncherFlags.JVM);
        cmd.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "-Xlog:disable", "-cp", System.getProperty("java.class.path"),
                GannetCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().putAll(io.gannet.agent.LauncherFlags.ENV);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void ibgpCoreLabComesUpWithBfdAndDownLeavesNothing() throws Exception {
        String name = name("i");
        Path profile = REPO.resolve("topology-profiles/examples/ibgp-core.yaml");
        labsUp.add(name);
        long t0 = System.nanoTime();
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--profile", profile.toString(), "--nodes", "2");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[lab] ibgp-core: gannet lab up returned in " + ms + " ms:\n" + up.out());
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out())
                .containsPattern("node1 +10\\.1\\.1\\.11 +<-> core1 +BGP Established +BFD up")
                .containsPattern("node2 +10\\.1\\.1\\.12 +<-> core2 +BGP Established +BFD up")
                .contains("core1: 10.244.1.0/24 via 10.1.1.11")
                .contains("core2: 10.244.1.0/24 via 10.1.1.11")
                .containsPattern("node1-pod1 \\(node1\\) -> 10\\.244\\.\\d+\\.\\d+ \\(node2\\): ok")
                .contains(dir(name).resolve("nodes/node1/gannet.log").toString())
                .contains("lab " + name + " is up");
        // The nodes share the lab's etcd: node2's PodCIDR is the profile's own, and both are in the summary.
        assertThat(up.out()).containsPattern("cluster store: etcd http://10\\.[0-9.]+:2379 \\(namespace gl-" + name + "-e\\): healthy")
                .contains("node1: PodCIDR 10.244.1.0/24 (from the profile)")
                .contains("node2: PodCIDR 10.244.0.0/24 (from the profile)");
        // The workloads through the nodes' datapaths: a ClusterIP with its backend on the other
        // node, and the policy letting the client in and keeping the guest out (reported as a
        // drop); both sit on node2, so node1 judges them by the identities agreed through etcd.
        assertThat(up.out())
                .contains("ClusterIP 10.96.77.10:80 from node1-pod1: ok (answered by node2-pod1 on node2 (DNAT on node1)")
                .contains("policy allows node2-pod2 (role client, on node2) -> node1-pod1:8080 (on node1): ok")
                .contains("policy denies node2-pod3 (role guest, on node2) -> node1-pod1:8080: ok (no answer; reported as a drop by node1");
        // Two L4LB hosts announce the profile's VIP: both are ECMP next hops on each core, and a
        // client outside the cluster reaches the echo pod behind it.
        assertThat(up.out())
                .containsPattern("lb1 +10\\.1\\.1\\.100 +<-> core1 +BGP Established +BFD up")
                .containsPattern("lb2 +10\\.1\\.2\\.100 +<-> core2 +BGP Established +BFD up")
                .contains("VIP 203.0.113.10 on core1: ok (ECMP next hops 10.1.1.100, 10.1.2.100)")
                .contains("VIP 203.0.113.10 on core2: ok (ECMP next hops 10.1.1.100, 10.1.2.100)")
                .containsPattern("VIP 203\\.0\\.113\\.10:80 from a client outside the cluster \\([0-9.]+\\): ok \\(8 of 8 answered, by \\{node2-pod1 via lb[12]=\\d")
                .contains(dir(name).resolve("l4lb/lb1/gannet.log").toString());
        assertThat(Path.of("/sys/fs/bpf/gannet-lab-" + name + "-node1")).isDirectory();

        // iBGP to the cores: multihop BFD (RFC 5883) on the node, as FRR runs it for a core reached over its loopback.
        Run bfd = gannet("show", "bfd", "--socket", dir(name).resolve("nodes/node1/gannet.sock").toString());
        assertThat(bfd.exit()).as(bfd.out()).isZero();
        assertThat(bfd.out()).containsPattern("10\\.0\\.0\\.1 +- +multi +Up +Up").containsPattern("10\\.0\\.0\\.2 +- +multi +Up +Up");

        prometheusScrapesTheLab(name, 4, 8);

        Run again = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--profile", profile.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.out()).contains("lab " + name + " is already up").contains("gannet lab down --name " + name);

        Run status = gannet("lab", "status", "--name", name, "--dir", dir(name).toString(), "--json");
        assertThat(status.exit()).as(status.out()).isZero();
        JsonNode s = JSON.readTree(status.out().substring(status.out().indexOf('{')));
        assertThat(s.path("sessions")).hasSize(8); // two nodes and two L4LB hosts, each with both cores
        s.path("sessions").forEach(x -> assertThat(x.path("state").asText()).isEqualTo("Established"));
        assertThat(s.path("missingPodCidrs")).isEmpty();
        // The picture: Graphviz source always, an SVG when Debian's graphviz is installed.
        assertThat(Files.readString(dir(name).resolve("fabric.dot"))).contains("\"node1\" -- \"core1\" [color=darkgreen")
                .contains("BGP Established\\nBFD up");
        if (Requirements.findCommand("dot") != null) {
            assertThat(Files.readString(dir(name).resolve("fabric.svg"))).contains("<svg").contains("BGP Established");
            assertThat(s.path("graph").asText()).endsWith("fabric.svg");
        }

        downLeavesNothing(name, List.of("10.1.1.11", "10.1.1.12", "10.1.1.100", "203.0.113.10"), 4 + 6 + 1);
    }

    @Test
    void ebgpLeafLabRoutesPodsBesideAnotherLabAndDownLeavesNothing() throws Exception {
        // Another lab, of the same profile as the ibgp-core test, runs beside this one throughout.
        String side = name("s");
        labsUp.add(side);
        Run sideUp = gannet("lab", "up", "--name", side, "--dir", dir(side).toString(), "--profile",
                REPO.resolve("topology-profiles/examples/ibgp-core.yaml").toString());
        assertThat(sideUp.exit()).as(sideUp.out()).isZero();

        // As a cluster that leaves PodCIDRs to its store: each node claims a block from the lab's etcd.
        String name = name("e");
        String text = Files.readString(REPO.resolve("topology-profiles/examples/ebgp-leaf.yaml"))
                .replace("    prefixLength: 25\n", "    prefixLength: 25\n    allocation: store\n");
        assertThat(text).contains("allocation: store");
        Path profile = Files.writeString(tmp.resolve("ebgp-leaf-store.yaml"), text);
        labsUp.add(name);
        long t0 = System.nanoTime();
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--profile", profile.toString(), "--nodes", "2");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[lab] ebgp-leaf: gannet lab up returned in " + ms + " ms:\n" + up.out());
        // FRR 8.4 runs multihop BFD for a ttl-security neighbor, and so does the node (bfd.multihop resolved).
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out())
                .containsPattern("r1-node1 +10\\.10\\.1\\.11 +<-> leaf-r1-a +BGP Established +BFD up")
                .containsPattern("r1-node1 +10\\.10\\.1\\.11 +<-> leaf-r1-b +BGP Established +BFD up")
                .containsPattern("r1-node2 +10\\.10\\.1\\.12 +<-> leaf-r1-a +BGP Established +BFD up")
                .containsPattern("r1-node2 +10\\.10\\.1\\.12 +<-> leaf-r1-b +BGP Established +BFD up")
                .contains("lab " + name + " is up")
                .containsPattern("r1-node1: PodCIDR 10\\.32\\.[0-9.]+/25 \\(claimed from etcd")
                .containsPattern("r1-node2: PodCIDR 10\\.32\\.[0-9.]+/25 \\(claimed from etcd")
                .containsPattern("r1-node1-pod1 \\(r1-node1\\) -> 10\\.32\\.\\d+\\.\\d+ \\(r1-node2\\): ok")
                // rack 3's L4LB hosts announce the VIP to their own leaves (MD5 from a key file this
                // machine lacks: the lab's key on both sides), which spread flows over both
                .containsPattern("r3-lb1 +10\\.10\\.3\\.21 +<-> leaf-r3-a +BGP Established +BFD up")
                .containsPattern("r3-lb2 +10\\.10\\.3\\.22 +<-> leaf-r3-b +BGP Established +BFD up")
                .contains("VIP 198.51.100.7 on leaf-r3-a: ok (ECMP next hops 10.10.3.21, 10.10.3.22)")
                .containsPattern("VIP 198\\.51\\.100\\.7:80 from a client outside the cluster \\([0-9.]+\\): ok \\(8 of 8 answered")
                .doesNotContain("not configured")
                .doesNotContain("NOT converged");
        // Distinct blocks from the pool, each on both leaves via its node (r2-node1's explicit block not among them).
        JsonNode st = JSON.readTree(gannet("lab", "status", "--name", name, "--dir", dir(name).toString(), "--json").out().replaceFirst("(?s)^[^{]*", ""));
        String b1 = st.path("store").path("podCidrs").path("r1-node1").asText().replaceAll(" .*", "");
        String b2 = st.path("store").path("podCidrs").path("r1-node2").asText().replaceAll(" .*", "");
        assertThat(b1).startsWith("10.32.").endsWith("/25").isNotEqualTo(b2).isNotEqualTo("10.32.100.0/25");
        assertThat(b2).startsWith("10.32.").endsWith("/25").isNotEqualTo("10.32.100.0/25");
        assertThat(up.out()).contains("leaf-r1-a: " + b1 + " via 10.10.1.11, " + b2 + " via 10.10.1.12")
                .contains("leaf-r1-b: " + b1 + " via 10.10.1.11, " + b2 + " via 10.10.1.12");
        downLeavesNothing(name, List.of("10.10.1.11", "10.10.1.12", "10.10.3.21", "198.51.100.7"), 4 + 12 + 1);

        Run sideStatus = gannet("lab", "status", "--name", side, "--dir", dir(side).toString());
        assertThat(sideStatus.exit()).as(sideStatus.out()).isZero();
        assertThat(sideStatus.out()).contains("lab " + side + " is up");
        downLeavesNothing(side, List.of("10.1.1.11", "10.1.1.12"));
    }

    @Test
    void downAfterAnUpKilledHalfWayLeavesNothing() throws Exception {
        String name = name("k");
        labsUp.add(name);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xlog:disable", "-cp",
                System.getProperty("java.class.path"), GannetCli.class.getName(), "lab", "up", "--name", name, "--dir", dir(name).toString(),
                "--profile", REPO.resolve("topology-profiles/examples/ibgp-core.yaml").toString()));
        Process up = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("up-" + name + ".out").toFile()).start();
        // Killed (SIGKILL: no clean-up of its own) once its switches run and its first node has started.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path state = dir(name).resolve("lab.json");
        while (System.nanoTime() < deadline) {
            if (Files.exists(state) && JSON.readTree(state.toFile()).path("nodes").size() >= 1) {
                break;
            }
            Thread.sleep(20);
        }
        up.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        JsonNode half = JSON.readTree(state.toFile());
        assertThat(half.path("complete").asBoolean()).isFalse();
        assertThat(half.path("nodes").size()).isGreaterThanOrEqualTo(1);
        // 6 FRR daemons (zebra, bfdd, bgpd per core), etcd and at least one gannet run.
        downLeavesNothing(name, List.of("10.1.1.11", "10.1.1.12"), 1 + 6 + 1);
    }

    @Test
    void birdSwitchesRouteThePods() throws Exception {
        Requirements.requireCommand("bird");
        String name = name("r");
        labsUp.add(name);
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--router", "bird", "--profile",
                REPO.resolve("topology-profiles/examples/ibgp-core.yaml").toString());
        System.out.println("[lab] ibgp-core with BIRD:\n" + up.out());
        // BIRD runs multihop BFD for the rendered iBGP "multihop" sessions, and so does the node.
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out())
                .containsPattern("node1 +10\\.1\\.1\\.11 +<-> core1 +BGP Established +BFD Up")
                .containsPattern("node1 +10\\.1\\.1\\.11 +<-> core2 +BGP Established +BFD Up")
                .containsPattern("node2 +10\\.1\\.1\\.12 +<-> core1 +BGP Established +BFD Up")
                .containsPattern("node2 +10\\.1\\.1\\.12 +<-> core2 +BGP Established +BFD Up")
                .contains("core1: 10.244.1.0/24 via 10.1.1.11")
                .containsPattern("node1-pod1 \\(node1\\) -> 10\\.244\\.0\\.\\d+ \\(node2\\): ok")
                // node 2 to node 1: node 1's only pod is the protected server, which takes the client's TCP, not pings
                .contains("policy allows node2-pod2 (role client, on node2) -> node1-pod1:8080 (on node1): ok")
                .contains("birdc -s " + dir(name).resolve("switches/core1/bird.ctl"))
                .contains("lab " + name + " is up");
        downLeavesNothing(name, List.of("10.1.1.11", "10.1.1.12"), 2 + 2);
    }

    @Test
    void birdLeavesRunMultihopBfdWithTheNodes() throws Exception {
        Requirements.requireCommand("bird");
        String name = name("l");
        labsUp.add(name);
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--router", "bird", "--profile",
                REPO.resolve("topology-profiles/examples/ebgp-leaf.yaml").toString());
        System.out.println("[lab] ebgp-leaf with BIRD:\n" + up.out());
        // GTSM one hop away: rendered "ttl security on; multihop 1", so BIRD runs multihop BFD as FRR would.
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out())
                .containsPattern("r1-node1 +10\\.10\\.1\\.11 +<-> leaf-r1-a +BGP Established +BFD Up")
                .containsPattern("r1-node1 +10\\.10\\.1\\.11 +<-> leaf-r1-b +BGP Established +BFD Up")
                .containsPattern("r1-node2 +10\\.10\\.1\\.12 +<-> leaf-r1-a +BGP Established +BFD Up")
                .containsPattern("r1-node2 +10\\.10\\.1\\.12 +<-> leaf-r1-b +BGP Established +BFD Up")
                .contains("leaf-r1-a: 10.32.0.0/25 via 10.10.1.11, 10.32.0.128/25 via 10.10.1.12")
                .containsPattern("r1-node1-pod1 \\(r1-node1\\) -> 10\\.32\\.0\\.\\d+ \\(r1-node2\\): ok")
                .contains("lab " + name + " is up");
        Run bfd = gannet("show", "bfd", "--socket", dir(name).resolve("nodes/r1-node1/gannet.sock").toString());
        assertThat(bfd.out()).containsPattern("10\\.10\\.1\\.1 +- +multi +Up +Up");
        downLeavesNothing(name, List.of("10.10.1.11", "10.10.1.12"), 2 + 2);
    }

    @Test
    void gannetCoresInstallThePodCidrsAndTheVipWithTwoEcmpNextHops() throws Exception {
        String name = name("g");
        labsUp.add(name);
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--router", "gannet", "--profile",
                REPO.resolve("topology-profiles/examples/ibgp-core.yaml").toString());
        System.out.println("[lab] ibgp-core with Gannet cores:\n" + up.out());
        // Each core is gannet run --fib with the profile profile render --switch --format gannet writes.
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out())
                .containsPattern("node1 +10\\.1\\.1\\.11 +<-> core1 +BGP Established +BFD Up")
                .containsPattern("node2 +10\\.1\\.1\\.12 +<-> core2 +BGP Established +BFD Up")
                .containsPattern("lb1 +10\\.1\\.1\\.100 +<-> core2 +BGP Established +BFD Up")
                .contains("core1: 10.244.1.0/24 via 10.1.1.11")
                .contains("core2: 10.244.1.0/24 via 10.1.1.11")
                .contains("VIP 203.0.113.10 on core1: ok (ECMP next hops 10.1.1.100, 10.1.2.100)")
                .contains("VIP 203.0.113.10 on core2: ok (ECMP next hops 10.1.1.100, 10.1.2.100)")
                .containsPattern("VIP 203\\.0\\.113\\.10:80 from a client outside the cluster \\([0-9.]+\\): ok \\(8 of 8 answered")
                .containsPattern("node1-pod1 \\(node1\\) -> 10\\.244\\.\\d+\\.\\d+ \\(node2\\): ok")
                .contains(dir(name).resolve("switches/core1/gannet.log").toString())
                .contains("lab " + name + " is up");
        assertThat(Files.readString(dir(name).resolve("switches/core1/profile.yaml")))
                .startsWith("# Generated by gannet profile render --switch core1 --format gannet");
        // The core's own view, as an operator asks it: both L4LB hosts' paths to the VIP, one best and one ECMP.
        Run routes = gannet("show", "routes", "203.0.113.10/32", "--socket", dir(name).resolve("switches/core1/gannet.sock").toString());
        assertThat(routes.exit()).as(routes.out()).isZero();
        assertThat(routes.out()).containsPattern(">\\s+203\\.0\\.113\\.10/32\\s+10\\.1\\.[12]\\.100")
                .containsPattern("=\\s+203\\.0\\.113\\.10/32\\s+10\\.1\\.[12]\\.100");
        // Nothing goes back to the hosts: the nodes learn no route from their cores.
        Run learned = gannet("show", "routes", "--socket", dir(name).resolve("nodes/node1/gannet.sock").toString(), "--json");
        assertThat(learned.exit()).as(learned.out()).isZero();
        JsonNode nodeRoutes = JSON.readTree(learned.out()).path("routes");
        assertThat(nodeRoutes).isNotEmpty();
        nodeRoutes.forEach(r -> assertThat(r.path("fromPeer").asText()).as(r.toString()).isEqualTo("local"));
        downLeavesNothing(name, List.of("10.1.1.11", "10.1.1.12", "10.1.1.100", "203.0.113.10"), 6);
    }

    @Test
    void gannetLeavesWithGtsmRouteThePodsAndTheVip() throws Exception {
        String name = name("t");
        labsUp.add(name);
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--router", "gannet", "--profile",
                REPO.resolve("topology-profiles/examples/ebgp-leaf.yaml").toString());
        System.out.println("[lab] ebgp-leaf with Gannet leaves:\n" + up.out());
        // GTSM (ttlSecurity 1) on both ends of every session, both ends Gannet: each end's SYN-ACK leaves with TTL 255.
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out())
                .containsPattern("r1-node1 +10\\.10\\.1\\.11 +<-> leaf-r1-a +BGP Established +BFD Up")
                .containsPattern("r1-node2 +10\\.10\\.1\\.12 +<-> leaf-r1-b +BGP Established +BFD Up")
                .contains("leaf-r1-a: 10.32.0.0/25 via 10.10.1.11, 10.32.0.128/25 via 10.10.1.12")
                .contains("VIP 198.51.100.7 on leaf-r3-a: ok (ECMP next hops 10.10.3.21, 10.10.3.22)")
                .contains("VIP 198.51.100.7 on leaf-r3-b: ok (ECMP next hops 10.10.3.21, 10.10.3.22)")
                .containsPattern("VIP 198\\.51\\.100\\.7:80 from a client outside the cluster \\([0-9.]+\\): ok \\(8 of 8 answered")
                .contains("lab " + name + " is up");
        // rack 3's leaves say in their lab profile what the IPv4 lab leaves out (r3-lb6's IPv6-only session)
        assertThat(Files.readString(dir(name).resolve("switches/leaf-r3-a/profile.yaml")))
                .contains("# left out (no IPv4 address; the lab builds IPv4 fabrics): r3-lb6");
        downLeavesNothing(name, List.of("10.10.1.11", "10.10.1.12", "10.10.3.21", "198.51.100.7"), 8);
    }

    @Test
    void scaleRunConvergesAgainstGannetAndFrrCoresAndRemovesWhatItMade() throws Exception {
        for (String router : List.of("gannet", "frr")) {
            String name = name("x" + router.charAt(0));
            Run run = gannet("lab", "scale", "--name", name, "--dir", dir(name).toString(), "--router", router, "--nodes", "200",
                    "--timeout", "120", "--json");
            System.out.println("[lab] scale, 200 nodes, " + router + " core:\n" + run.out());
            assertThat(run.out()).containsPattern("all 200 PodCIDRs in the core's kernel table: +\\d+\\.\\d+ s")
                    .contains("graceful restart of 20 nodes")
                    .contains("lab scale " + name + ": removed everything it created");
            JsonNode r = JSON.readTree(run.out().substring(run.out().indexOf("\n{") + 1));
            assertThat(r.path("corePeakRssMiB").asDouble()).isPositive();
            assertThat(r.path("establishedMs").asLong()).isNotNegative();
            assertThat(r.path("restartEndOfRibMs").asLong()).isNotNegative();
            assertThat(r.path("restartRoutesMs").asLong()).isNotNegative();
            if (router.equals("gannet")) {
                // Gannet keeps every restarting node's PodCIDR (graceful restart) and ends no session
                assertThat(run.exit()).as(run.out()).isZero();
                assertThat(run.out()).contains("lab scale " + name + ": converged")
                        .contains("PodCIDRs in the core's table throughout: yes (fewest 200 of 200)");
                assertThat(r.path("flaps").asInt()).isZero();
            } else if (r.path("minRoutesDuringRestart").asInt() < 200) {
                // FRR 8.4 races with itself: its own connection to a node completes after the node's
                // connection has gone Established, and bgpd ends the Established session ("TCP_connection_open
                // (Established->Clearing)"; its log gives the stale reason "No AFI/SAFI activated"). When
                // that hits a node back from a restart, its stale PodCIDR goes too: the run must say so
                // rather than pass it off as converged
                assertThat(r.path("flaps").asInt()).as(run.out()).isPositive();
                assertThat(run.out()).contains("the core ended").contains("did NOT converge");
                assertThat(run.exit()).isEqualTo(1);
            } else {
                assertThat(run.exit()).as(run.out()).isZero();
            }
            assertThat(namespacesOf(name)).isEmpty();
            assertThat(dir(name)).doesNotExist();
        }
    }

    @Test
    void aMissingPrerequisiteCreatesNothing() throws Exception {
        String name = name("m");
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--cni-plugin", tmp.resolve("no-such-plugin").toString());
        assertThat(up.exit()).isEqualTo(1);
        assertThat(up.out()).contains("missing on this machine, install and run again (nothing was created)")
                .contains("the Gannet CNI plugin at " + tmp.resolve("no-such-plugin"));
        assertThat(namespacesOf(name)).isEmpty();
        assertThat(dir(name)).doesNotExist();
    }

    @Test
    void aBrokenProfileCreatesNothing() throws Exception {
        String name = name("b");
        Path profile = tmp.resolve("broken.yaml");
        Files.writeString(profile, Files.readString(REPO.resolve("topology-profiles/examples/ibgp-core.yaml"))
                .replace("cidr: 10.244.0.0/16", "cidr: 10.244.0.0/33"));
        Run up = gannet("lab", "up", "--name", name, "--dir", dir(name).toString(), "--profile", profile.toString());
        assertThat(up.exit()).isEqualTo(1);
        assertThat(up.out()).contains("gannet lab up: the profile has errors").contains("broken.yaml");
        assertThat(namespacesOf(name)).isEmpty();
        assertThat(dir(name)).doesNotExist();
    }

    /**
     * A real Prometheus (Debian's) with the shipped configuration and rules, in the lab's store
     * namespace on the segment, scrapes every host from the targets file {@code lab up} wrote:
     * each is up, each session to a switch is up, and the nodes' IPAM is there.
     */
    private void prometheusScrapesTheLab(String name, int hosts, int sessions) throws Exception {
        try (ShippedPrometheus prometheus = ShippedPrometheus.start("gl-" + name + "-e", tmp.resolve("prometheus-" + name),
                Files.readString(dir(name).resolve("gannet-targets.json")))) {
            String query = "count(up{job=\"gannet\"} == 1)";
            assertThat(awaitValue(prometheus, query, String.valueOf(hosts))).as(query + "; its log: " + prometheus.log())
                    .isEqualTo(String.valueOf(hosts));
            query = "count(gannet_bgp_peer_up == 1)";
            assertThat(awaitValue(prometheus, query, String.valueOf(sessions))).as(query).isEqualTo(String.valueOf(sessions));
            query = "count(gannet_ipam_addresses{role=\"node\"})";
            assertThat(awaitValue(prometheus, query, "2")).as(query).isEqualTo("2");
        }
    }

    /** The value of a one-series PromQL query, once it is {@code want} or after 45 s. */
    private static String awaitValue(ShippedPrometheus prometheus, String query, String want) throws InterruptedException {
        String got = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (System.nanoTime() < deadline && !(got = prometheus.value(query)).equals(want)) {
            Thread.sleep(500);
        }
        return got;
    }

    private void downLeavesNothing(String name, List<String> nodeAddresses) throws Exception {
        downLeavesNothing(name, nodeAddresses, 2 + 6 + 1);
    }

    private void downLeavesNothing(String name, List<String> nodeAddresses, int minProcesses) throws Exception {
        JsonNode state = JSON.readTree(dir(name).resolve("lab.json").toFile());
        List<Long> pids = new ArrayList<>();
        state.path("pids").forEach(p -> pids.add(p.asLong()));
        for (JsonNode f : state.path("pidFiles")) {
            Path pidFile = Path.of(f.asText());
            if (Files.exists(pidFile)) {
                pids.add(Long.parseLong(Files.readString(pidFile).trim()));
            }
        }
        assertThat(pids).hasSizeGreaterThanOrEqualTo(minProcesses);
        assertThat(namespacesOf(name)).isNotEmpty();

        Run down = gannet("lab", "down", "--name", name, "--dir", dir(name).toString());
        assertThat(down.exit()).as(down.out()).isZero();
        labsUp.remove(name);
        assertThat(namespacesOf(name)).isEmpty();
        for (long pid : pids) {
            assertThat(Lab.running(pid)).as("pid " + pid + " runs (not a zombie)").isFalse();
        }
        assertThat(dir(name)).doesNotExist();
        // Every link lived inside the lab's namespaces; nothing reached the root namespace.
        String rootLinks = NetworkNamespace.Shell.run("ip", "-o", "link", "show");
        String rootRoutes = NetworkNamespace.Shell.run("ip", "route", "show");
        for (String a : nodeAddresses) {
            assertThat(rootRoutes).doesNotContain(a);
        }
        assertThat(rootLinks).doesNotContain("gl-" + name);
        try (Stream<Path> pins = Files.list(Path.of("/sys/fs/bpf"))) {
            assertThat(pins.map(p -> p.getFileName().toString())).noneMatch(p -> p.contains(name));
        }
        assertThat(gannet("lab", "status", "--name", name, "--dir", dir(name).toString()).exit()).isEqualTo(1);
    }

    private static List<String> namespacesOf(String name) throws Exception {
        List<String> out = new ArrayList<>();
        Path run = Path.of("/run/netns");
        if (Files.isDirectory(run)) {
            try (Stream<Path> s = Files.list(run)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("gl-" + name + "-")).forEach(out::add);
            }
        }
        return out;
    }
}
