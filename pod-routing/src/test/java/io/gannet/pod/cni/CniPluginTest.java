package io.gannet.pod.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gannet.linux.Netns;
import io.gannet.pod.NodeNetworking;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.wiring.HostVethName;
import io.gannet.pod.wiring.PodDatapath;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CNI plugin binary driven as a runtime drives it, against a node namespace and pod
 * namespaces the test creates; every effect checked with iproute2 and with traffic.
 */
class CniPluginTest {
    private static final String BLOCK = "10.240.1.0/24";
    @TempDir
    Path state;
    private NetworkNamespace node;
    private final List<NetworkNamespace> pods = new ArrayList<>();
    private NodeNetworking networking;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private String socket;
    private String plugin;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.requireNetns();
        plugin = System.getProperty("gannet.cni.plugin", "target/cni/gannet");
        Requirements.require(Files.isExecutable(Path.of(plugin)), "needs the CNI plugin built at " + plugin);
        node = NetworkNamespace.create("cnode");
        node.exec("ip", "addr", "add", "10.250.0.1/32", "dev", "lo"); // the node's own address (its uplink's, on a real node)
        socket = state.resolve("cni.sock").toString();
        networking = NodeNetworking.start(new NodeNetworking.Options(state.resolve("state"), IpBlock.parse(BLOCK), Path.of(socket),
                1500, PodDatapath.NONE, 254, Netns.named(node.name())), (a, s, d) -> events.add(a + " " + s + " " + d));
    }

    @AfterEach
    void tearDown() {
        if (networking != null) {
            networking.close();
        }
        pods.forEach(NetworkNamespace::close);
        if (node != null) {
            node.close();
        }
    }

    private NetworkNamespace pod(String name) {
        NetworkNamespace p = NetworkNamespace.create(name);
        pods.add(p);
        return p;
    }

    private static String conf(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"gannet\",\"type\":\"gannet\",\"mtu\":1400}";
    }

    private CniInvocation.Outcome cni(String command, String id, NetworkNamespace pod, String stdin) {
        return CniInvocation.run(node.name(), plugin,
                CniInvocation.env(command, id, pod == null ? null : Netns.named(pod.name()).toString(), "eth0", socket), stdin);
    }

    @Test
    void addWiresThePodCheckVerifiesAndDelRemovesEverythingTwice() throws Exception {
        NetworkNamespace a = pod("cpa");
        NetworkNamespace b = pod("cpb");
        CniInvocation.Outcome addA = cni("ADD", "ctr-a", a, conf("1.1.0"));
        assertThat(addA.exit()).as(addA.stdout()).isZero();
        JsonNode ra = addA.json();
        assertThat(ra.path("cniVersion").asText()).isEqualTo("1.1.0");
        String ipA = ra.path("ips").get(0).path("address").asText();
        assertThat(ipA).startsWith("10.240.1.").endsWith("/32");
        assertThat(ra.path("ips").get(0).path("gateway").asText()).isEqualTo("10.240.1.1");
        assertThat(ra.path("interfaces").get(0).path("name").asText()).isEqualTo(HostVethName.of("ctr-a", "eth0"));
        assertThat(ra.path("interfaces").get(1).path("sandbox").asText()).isEqualTo(Netns.named(a.name()).toString());
        assertThat(ra.path("routes").get(0).path("dst").asText()).isEqualTo("0.0.0.0/0");

        CniInvocation.Outcome addB = cni("ADD", "ctr-b", b, conf("1.0.0"));
        assertThat(addB.exit()).as(addB.stdout()).isZero();
        String ipB = addB.json().path("ips").get(0).path("address").asText();
        String hostA = HostVethName.of("ctr-a", "eth0");

        assertThat(a.exec("ip", "-o", "addr", "show", "eth0")).contains("inet " + ipA);
        assertThat(a.exec("ip", "link", "show", "eth0")).contains("mtu 1400");
        assertThat(a.exec("ip", "route", "show", "default")).contains("default via 10.240.1.1 dev eth0");
        String nodeRoutes = node.exec("ip", "route", "show", "proto", "201");
        assertThat(nodeRoutes).contains(ipA.replace("/32", "") + " dev " + hostA + " scope link")
                .contains("unreachable " + BLOCK);
        // Pod to pod through the node, and the node to a pod.
        a.exec("ping", "-c", "1", "-W", "2", ipB.replace("/32", ""));
        node.exec("ping", "-c", "1", "-W", "2", ipA.replace("/32", ""));

        ObjectNode check = (ObjectNode) CniInvocation.JSON.readTree(conf("1.1.0"));
        check.set("prevResult", ra);
        CniInvocation.Outcome ok = cni("CHECK", "ctr-a", a, check.toString());
        assertThat(ok.exit()).as(ok.stdout()).isZero();
        node.exec("ip", "link", "set", hostA, "down");
        CniInvocation.Outcome bad = cni("CHECK", "ctr-a", a, check.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.json().path("code").asInt()).isEqualTo(CniError.CHECK_FAILED);
        assertThat(bad.json().path("msg").asText()).contains("host interface " + hostA + " is down");
        node.exec("ip", "link", "set", hostA, "up");

        CniInvocation.Outcome dup = cni("ADD", "ctr-a", a, conf("1.1.0"));
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.json().path("code").asInt()).isEqualTo(CniError.ALREADY_ATTACHED);
        assertThat(dup.json().path("msg").asText()).contains("ctr-a").contains("already attached");
        assertThat(a.exec("ip", "-o", "addr", "show", "eth0")).contains("inet " + ipA); // untouched

        for (int i = 0; i < 2; i++) {
            CniInvocation.Outcome del = cni("DEL", "ctr-a", a, conf("1.1.0"));
            assertThat(del.exit()).as(del.stdout()).isZero();
            assertThat(del.stdout()).isEmpty();
        }
        assertThat(node.exec("ip", "-o", "link", "show")).doesNotContain(hostA);
        assertThat(node.exec("ip", "route", "show", "proto", "201")).doesNotContain(ipA.replace("/32", " "));
        assertThat(a.exec("ip", "-o", "link", "show")).doesNotContain("eth0");
        assertThat(networking.ipam().lookup("ctr-a", "eth0")).isEmpty();
        assertThat(networking.pods()).extracting(p -> p.containerId()).containsExactly("ctr-b");
    }

    @Test
    void badInputIsACniErrorAndLeaksNothing() {
        NetworkNamespace a = pod("cpx");
        Map<String, String> noId = CniInvocation.env("ADD", null, Netns.named(a.name()).toString(), "eth0", socket);
        CniInvocation.Outcome r = CniInvocation.run(node.name(), plugin, noId, conf("1.1.0"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().path("code").asInt()).isEqualTo(CniError.INVALID_ENVIRONMENT);
        assertThat(r.json().path("msg").asText()).isEqualTo("CNI_CONTAINERID is not set");

        Map<String, String> gone = CniInvocation.env("ADD", "ctr-x", "/run/netns/gt-no-such-" + ProcessHandle.current().pid(), "eth0", socket);
        r = CniInvocation.run(node.name(), plugin, gone, conf("1.1.0"));
        assertThat(r.json().path("code").asInt()).isEqualTo(CniError.UNKNOWN_CONTAINER);
        assertThat(r.json().path("msg").asText()).contains("does not exist");

        r = cni("ADD", "ctr-x", a, "{\"cniVersion\":\"1.1.0\",");
        assertThat(r.json().path("code").asInt()).isEqualTo(CniError.DECODE_FAILURE);
        r = cni("ADD", "ctr-x", a, "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"gannet\",\"ipam\":{\"type\":\"host-local\"}}");
        assertThat(r.json().path("code").asInt()).isEqualTo(CniError.UNSUPPORTED_FIELD);
        assertThat(r.json().path("msg").asText()).contains("ipam");
        r = cni("ADD", "ctr-x", a, "{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"type\":\"gannet\"}");
        assertThat(r.json().path("code").asInt()).isEqualTo(CniError.INCOMPATIBLE_VERSION);
        Map<String, String> badArgs = CniInvocation.env("ADD", "ctr-x", Netns.named(a.name()).toString(), "eth0", socket);
        badArgs.put("CNI_ARGS", "K8S_POD_NAME=web-0;COLOUR=blue");
        r = CniInvocation.run(node.name(), plugin, badArgs, conf("1.1.0"));
        assertThat(r.json().path("code").asInt()).isEqualTo(CniError.UNSUPPORTED_FIELD);
        assertThat(r.json().path("msg").asText()).contains("COLOUR=blue");

        // Nothing of any failed call was left behind.
        assertThat(node.exec("ip", "-o", "link", "show")).doesNotContain("gn");
        assertThat(a.exec("ip", "-o", "link", "show")).doesNotContain("eth0");
        assertThat(networking.ipam().list()).isEmpty();

        Map<String, String> noDaemon = CniInvocation.env("ADD", "ctr-x", Netns.named(a.name()).toString(), "eth0",
                state.resolve("nobody.sock").toString());
        r = CniInvocation.run(node.name(), plugin, noDaemon, conf("1.1.0"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().path("code").asInt()).isEqualTo(CniError.TRY_AGAIN_LATER);
        assertThat(r.json().path("msg").asText()).contains("not reachable");

        CniInvocation.Outcome v = CniInvocation.run(null, plugin, CniInvocation.env("VERSION", null, null, null, null), "");
        assertThat(v.exit()).isZero();
        assertThat(v.json().path("supportedVersions").toString()).contains("1.1.0").contains("0.4.0");
    }

    @Test
    void gcRemovesWhatNoRuntimeOwnsAndStatusAnswers() {
        NetworkNamespace a = pod("cgc1");
        NetworkNamespace b = pod("cgc2");
        assertThat(cni("ADD", "keep", a, conf("1.1.0")).exit()).isZero();
        assertThat(cni("ADD", "drop", b, conf("1.1.0")).exit()).isZero();
        String gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"gannet\",\"type\":\"gannet\","
                + "\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]}";
        CniInvocation.Outcome r = CniInvocation.run(node.name(), plugin, CniInvocation.env("GC", null, null, null, socket), gc);
        assertThat(r.exit()).as(r.stdout()).isZero();
        assertThat(node.exec("ip", "-o", "link", "show")).contains(HostVethName.of("keep", "eth0")).doesNotContain(HostVethName.of("drop", "eth0"));
        assertThat(networking.ipam().list()).extracting(x -> x.containerId()).containsExactly("keep");
        assertThat(events).anyMatch(e -> e.startsWith("cni gc drop"));

        r = CniInvocation.run(node.name(), plugin, CniInvocation.env("STATUS", null, null, null, socket), conf("1.1.0"));
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    @Test
    void chainedAfterLoopbackAndBeforePortmap() throws Exception {
        Requirements.require(Files.isExecutable(Path.of("/usr/lib/cni/loopback")) && Files.isExecutable(Path.of("/usr/lib/cni/portmap")),
                "needs the reference CNI plugins (Debian: containernetworking-plugins)");
        NetworkNamespace a = pod("cch");
        String netns = Netns.named(a.name()).toString();
        String lo = "{\"cniVersion\":\"1.0.0\",\"name\":\"gannet\",\"type\":\"loopback\"}";
        CniInvocation.Outcome r1 = CniInvocation.run(node.name(), "/usr/lib/cni/loopback", CniInvocation.env("ADD", "ctr-c", netns, "eth0", null), lo);
        assertThat(r1.exit()).as(r1.stdout() + r1.stderr()).isZero();
        ObjectNode g = (ObjectNode) CniInvocation.JSON.readTree(conf("1.0.0"));
        g.set("prevResult", r1.json());
        CniInvocation.Outcome r2 = CniInvocation.run(node.name(), plugin, CniInvocation.env("ADD", "ctr-c", netns, "eth0", socket), g.toString());
        assertThat(r2.exit()).as(r2.stdout()).isZero();
        JsonNode gr = r2.json();
        assertThat(gr.path("interfaces")).hasSize(3); // lo from loopback, then ours
        JsonNode ours = gr.path("ips").get(gr.path("ips").size() - 1); // loopback's 127.0.0.1 and ::1 come first
        assertThat(ours.path("address").asText()).startsWith("10.240.1.");
        assertThat(ours.path("interface").asInt()).isEqualTo(2);
        String pm = "{\"cniVersion\":\"1.0.0\",\"name\":\"gannet\",\"type\":\"portmap\",\"snat\":false,"
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\"}]},"
                + "\"prevResult\":" + gr + "}";
        CniInvocation.Outcome r3 = CniInvocation.run(node.name(), "/usr/lib/cni/portmap", CniInvocation.env("ADD", "ctr-c", netns, "eth0", null), pm);
        assertThat(r3.exit()).as(r3.stdout() + r3.stderr()).isZero();
        assertThat(r3.json().path("ips").toString()).contains(ours.path("address").asText());
        String ip = ours.path("address").asText().replace("/32", "");
        assertThat(node.exec("iptables-save")).contains("--dport 18080").contains(ip + ":80");

        // DEL in reverse order, as a runtime does.
        assertThat(CniInvocation.run(node.name(), "/usr/lib/cni/portmap", CniInvocation.env("DEL", "ctr-c", netns, "eth0", null), pm).exit()).isZero();
        assertThat(CniInvocation.run(node.name(), plugin, CniInvocation.env("DEL", "ctr-c", netns, "eth0", socket), g.toString()).exit()).isZero();
        assertThat(node.exec("iptables-save")).doesNotContain("--dport 18080");
        assertThat(node.exec("ip", "-o", "link", "show")).doesNotContain(HostVethName.of("ctr-c", "eth0"));
    }
}
