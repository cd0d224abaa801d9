package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.lab.Fabric;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dual-stack cluster through {@code gannet run}: two nodes, each with an IPv4 and an IPv6
 * address, a PodCIDR of each family (node 1 pinned, node 2 from the profile's IPv6 pool), and
 * a whole FRR leaf (bgpd + zebra) rendered by {@code profile render --switch}. Each node holds
 * an IPv4 and an IPv6 session with the leaf; the leaf's kernel routes both PodCIDRs of both
 * nodes. Pods made by the CNI plugin binary get an address of each family and reach the other
 * node's pod over both, node 1's pod through the eBPF datapath (whose IPv6 source check knows
 * the pod's IPv6 address from the CNI ADD).
 */
class DaemonDualStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: dual-e2e}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool:
                - {cidr: 10.244.0.0/16, prefixLength: 24}
                - {cidr: "fd00:10:244::/56", prefixLength: 64}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.205.0.254, "fd00:205::fe"], asn: 4200100001}
                hosts:
                  - {name: node1, address: [10.205.0.1, "fd00:205::1"], podCIDR: [10.244.51.0/24, "fd00:10:244:51::/64"]}
                  - {name: node2, address: [10.205.0.2, "fd00:205::2"], podCIDR: 10.244.52.0/24}
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private final List<GannetProcess> daemons = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void eachFamilyHasItsSessionThePodCidrsReachTheLeafAndPodsTalkOverBoth() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand(Fabric.BGPD);
        Requirements.requireCommand("/usr/lib/frr/zebra");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        DualStackRack rack = rack("dsl", "ds1", "ds2");
        NetworkNamespace leaf = rack.leaf();
        NetworkNamespace[] nodes = rack.nodes();
        Path profile = profile(PROFILE);
        FrrRouter frr = bed.own(FrrRouter.start(leaf, dir.resolve("frr"), GannetProcess.render(profile, "leaf1")));

        Path pinRoot = bed.pinRoot("dual-test");
        Path services = Files.createDirectories(dir.resolve("services"));
        Path[] sockets = new Path[2];
        for (int i = 0; i < 2; i++) {
            Path d = Files.createDirectories(dir.resolve("node" + (i + 1)));
            sockets[i] = d.resolve("cni.sock");
            daemons.add(bed.daemon(i == 0
                    ? GannetProcess.startKeepingMounts(nodes[i], d, profile, "node1", "--cni-socket", sockets[i].toString(),
                            "--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString())
                    : GannetProcess.start(nodes[i], d, profile, "node2", "--cni-socket", sockets[i].toString())));
        }
        for (int i = 0; i < 2; i++) {
            GannetProcess g = daemons.get(i);
            g.awaitTrue("node" + (i + 1) + ": both sessions with leaf1", () -> g.established("leaf1") && g.established("leaf1-ipv6"),
                    () -> frr.vtysh("show bgp summary") + frr.log());
        }
        // The leaf's kernel routes both families' PodCIDRs to their nodes; node 2's IPv6 block is the pool's first.
        daemons.get(0).awaitTrue("the leaf installed the four PodCIDRs", () -> {
            String v4 = leaf.exec("ip", "-4", "route", "show");
            String v6 = leaf.exec("ip", "-6", "route", "show");
            return v4.matches("(?s).*10\\.244\\.51\\.0/24 [^\n]*via 10\\.205\\.0\\.1 .*")
                    && v4.matches("(?s).*10\\.244\\.52\\.0/24 [^\n]*via 10\\.205\\.0\\.2 .*")
                    && v6.contains("fd00:10:244:51::/64") && v6.contains("fd00:10:244::/64");
        }, () -> frr.vtysh("show bgp ipv4 unicast") + frr.vtysh("show bgp ipv6 unicast") + leaf.exec("ip", "-6", "route", "show"));
        JsonNode best = JSON.readTree(frr.vtysh("show bgp ipv6 unicast fd00:10:244:51::/64 json")).path("paths").path(0);
        assertThat(best.path("nexthops").toString()).contains("fd00:205::1");
        assertThat(daemons.get(1).cli("show", "peers")).contains("leaf1-ipv6");
        assertThat(daemons.get(1).cli("show", "routes")).contains("fd00:10:244::/64").contains("10.244.52.0/24");

        NetworkNamespace podA = bed.ns("dsa");
        NetworkNamespace podB = bed.ns("dsb");
        JsonNode a = CniCall.add(plugin, nodes[0], sockets[0], "ctr-a", podA, null);
        JsonNode b = CniCall.add(plugin, nodes[1], sockets[1], "ctr-b", podB, null);
        String a4 = DualStackRack.ip(a, "10.244.51."), a6 = DualStackRack.ip(a, "fd00:10:244:51:");
        String b4 = DualStackRack.ip(b, "10.244.52."), b6 = DualStackRack.ip(b, "fd00:10:244::");
        assertThat(a.path("routes").toString()).contains("0.0.0.0/0").contains("::/0");
        assertThat(nodes[0].exec("ip", "-6", "route", "show", "proto", "201")).contains(a6 + " dev ").contains("unreachable fd00:10:244:51::/64");

        podA.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", b4);
        podA.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", b6);
        podB.exec("ping", "-6", "-c", "1", "-W", "2", a6);
        // node 1's datapath has pod A's IPv6 address for its source check, and the pod's IPv6 passes it
        io.gannet.bpf.libbpf.BpfMap ep6 = io.gannet.bpf.libbpf.BpfMap.openPinnedAsIs(
                io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_endpoints6").toString());
        java.util.List<String> podSources6 = new java.util.ArrayList<>();
        try {
            ep6.forEachBatch(64, (k, v) -> podSources6.add(io.gannet.bpf.lb.Ipv6.of(v).format()));
        } finally {
            ep6.close();
        }
        assertThat(podSources6).contains(io.gannet.bpf.lb.Ipv6.parse(a6).format());
        podB.exec("ping", "-c", "1", "-W", "2", a4);

        // Node 2 (the backend pod's) restarts (SIGTERM, then start) under request loops over both
        // families: the leaf keeps both PodCIDRs (graceful restart), the kernel keeps the pod's
        // routes, and the new daemon adopts the pod.
        bed.start(podB, "python3", "-m", "http.server", "--bind", "::", "8080");
        daemons.get(1).awaitTrue("pod B serves", () -> {
            try {
                return podA.exec("python3", "-c", "import socket; socket.create_connection(('" + b6 + "', 8080), timeout=1).close();"
                        + " print('up')").contains("up");
            } catch (IllegalStateException notYet) {
                return false;
            }
        }, () -> "");
        Path loop = Files.writeString(dir.resolve("loop.py"), DaemonPodNetworkTest.REQUEST_LOOP);
        Path stop = dir.resolve("stop");
        Path out6 = dir.resolve("ipv6.txt");
        Path out4 = dir.resolve("ipv4.txt");
        Process l6 = bed.start(podA, "python3", loop.toString(), b6, "8080", stop.toString(), out6.toString());
        Process l4 = bed.start(podA, "python3", loop.toString(), b4, "8080", stop.toString(), out4.toString());
        Thread.sleep(1500);
        assertThat(daemons.get(1).terminate(java.time.Duration.ofSeconds(30))).as("node 2's daemon stopped on SIGTERM").isTrue();
        Thread.sleep(1000);
        GannetProcess again = bed.daemon(GannetProcess.start(nodes[1], dir.resolve("node2"), profile, "node2", "--cni-socket",
                sockets[1].toString()));
        daemons.set(1, again);
        again.awaitTrue("node 2: both sessions again", () -> again.established("leaf1") && again.established("leaf1-ipv6"),
                () -> frr.vtysh("show bgp summary"));
        Thread.sleep(1500);
        Files.writeString(stop, "");
        assertThat(l6.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(l4.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (Path r : List.of(out6, out4)) {
            String[] f = Files.readString(r).trim().split(" ", 3);
            System.out.println("requests through node 2's restart, " + r.getFileName() + ": " + f[0] + " answered, " + f[1] + " failed");
            assertThat(Integer.parseInt(f[0])).as(r.getFileName() + ": requests answered").isGreaterThan(20);
            assertThat(Integer.parseInt(f[1])).as(r.getFileName() + ": requests failed: " + (f.length > 2 ? f[2] : "")
                    + "\nnode 2's log:\n" + again.log()).isZero();
        }
        String vethB = b.path("interfaces").get(0).path("name").asText();
        assertThat(CniCall.run(plugin, nodes[1], sockets[1], "DEL", "ctr-b", podB, null)).isEmpty();
        assertThat(nodes[1].exec("ip", "-o", "link", "show")).doesNotContain(vethB);
        assertThat(nodes[1].exec("ip", "-6", "route", "show", "proto", "201")).doesNotContain(b6 + " ");

        assertThat(CniCall.run(plugin, nodes[0], sockets[0], "DEL", "ctr-a", podA, null)).isEmpty();
        assertThat(nodes[0].exec("ip", "-6", "route", "show", "proto", "201")).doesNotContain(a6 + " ");
        String ipam = daemons.get(0).cli("show", "ipam", "--json");
        assertThat(ipam).contains("fd00:10:244:51::/64").doesNotContain(a6).doesNotContain(a4 + "/");
    }

    /** The leaf's bridge with an address of each family, each node's eth0 on it with its two addresses and default routes. */
    private DualStackRack rack(String leaf, String... nodes) {
        return DualStackRack.wire(bed, "10.205.0", "fd00:205", leaf, nodes);
    }

    private Path profile(String text) throws Exception {
        return Files.writeString(dir.resolve("profile.yaml"), text);
    }

    /** Whether {@code from} gets an answer from {@code address} (a ping of its family). */
    private static boolean answers(NetworkNamespace from, String address) {
        try {
            from.exec("ping", address.contains(":") ? "-6" : "-4", "-c", "1", "-W", "1", address);
            return true;
        } catch (IllegalStateException noAnswer) {
            return false;
        }
    }

    /**
     * A dual-stack StatefulSet pod's fixed addresses, through {@code gannet run} on both nodes
     * sharing one etcd and the CNI plugin binary: with a fixed-IP pool of each family, pod pg-0
     * gets a /32 and a /128 on node 1, which the FRR leaf learns from node 1 (each on its
     * family's session) and forwards to; node 1's daemon restarts and announces both again;
     * the pod is deleted there and started on node 2 with the same identity: the same two
     * addresses, announced by node 2 only, and the leaf reaches the new pod over both.
     */
    @Test
    void aDualStackStatefulSetPodKeepsBothFixedAddressesAcrossARestartAndANodeMove() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand(Fabric.BGPD);
        Requirements.requireCommand("/usr/lib/frr/zebra");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");
        DualStackRack rack = rack("dfl", "df1", "df2");
        NetworkNamespace leaf = rack.leaf();
        NetworkNamespace[] nodes = rack.nodes();
        String pool6 = "    - {cidr: \"fd00:10:244::/56\", prefixLength: 64}\n";
        Path profile = profile(PROFILE.replace(pool6, pool6
                + "  fixedIPPools: [{name: db, cidr: 10.250.0.0/24}, {name: db6, cidr: \"fd00:250::/112\"}]\n"));
        assertThat(Files.readString(profile)).contains("fixedIPPools");
        FrrRouter frr = bed.own(FrrRouter.start(leaf, dir.resolve("frr"), GannetProcess.render(profile, "leaf1")));
        io.gannet.testsupport.EtcdServer etcd = bed.own(io.gannet.testsupport.EtcdServer.startIn(leaf.name(), "10.205.0.254"));
        Path[] sockets = new Path[2];
        for (int i = 0; i < 2; i++) {
            Path d = Files.createDirectories(dir.resolve("node" + (i + 1)));
            sockets[i] = d.resolve("cni.sock");
            daemons.add(bed.daemon(GannetProcess.start(nodes[i], d, profile, "node" + (i + 1), "--cni-socket", sockets[i].toString(),
                    "--etcd", etcd.url())));
        }
        for (int i = 0; i < 2; i++) {
            GannetProcess g = daemons.get(i);
            g.awaitTrue("node" + (i + 1) + ": both sessions with leaf1", () -> g.established("leaf1") && g.established("leaf1-ipv6"),
                    () -> frr.vtysh("show bgp summary") + frr.log());
        }

        String args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=db;K8S_POD_NAME=pg-0;GANNET_STATEFULSET=pg";
        NetworkNamespace pod1 = bed.ns("dfa");
        JsonNode a = CniCall.add(plugin, nodes[0], sockets[0], "pg0-on-1", pod1, args);
        String v4 = DualStackRack.ip(a, "10.250.0.");
        String v6 = DualStackRack.ip(a, "fd00:250::");
        assertThat(a.path("ips").toString()).contains("\"" + v4 + "/32\"").contains("\"" + v6 + "/128\"");
        assertThat(nodes[0].exec("ip", "-6", "route", "show", "proto", "201")).contains(v6 + " dev ");
        // FRR installs an IPv6 route via the node's link-local next hop: which node announces it is read from BGP.
        Supplier<String> bgp6 = () -> frr.vtysh("show bgp ipv6 unicast " + v6 + "/128");
        Supplier<String> leafView = () -> frr.vtysh("show bgp ipv4 unicast " + v4 + "/32") + frr.vtysh("show bgp ipv6 unicast " + v6 + "/128")
                + leaf.exec("ip", "-6", "route", "show") + leaf.exec("ip", "-4", "route", "show");
        daemons.get(0).awaitTrue("the leaf routes " + v4 + " and " + v6 + " to node 1 and reaches the pod over both", () ->
                bgp6.get().contains("fd00:205::1 from") && leaf.exec("ip", "-6", "route", "show", v6).contains(" via ")
                        && leaf.exec("ip", "route", "show", v4).contains("via 10.205.0.1") && answers(leaf, v6) && answers(leaf, v4), leafView);
        JsonNode shown = JSON.readTree(daemons.get(0).cli("show", "ipam", "--json")).path("summary");
        assertThat(shown.path("fixedIpPool").asText()).isEqualTo("db");
        assertThat(shown.path("fixedIpPool6").asText()).isEqualTo("db6");
        assertThat(shown.path("fixedHere6").asInt()).isEqualTo(1);
        assertThat(daemons.get(0).cli("show", "ipam")).contains("fixed IPs held here 1\nblock fd00:10:244:51::/64")
                .containsPattern("block fd00:10:244:51::/64 [^\n]* fixed IPs held here 1\n").contains(v6 + "/128");

        // Node 1's daemon restarts: it claims and announces both fixed IPs again from its IPAM journals.
        assertThat(daemons.get(0).terminate(java.time.Duration.ofSeconds(30))).as("node 1's daemon stopped on SIGTERM").isTrue();
        GannetProcess again = bed.daemon(GannetProcess.start(nodes[0], dir.resolve("node1"), profile, "node1", "--cni-socket",
                sockets[0].toString(), "--etcd", etcd.url()));
        daemons.set(0, again);
        again.awaitTrue("node 1 after its restart: both sessions and both fixed IPs announced", () -> again.established("leaf1")
                && again.established("leaf1-ipv6") && again.cli("show", "routes").contains(v6 + "/128")
                && again.cli("show", "routes").contains(v4 + "/32"), () -> again.cli("show", "routes") + again.log());
        assertThat(again.log()).doesNotContain("not announced after restart");

        // The pod moves to node 2: the same two addresses, now announced by node 2 only.
        assertThat(CniCall.run(plugin, nodes[0], sockets[0], "DEL", "pg0-on-1", pod1, args)).isEmpty();
        NetworkNamespace pod2 = bed.ns("dfb");
        long t0 = System.nanoTime();
        JsonNode b = CniCall.add(plugin, nodes[1], sockets[1], "pg0-on-2", pod2, args);
        assertThat(DualStackRack.ip(b, "10.250.0.")).isEqualTo(v4);
        assertThat(DualStackRack.ip(b, "fd00:250::")).isEqualTo(v6);
        daemons.get(1).awaitTrue("the leaf routes both to node 2 only and reaches the moved pod over both", () -> {
            String b6 = bgp6.get();
            String r4 = leaf.exec("ip", "route", "show", v4);
            return b6.contains("fd00:205::2 from") && !b6.contains("fd00:205::1 from") && r4.contains("via 10.205.0.2") && !r4.contains("10.205.0.1 ")
                    && answers(leaf, v6) && answers(leaf, v4);
        }, leafView);
        System.out.printf("dual-stack fixed IPs %s and %s moved node1 -> node2: the leaf reaches the new pod over both %d ms after its CNI ADD began%n",
                v4, v6, (System.nanoTime() - t0) / 1_000_000);

        // Deleted on node 2 too: nobody announces it, and the leaf forgets it.
        assertThat(CniCall.run(plugin, nodes[1], sockets[1], "DEL", "pg0-on-2", pod2, args)).isEmpty();
        daemons.get(1).awaitTrue("the leaf has no route to " + v6 + " any more", () -> leaf.exec("ip", "-6", "route", "show", v6).isBlank(), leafView);
    }

    @Test
    void aBirdLeafRenderedFromTheProfileLearnsAndInstallsBothFamiliesPodCidrs() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("bird");
        DualStackRack rack = rack("dbl", "db1");
        NetworkNamespace leaf = rack.leaf();
        NetworkNamespace node = rack.nodes()[0];
        Path profile = profile(PROFILE);
        io.gannet.lab.BirdSwitch bird = bed.own(io.gannet.lab.BirdSwitch.start(leaf, Files.createDirectories(dir.resolve("bird")),
                GannetProcess.render(profile, "leaf1", "bird")));
        GannetProcess g = bed.daemon(GannetProcess.start(node, Files.createDirectories(dir.resolve("node1")), profile, "node1"));
        g.awaitTrue("both sessions with the BIRD leaf", () -> g.established("leaf1") && g.established("leaf1-ipv6"), bird::diagnostics);
        g.awaitTrue("BIRD's kernel tables route both PodCIDRs to the node", () ->
                leaf.exec("ip", "-4", "route", "show", "10.244.51.0/24").contains("via 10.205.0.1")
                        && leaf.exec("ip", "-6", "route", "show", "fd00:10:244:51::/64").contains("via fd00:205::1"),
                () -> leaf.exec("ip", "-6", "route") + bird.birdc("show", "route", "all") + bird.diagnostics());
    }
}
