package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.bpf.Datapath;
import io.gannet.lab.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's proof: two nodes, each one {@code gannet run --cni-socket ... --fib}, and a real
 * FRR leaf (bgpd + zebra, so it forwards) configured by {@code gannet profile render --switch}.
 * Pods are created by running {@code /opt/cni/bin/gannet} (the built binary) as a runtime does,
 * inside each node's namespace. Pod A on node 1 reaches pod B on node 2 through the leaf, which
 * learned both PodCIDRs from the daemons; a DEL leaves no interface, route or address behind,
 * and on node 1 (datapath on) no endpoint entry.
 */
class DaemonPodNetworkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: pods-e2e}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.203.0.254], asn: 4200100001}
                hosts:
                  - {name: node1, address: 10.203.0.1, podCIDR: 10.244.31.0/24}
                  - {name: node2, address: 10.203.0.2, podCIDR: 10.244.32.0/24}
            """;

    @TempDir
    Path dir;
    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final List<Process> frr = new ArrayList<>();
    private final List<GannetProcess> daemons = new ArrayList<>();
    private Path pinRoot;
    private Path frrDir;

    @AfterEach
    void tearDown() throws Exception {
        daemons.forEach(GannetProcess::close);
        for (Process p : frr) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            namespaces.get(i).close();
        }
        if (pinRoot != null) {
            Datapath.removePins(pinRoot);
        }
        if (frrDir != null) {
            try (var files = Files.walk(frrDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private NetworkNamespace ns(String name) {
        NetworkNamespace n = NetworkNamespace.create(name);
        namespaces.add(n);
        return n;
    }

    @Test
    void podOnNode1ReachesPodOnNode2ThroughTheFrrLeafAndDelLeavesNothing() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand(Fabric.BGPD);
        Requirements.requireCommand("/usr/lib/frr/zebra");
        Requirements.requireCommand("nsenter");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        // The leaf: a bridge with 10.203.0.254/24 and one port per node.
        NetworkNamespace leaf = ns("pel");
        leaf.exec("ip", "link", "add", "br0", "type", "bridge");
        leaf.exec("ip", "addr", "add", "10.203.0.254/24", "dev", "br0");
        leaf.exec("ip", "link", "set", "br0", "up");
        leaf.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        NetworkNamespace[] nodes = {ns("pe1"), ns("pe2")};
        for (int i = 0; i < 2; i++) {
            String port = "pe" + ProcessHandle.current().pid() % 100000 + "p" + (i + 1);
            NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", nodes[i].name(), "type", "veth",
                    "peer", "name", port, "netns", leaf.name());
            leaf.exec("ip", "link", "set", port, "master", "br0");
            leaf.exec("ip", "link", "set", port, "up");
            nodes[i].exec("ip", "addr", "add", "10.203.0." + (i + 1) + "/24", "dev", "eth0");
            nodes[i].exec("ip", "link", "set", "eth0", "up");
            // A host's static default route to its leaf, as on a real rack.
            nodes[i].exec("ip", "route", "add", "default", "via", "10.203.0.254");
        }
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        startFrr(leaf, GannetProcess.render(profile, "leaf1"));

        pinRoot = Path.of("/sys/fs/bpf/gannet-pods-test-" + ProcessHandle.current().pid());
        Path services = Files.createDirectories(dir.resolve("services"));
        Path[] sockets = new Path[2];
        for (int i = 0; i < 2; i++) {
            Path d = Files.createDirectories(dir.resolve("node" + (i + 1)));
            sockets[i] = d.resolve("cni.sock");
            List<String> args = new ArrayList<>(List.of("--cni-socket", sockets[i].toString(), "--fib"));
            if (i == 0) {
                args.addAll(List.of("--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString()));
            }
            daemons.add(i == 0 ? GannetProcess.startKeepingMounts(nodes[i], d, profile, "node1", args.toArray(String[]::new))
                    : GannetProcess.start(nodes[i], d, profile, "node2", args.toArray(String[]::new)));
        }
        for (int i = 0; i < 2; i++) {
            GannetProcess g = daemons.get(i);
            g.awaitTrue("node" + (i + 1) + " established with leaf1", () -> g.established("leaf1"), () -> vtysh(leaf, "show bgp summary"));
            Path sock = sockets[i];
            g.awaitTrue("CNI socket", () -> Files.exists(sock), () -> "");
        }
        daemons.get(0).awaitTrue("the leaf installed both PodCIDRs", () -> {
            String r = leaf.exec("ip", "route", "show");
            // zebra writes nexthop objects: "10.244.31.0/24 nhid 10 via 10.203.0.1 dev br0 proto bgp"
            return r.matches("(?s).*10\\.244\\.31\\.0/24 [^\n]*via 10\\.203\\.0\\.1 .*")
                    && r.matches("(?s).*10\\.244\\.32\\.0/24 [^\n]*via 10\\.203\\.0\\.2 .*");
        }, () -> vtysh(leaf, "show bgp ipv4 unicast") + leaf.exec("ip", "route", "show"));

        NetworkNamespace podA = ns("pea");
        NetworkNamespace podB = ns("peb");
        JsonNode a = cni(plugin, nodes[0], sockets[0], "ADD", "ctr-a", podA);
        JsonNode b = cni(plugin, nodes[1], sockets[1], "ADD", "ctr-b", podB);
        String ipA = a.path("ips").get(0).path("address").asText().replace("/32", "");
        String ipB = b.path("ips").get(0).path("address").asText().replace("/32", "");
        assertThat(ipA).startsWith("10.244.31.");
        assertThat(ipB).startsWith("10.244.32.");
        String vethA = a.path("interfaces").get(0).path("name").asText();
        assertThat(nodes[0].exec("ip", "route", "show", "proto", "201")).contains(ipA + " dev " + vethA)
                .contains("unreachable 10.244.31.0/24");
        // The datapath is attached to the pod's veth with nothing done by hand.
        assertThat(nodes[0].exec("tc", "filter", "show", "dev", vethA, "ingress")).contains("from_pod");
        assertThat(nodes[0].exec("tc", "filter", "show", "dev", vethA, "egress")).contains("to_pod");

        String endpoints = io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_endpoints").toString();
        assertThat(NetworkNamespace.Shell.run("bpftool", "map", "dump", "pinned", endpoints)).contains(podAddrField(ipA));

        podA.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", ipB);
        podB.exec("ping", "-c", "1", "-W", "2", ipA);

        String del = cniRaw(plugin, nodes[0], sockets[0], "DEL", "ctr-a", podA);
        assertThat(del).isEmpty();
        assertThat(nodes[0].exec("ip", "-o", "link", "show")).doesNotContain(vethA);
        assertThat(nodes[0].exec("ip", "route", "show", "proto", "201")).doesNotContain(ipA + " ");
        assertThat(podA.exec("ip", "-o", "addr", "show")).doesNotContain(ipA);
        assertThat(NetworkNamespace.Shell.run("bpftool", "map", "dump", "pinned", endpoints))
                .doesNotContain(podAddrField(ipA));
        assertThat(daemons.get(0).log()).contains("cni add").contains("cni del");
    }

    /** The pod address as bpftool prints dp_endpoints' pod_addr: network-order bytes read as a host (little-endian) u32. */
    private static String podAddrField(String ip) {
        String[] p = ip.split("\\.");
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | Integer.parseInt(p[i]);
        }
        return "\"pod_addr\": " + v;
    }

    private JsonNode cni(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod) throws Exception {
        String out = cniRaw(plugin, node, socket, command, id, pod);
        JsonNode r = JSON.readTree(out);
        assertThat(r.has("code")).as(out).isFalse();
        return r;
    }

    private String cniRaw(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(node.inside(plugin.toString()));
        pb.environment().put("CNI_COMMAND", command);
        pb.environment().put("CNI_CONTAINERID", id);
        pb.environment().put("CNI_NETNS", "/run/netns/" + pod.name());
        pb.environment().put("CNI_IFNAME", "eth0");
        pb.environment().put("CNI_PATH", "/opt/cni/bin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"gannet\",\"type\":\"gannet\",\"socket\":\"" + socket + "\"}";
        p.getOutputStream().write(conf.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** zebra (so the leaf forwards what BGP learned) and bgpd talking to it, in the leaf's namespace. */
    private void startFrr(NetworkNamespace leaf, String bgpdConf) throws Exception {
        // zebra runs as FRR's own user (root is not in FRR's vty group), so its directory is
        // one it can reach: a world-writable directory of this test, removed afterwards.
        Path d = Files.createTempDirectory("gannet-frr-");
        frrDir = d;
        Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(d.resolve("zebra.conf"), "");
        Files.writeString(d.resolve("bgpd.conf"), bgpdConf);
        String zserv = d.resolve("zserv.api").toString();
        frr.add(new ProcessBuilder(leaf.inside("/usr/lib/frr/zebra", "-f", d.resolve("zebra.conf").toString(), "-i", d.resolve("zebra.pid").toString(), "-z", zserv, "--vty_socket", d.toString(), "-P", "0",
                "--log", "file:" + d.resolve("zebra.log")))
                .redirectErrorStream(true).redirectOutput(d.resolve("zebra.out").toFile()).start());
        awaitFile(d.resolve("zserv.api"), d.resolve("zebra.out"));
        frr.add(new ProcessBuilder(leaf.inside(Fabric.BGPD, "-f", d.resolve("bgpd.conf").toString(), "-z", zserv, "-S", "-u", "root",
                "-g", "root", "-i", d.resolve("bgpd.pid").toString(), "--vty_socket", d.toString(), "-P", "0", "-p", "179",
                "--log", "file:" + d.resolve("bgpd.log")))
                .redirectErrorStream(true).redirectOutput(d.resolve("bgpd.out").toFile()).start());
        awaitFile(d.resolve("bgpd.vty"), d.resolve("bgpd.out"));
    }

    private String vtysh(NetworkNamespace leaf, String command) {
        return "\n--- leaf: " + command + "\n"
                + NetworkNamespace.Shell.runQuietly("vtysh", "--vty_socket", frrDir.toString(), "-d", "bgpd", "-c", command);
    }

    private static void awaitFile(Path f, Path out) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!Files.exists(f)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(f + " did not appear: " + Files.readString(out));
            }
            Thread.sleep(50);
        }
    }
}
