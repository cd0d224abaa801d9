package io.gannet.pod.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gannet.linux.Netns;
import io.gannet.linux.NetworkNamespace;
import io.gannet.pod.NodeNetworking;
import io.gannet.pod.ipam.AllocationRequest;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.wiring.HostVethName;
import io.gannet.pod.wiring.PodDatapath;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dual-stack and IPv6-only pods through the CNI plugin binary, in a node namespace and pod
 * namespaces the test creates (names and blocks unique per run): both families' addresses,
 * routes and traffic checked with iproute2 and ping.
 */
class DualStackPodTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String V4 = "10.241." + (PID % 250) + ".0/24";
    private static final String V6 = IpBlock.parse("fd00:" + Long.toHexString(PID & 0xffff) + ":" + Long.toHexString((PID >> 16) & 0xffff)
            + "::/64").toString(); // as ip(8) prints it

    @TempDir
    Path state;
    private NetworkNamespace node;
    private final List<NetworkNamespace> pods = new ArrayList<>();
    private NodeNetworking networking;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final RecordingDatapath datapath = new RecordingDatapath();
    private String socket;
    private String plugin;

    @BeforeEach
    void setUp() {
        Requirements.requireNetns();
        plugin = System.getProperty("gannet.cni.plugin", "target/cni/gannet");
        Requirements.require(Files.isExecutable(Path.of(plugin)), "needs the CNI plugin built at " + plugin);
        Requirements.requireCommand("ping");
        node = NetworkNamespace.create("dnode");
        node.exec("ip", "addr", "add", "10.250.0.1/32", "dev", "lo"); // the node's own address (its uplink's, on a real node)
        socket = state.resolve("cni.sock").toString();
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

    private void start(String... blocks) throws Exception {
        networking = NodeNetworking.start(new NodeNetworking.Options(state.resolve("state"), List.of(blocks).stream().map(IpBlock::parse).toList(),
                Path.of(socket), 1500, datapath, 254, Netns.named(node.name()), null), (a, s, d) -> events.add(a + " " + s + " " + d));
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

    private JsonNode add(String id, NetworkNamespace pod, String version) {
        CniInvocation.Outcome r = cni("ADD", id, pod, conf(version));
        assertThat(r.exit()).as(r.stdout()).isZero();
        return r.json();
    }

    private static String bare(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private static String gateway(String block) {
        return IpBlock.format(IpBlock.parse(block).gateway());
    }

    private static void ping(NetworkNamespace from, String ip) {
        from.exec("ping", ip.contains(":") ? "-6" : "-4", "-c", "1", "-W", "2", ip);
    }

    @Test
    void dualStackPodsGetBothAddressesRouteBothFamiliesAndDelRemovesBoth() throws Exception {
        start(V6, V4); // the order given does not matter: IPv4 comes first
        NetworkNamespace a = pod("dpa");
        NetworkNamespace b = pod("dpb");
        JsonNode ra = add("ctr-a", a, "1.1.0");
        JsonNode rb = add("ctr-b", b, "0.4.0");

        assertThat(ra.path("ips")).hasSize(2);
        String a4 = ra.path("ips").get(0).path("address").asText();
        String a6 = ra.path("ips").get(1).path("address").asText();
        assertThat(IpBlock.parse(V4).contains(IpBlock.parseAddress(bare(a4)))).as(a4).isTrue();
        assertThat(a4).endsWith("/32");
        assertThat(IpBlock.parse(V6).contains(IpBlock.parseAddress(bare(a6)))).as(a6).isTrue();
        assertThat(a6).endsWith("/128");
        assertThat(ra.path("ips").get(0).path("gateway").asText()).isEqualTo(gateway(V4));
        assertThat(ra.path("ips").get(1).path("gateway").asText()).isEqualTo(gateway(V6));
        assertThat(ra.path("ips").get(0).has("version")).isFalse();
        assertThat(ra.path("routes").toString()).isEqualTo("[{\"dst\":\"0.0.0.0/0\",\"gw\":\"" + gateway(V4) + "\"},"
                + "{\"dst\":\"::/0\",\"gw\":\"" + gateway(V6) + "\"}]");
        assertThat(rb.path("ips").get(0).path("version").asText()).isEqualTo("4"); // cniVersion < 1.0.0
        assertThat(rb.path("ips").get(1).path("version").asText()).isEqualTo("6");
        String b4 = rb.path("ips").get(0).path("address").asText();
        String b6 = rb.path("ips").get(1).path("address").asText();

        String hostA = HostVethName.of("ctr-a", "eth0");
        String podAddrs = a.exec("ip", "-o", "addr", "show", "eth0");
        assertThat(podAddrs).contains("inet " + a4).contains("inet6 " + a6);
        assertThat(a.exec("ip", "-6", "-o", "addr", "show", "dev", "eth0", "tentative")).doesNotContain(bare(a6));
        assertThat(a.exec("ip", "-6", "route", "show", "default")).contains("default via " + gateway(V6) + " dev eth0");
        assertThat(a.exec("ip", "-6", "neigh", "show", gateway(V6))).contains("PERMANENT");
        assertThat(a.exec("ip", "route", "show", "default")).contains("default via " + gateway(V4) + " dev eth0");
        assertThat(node.exec("ip", "route", "show", "proto", "201")).contains(bare(a4) + " dev " + hostA).contains("unreachable " + V4);
        assertThat(node.exec("ip", "-6", "route", "show", "proto", "201")).contains(bare(a6) + " dev " + hostA).contains("unreachable " + V6);
        assertThat(datapath.attached).containsEntry(hostA, bare(a4)); // the datapath is keyed by the IPv4 address
        assertThat(datapath.attached6).as("the IPv6 source the pod may send from").containsEntry(hostA, bare(a6));
        assertThat(events).anyMatch(e -> e.startsWith("cni add ctr-a " + a4 + ", " + a6 + " on " + hostA));

        // IPv6 first, right after ADD: no neighbour discovery waits for the host veth's link-local address.
        ping(a, bare(b6));
        ping(b, bare(a6));
        ping(a, bare(b4));

        ObjectNode check = (ObjectNode) CniInvocation.JSON.readTree(conf("1.1.0"));
        check.set("prevResult", ra);
        CniInvocation.Outcome ok = cni("CHECK", "ctr-a", a, check.toString());
        assertThat(ok.exit()).as(ok.stdout()).isZero();
        ObjectNode onlyV4 = ra.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) onlyV4.get("ips")).remove(1);
        check.set("prevResult", onlyV4);
        CniInvocation.Outcome unlisted = cni("CHECK", "ctr-a", a, check.toString());
        assertThat(unlisted.exit()).isEqualTo(1);
        assertThat(unlisted.json().path("msg").asText()).contains("does not list " + a6);
        check.set("prevResult", ra);
        a.exec("ip", "-6", "addr", "del", a6, "dev", "eth0");
        CniInvocation.Outcome bad = cni("CHECK", "ctr-a", a, check.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.json().path("code").asInt()).isEqualTo(CniError.CHECK_FAILED);
        assertThat(bad.json().path("msg").asText()).contains("address " + a6 + " is missing on eth0").doesNotContain(a4);

        for (int i = 0; i < 2; i++) {
            CniInvocation.Outcome del = cni("DEL", "ctr-a", a, conf("1.1.0"));
            assertThat(del.exit()).as(del.stdout()).isZero();
        }
        assertThat(node.exec("ip", "route", "show", "proto", "201")).doesNotContain(bare(a4) + " ");
        assertThat(node.exec("ip", "-6", "route", "show", "proto", "201")).doesNotContain(bare(a6) + " ");
        assertThat(node.exec("ip", "-o", "link", "show")).doesNotContain(hostA);
        assertThat(networking.ipams()).hasSize(2).allSatisfy(ipam -> assertThat(ipam.lookup("ctr-a", "eth0")).isEmpty());
        assertThat(networking.ipams().get(1).list()).extracting(x -> x.containerId()).containsExactly("ctr-b");
        assertThat(events).anyMatch(e -> e.startsWith("cni del ctr-a " + bare(a4) + ", " + bare(a6) + " from " + hostA));
        assertThat(datapath.attached).doesNotContainKey(hostA);
        assertThat(datapath.attached6).doesNotContainKey(hostA);
    }

    @Test
    void aRestartedNodeRestoresBothRoutesOfEveryPod() throws Exception {
        start(V4, V6);
        NetworkNamespace a = pod("dra");
        NetworkNamespace b = pod("drb");
        JsonNode ra = add("ctr-a", a, "1.1.0");
        JsonNode rb = add("ctr-b", b, "1.1.0");
        networking.close();
        networking = null;
        // Routes outlive the daemon; remove them so only the restart can bring them back.
        node.exec("ip", "-4", "route", "flush", "proto", "201");
        node.exec("ip", "-6", "route", "flush", "proto", "201");
        assertThat(node.exec("ip", "-6", "route", "show", "proto", "201")).isBlank();

        start(V4, V6);
        String v4Routes = node.exec("ip", "-4", "route", "show", "proto", "201");
        String v6Routes = node.exec("ip", "-6", "route", "show", "proto", "201");
        for (JsonNode r : List.of(ra, rb)) {
            String host = r.path("interfaces").get(0).path("name").asText();
            assertThat(v4Routes).contains(bare(r.path("ips").get(0).path("address").asText()) + " dev " + host);
            assertThat(v6Routes).contains(bare(r.path("ips").get(1).path("address").asText()) + " dev " + host);
        }
        assertThat(v4Routes).contains("unreachable " + V4);
        assertThat(v6Routes).contains("unreachable " + V6);
        assertThat(networking.pods()).hasSize(2).allSatisfy(p -> assertThat(p.addresses()).hasSize(2));
        ping(a, bare(rb.path("ips").get(0).path("address").asText()));
        ping(a, bare(rb.path("ips").get(1).path("address").asText()));
        ping(b, bare(ra.path("ips").get(1).path("address").asText()));
    }

    @Test
    void anIpv6OnlyNodeWiresPodsWithIpv6Only() throws Exception {
        start(V6);
        NetworkNamespace a = pod("d6a");
        NetworkNamespace b = pod("d6b");
        JsonNode ra = add("ctr-a", a, "1.1.0");
        JsonNode rb = add("ctr-b", b, "0.3.1");
        assertThat(ra.path("ips")).hasSize(1);
        String a6 = ra.path("ips").get(0).path("address").asText();
        assertThat(a6).endsWith("/128");
        assertThat(ra.path("routes").toString()).isEqualTo("[{\"dst\":\"::/0\",\"gw\":\"" + gateway(V6) + "\"}]");
        assertThat(rb.path("ips").get(0).path("version").asText()).isEqualTo("6");
        assertThat(a.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0")).isBlank();
        assertThat(node.exec("ip", "-6", "neigh", "show", bare(a6))).contains("PERMANENT");
        ping(a, bare(rb.path("ips").get(0).path("address").asText()));
        ping(b, bare(a6));
        // No IPv4 address: the datapath is attached with the IPv6 one (the endpoint's address, and
        // the only source the pod may send from), and CHECK asks for it as for any pod.
        String hostA = HostVethName.of("ctr-a", "eth0");
        assertThat(datapath.attached).containsEntry(hostA, bare(a6)).hasSize(2);
        assertThat(datapath.attached6).as("no second address to add").isEmpty();
        ObjectNode check = (ObjectNode) CniInvocation.JSON.readTree(conf("1.1.0"));
        check.set("prevResult", ra);
        CniInvocation.Outcome ok = cni("CHECK", "ctr-a", a, check.toString());
        assertThat(ok.exit()).as(ok.stdout()).isZero();
        assertThat(cni("DEL", "ctr-a", a, conf("1.1.0")).exit()).isZero();
        assertThat(datapath.attached).as("DEL detaches").doesNotContainKey(hostA).hasSize(1);
        assertThat(node.exec("ip", "-6", "route", "show", "proto", "201")).doesNotContain(bare(a6) + " ");
        assertThat(networking.ipam().lookup("ctr-a", "eth0")).isEmpty();
    }

    @Test
    void whenOneFamilyFailsNothingIsKeptAndStatusNamesTheFullBlock() throws Exception {
        String tiny6 = V6.replace("/64", "/126"); // one usable address
        start(V4, tiny6);
        NetworkNamespace a = pod("dfa");
        NetworkNamespace b = pod("dfb");
        add("ctr-a", a, "1.1.0");

        CniInvocation.Outcome full = cni("ADD", "ctr-b", b, conf("1.1.0"));
        assertThat(full.exit()).isEqualTo(1);
        assertThat(full.json().path("code").asInt()).isEqualTo(CniError.NO_ADDRESS);
        assertThat(full.json().path("msg").asText()).contains("no address in " + tiny6).contains("released again");
        assertThat(networking.ipams()).allSatisfy(ipam -> assertThat(ipam.lookup("ctr-b", "eth0")).isEmpty());
        assertThat(node.exec("ip", "-o", "link", "show")).doesNotContain(HostVethName.of("ctr-b", "eth0"));

        CniInvocation.Outcome status = CniInvocation.run(node.name(), plugin, CniInvocation.env("STATUS", null, null, null, socket), conf("1.1.0"));
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.json().path("msg").asText()).contains("no free pod address in " + tiny6).doesNotContain(V4);

        // Wiring that fails (an eth0 already in the pod) gives both addresses back.
        assertThat(cni("DEL", "ctr-a", a, conf("1.1.0")).exit()).isZero();
        b.exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "other0");
        CniInvocation.Outcome busy = cni("ADD", "ctr-b", b, conf("1.1.0"));
        assertThat(busy.exit()).isEqualTo(1);
        assertThat(busy.json().path("code").asInt()).isEqualTo(CniError.ALREADY_ATTACHED);
        assertThat(networking.ipams()).allSatisfy(ipam -> assertThat(ipam.list()).isEmpty());
        assertThat(node.exec("ip", "-o", "link", "show")).doesNotContain(HostVethName.of("ctr-b", "eth0"));
    }

    @Test
    void gcReleasesBothFamiliesOfWhatNoRuntimeOwns() throws Exception {
        start(V4, V6);
        NetworkNamespace a = pod("dga");
        NetworkNamespace b = pod("dgb");
        add("keep", a, "1.1.0");
        JsonNode dropped = add("drop", b, "1.1.0");
        networking.ipams().get(1).allocate(AllocationRequest.of("ghost", "eth0", "", "")); // an ADD cut short
        String stray = HostVethName.of("stray", "eth0");
        node.exec("ip", "link", "add", stray, "type", "veth", "peer", "name", "strayp");
        String gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"gannet\",\"type\":\"gannet\","
                + "\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]}";
        CniInvocation.Outcome r = CniInvocation.run(node.name(), plugin, CniInvocation.env("GC", null, null, null, socket), gc);
        assertThat(r.exit()).as(r.stdout()).isZero();
        assertThat(networking.ipams()).allSatisfy(ipam -> assertThat(ipam.list()).extracting(x -> x.containerId()).containsExactly("keep"));
        assertThat(node.exec("ip", "-o", "link", "show")).contains(HostVethName.of("keep", "eth0"))
                .doesNotContain(HostVethName.of("drop", "eth0")).doesNotContain(stray);
        assertThat(node.exec("ip", "-6", "route", "show", "proto", "201"))
                .doesNotContain(bare(dropped.path("ips").get(1).path("address").asText()) + " ");
        assertThat(events).anyMatch(e -> e.startsWith("cni gc ghost address "));
    }

    /**
     * A restart: each pod the previous backend wired has its datapath restored with all its
     * addresses (a dual-stack pod's IPv6 source rewritten), and what that changed is reported per
     * pod; a pod whose restore fails keeps its routes and the failure is reported.
     */
    @Test
    void onStartEveryRestoredPodsDatapathIsRestoredWithItsAddresses() throws Exception {
        start(V4, V6);
        NetworkNamespace a = pod("dra");
        NetworkNamespace b = pod("drb");
        JsonNode ra = add("ctr-a", a, "1.1.0");
        add("ctr-b", b, "1.1.0");
        networking.close();
        networking = null;
        String hostA = HostVethName.of("ctr-a", "eth0");
        String hostB = HostVethName.of("ctr-b", "eth0");
        datapath.restoreAnswer.put(hostA, "IPv6 source registered");
        datapath.restoreAnswer.put(hostB, "!the veth vanished");
        start(V4, V6);
        assertThat(datapath.restored).containsEntry(hostA, List.of(bare(ra.path("ips").get(0).path("address").asText()),
                bare(ra.path("ips").get(1).path("address").asText())));
        assertThat(datapath.restored).containsKey(hostB);
        assertThat(events).anyMatch(e -> e.startsWith("cni " + hostA + " restored pod ") && e.endsWith(": datapath IPv6 source registered"));
        assertThat(events).anyMatch(e -> e.startsWith("cni " + hostB + " restored pod ") && e.endsWith("datapath not attached: the veth vanished"));
        assertThat(node.exec("ip", "-6", "route", "show", "proto", "201")).as("routes kept")
                .contains(bare(ra.path("ips").get(1).path("address").asText()) + " dev " + hostA);
    }

    /** A datapath that records what it was asked to attach, for tests without BPF. */
    private static final class RecordingDatapath implements PodDatapath {
        final Map<String, String> attached = new ConcurrentHashMap<>();
        final Map<String, String> attached6 = new ConcurrentHashMap<>();
        final Map<String, List<String>> restored = new ConcurrentHashMap<>();
        /** What restored answers per veth ("!" + message: it throws). */
        final Map<String, String> restoreAnswer = new ConcurrentHashMap<>();

        @Override
        public String restored(String hostVeth, List<java.net.InetAddress> addresses) {
            restored.put(hostVeth, addresses.stream().map(IpBlock::format).toList());
            String answer = restoreAnswer.getOrDefault(hostVeth, "in place");
            if (answer.startsWith("!")) {
                throw new IllegalStateException(answer.substring(1));
            }
            return answer;
        }

        @Override
        public void attach(String hostVeth, String podIp) {
            attached.put(hostVeth, podIp);
        }

        @Override
        public void attachIpv6(String hostVeth, String podIpv6) {
            attached6.put(hostVeth, podIpv6);
        }

        @Override
        public void detach(String hostVeth) {
            attached.remove(hostVeth);
            attached6.remove(hostVeth);
        }

        @Override
        public int attachedProgram(String hostVeth) {
            return attached.containsKey(hostVeth) ? 1 : 0;
        }

        @Override
        public boolean enabled() {
            return true;
        }
    }
}
