package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SNAT masquerade through {@code gannet run --cni-socket --host-device eth0} with the profile's
 * {@code spec.masquerade}, as a user runs it: a LAN (a bridge) joins node 1 (the daemon, with a
 * pod made by the CNI plugin), an "outside" host that has no route to the pod pool, and a
 * "routed" host that has one (listed in nonMasqueradeCIDRs). Each host answers HTTP with its
 * name and the source address it saw.
 * <ul>
 *   <li>masquerade on: the pod reaches the outside host (TCP and ping), which sees node 1's
 *       address; the replies reach the pod; {@code gannet show nat} lists the translations; the
 *       routed host, a non-masquerade destination, sees the pod's own address;</li>
 *   <li>masquerade off (the datapath running for Services): nothing is translated: the routed
 *       host sees the pod, the outside host's replies have no way back, {@code show nat} says off.</li>
 * </ul>
 */
class DaemonMasqueradeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE1 = "10.78.0.1";
    private static final String OUTSIDE = "10.78.0.50";
    private static final String ROUTED = "10.78.0.60";
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: masquerade-e2e}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
            %s
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.78.0.254], asn: 4200100001}
                hosts:
                  - {name: node1, address: 10.78.0.1, podCIDR: 10.244.61.0/24}
            """;
    private static final String SERVER = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[2], int(sys.argv[3])))
            s.listen(64)
            while True:
                c, a = s.accept()
                try:
                    c.recv(4096)
                    body = ("%s %s\\n" % (sys.argv[1], a[0])).encode()
                    c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: " + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)
                finally:
                    c.close()
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private GannetProcess gannet;
    private NetworkNamespace pod;
    private String podIp;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    /** The LAN, the two far hosts with their servers, node 1's daemon and its pod. */
    private void startNode(String masquerade, String... extraArgs) throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("curl");
        Requirements.requireCommand("ping");
        Requirements.requireCommand("python3");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        NetworkNamespace lan = bed.lan("mql");
        NetworkNamespace node1 = bed.host(lan, "mq1", NODE1 + "/24");
        NetworkNamespace outside = bed.host(lan, "mqo", OUTSIDE + "/24");
        NetworkNamespace routed = bed.host(lan, "mqr", ROUTED + "/24");
        // The routed host reaches the pods through node 1 (as the fabric would); the outside host cannot.
        routed.exec("ip", "route", "add", "10.244.0.0/16", "via", NODE1);
        node1.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        Path server = dir.resolve("server.py");
        Files.writeString(server, SERVER);
        bed.start(outside, "python3", server.toString(), "outside", OUTSIDE, "8080");
        bed.start(routed, "python3", server.toString(), "routed", ROUTED, "8080");

        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE.formatted(masquerade));
        Path pinRoot = bed.pinRoot("masq-test");
        Path socket = dir.resolve("cni.sock");
        List<String> args = new ArrayList<>(List.of("--cni-socket", socket.toString(), "--bpf-pin-root", pinRoot.toString(),
                "--host-device", "eth0"));
        args.addAll(List.of(extraArgs));
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, profile, "node1", args.toArray(String[]::new)));
        gannet.awaitTrue("CNI socket", () -> Files.exists(socket), () -> "");

        pod = bed.ns("mqp");
        JsonNode added = cni(plugin, node1, socket, pod);
        podIp = added.path("ips").get(0).path("address").asText().replace("/32", "");
        assertThat(podIp).startsWith("10.244.61.");
    }

    @Test
    void podTrafficToTheOutsideLeavesWithTheNodeAddressAndItsRepliesComeBack() throws Exception {
        startNode("  masquerade: {enabled: true, nonMasqueradeCIDRs: [" + ROUTED + "/32]}");

        // TCP: the outside host, which cannot route to the pod pool, sees node 1 and answers it.
        assertThat(curl(pod, OUTSIDE)).isEqualTo("outside " + NODE1);
        JsonNode nat = JSON.readTree(gannet.cli("show", "nat", "--json"));
        assertThat(nat.path("enabled").asBoolean()).as(nat.toString()).isTrue();
        assertThat(nat.path("devices").path("eth0").asText()).isEqualTo(NODE1);
        JsonNode tcp = row(nat, "TCP");
        assertThat(tcp.path("pod").asText()).startsWith(podIp + ":");
        assertThat(tcp.path("node").asText()).startsWith(NODE1 + ":");
        assertThat(tcp.path("destination").asText()).isEqualTo(OUTSIDE + ":8080");
        assertThat(tcp.path("portKept").asBoolean()).as("the pod's port was free on the node").isTrue();

        // ICMP echo: the pod's ping is answered through node 1 (identifier rewrite back and forth).
        String ping = pod.exec("ping", "-c", "3", "-W", "2", OUTSIDE);
        assertThat(ping).contains("3 received");
        nat = JSON.readTree(gannet.cli("show", "nat", "--json"));
        JsonNode icmp = row(nat, "ICMP");
        assertThat(icmp.path("pod").asText()).startsWith(podIp + ":");
        assertThat(icmp.path("destination").asText()).isEqualTo(OUTSIDE);
        assertThat(nat.path("occupancy").path("flows").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(nat.path("portTries").path("le0").asLong()).as("new flows that kept their port").isGreaterThanOrEqualTo(2);
        // the API's answer as the contract (openapi.yaml) states it
        io.gannet.agent.control.RawHttp.Response raw = io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/v1/nat");
        io.gannet.agent.control.OpenApiContract.assertConforms("GET", "/v1/nat", raw);
        String text = gannet.cli("show", "nat");
        assertThat(text).contains("masquerade: pods of 10.244.0.0/16 leave as eth0 -> " + NODE1).contains("ICMP").contains(OUTSIDE);

        // /metrics: the outcomes and the retry histogram
        String metrics = io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/metrics").body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("gannet_masquerade_packets_total\\{outcome=\"new\"} (\\S+)")
                .matcher(metrics);
        assertThat(m.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as("new flows translated").isGreaterThanOrEqualTo(2);
        assertThat(metrics).contains("gannet_masquerade_port_tries_bucket").contains("gannet_masquerade_flows");

        // A non-masquerade destination sees the pod's own address.
        assertThat(curl(pod, ROUTED)).isEqualTo("routed " + podIp);
        assertThat(JSON.readTree(gannet.cli("show", "nat", "--json")).path("translations").toString()).doesNotContain(ROUTED);
        assertThat(gannet.log()).contains("masquerade");
    }

    @Test
    void withMasqueradeOffNothingIsTranslatedAndAReloadTurnsItOnAndOff() throws Exception {
        Path services = Files.createDirectories(dir.resolve("services"));
        startNode("", "--services-dir", services.toString());

        assertThat(curl(pod, ROUTED)).isEqualTo("routed " + podIp);
        // The outside host answers the pod's own address, which it has no route to: nothing comes back.
        Process p = pod.start("curl", "-s", "-m", "2", "http://" + OUTSIDE + ":8080/");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("curl to the outside without masquerade: " + out).isNotZero();
        assertThat(pod.start("ping", "-c", "1", "-W", "1", OUTSIDE).waitFor()).isNotZero();
        JsonNode nat = JSON.readTree(gannet.cli("show", "nat", "--json"));
        assertThat(nat.path("enabled").asBoolean()).isFalse();
        assertThat(nat.path("translations")).isEmpty();
        assertThat(gannet.cli("show", "nat")).contains("masquerade is off");
        io.gannet.agent.control.OpenApiContract.assertConforms("GET", "/v1/nat",
                io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/v1/nat"));

        // Turned on in the profile: a reload applies it to the running datapath, no restart.
        Files.writeString(dir.resolve("profile.yaml"), PROFILE.formatted("  masquerade: {enabled: true}"));
        GannetProcess.CliResult reload = gannet.cliResult("reload");
        assertThat(reload.exit()).as(reload.out() + reload.err()).isZero();
        assertThat(reload.out()).contains("masquerade").contains("applied");
        assertThat(curl(pod, OUTSIDE)).isEqualTo("outside " + NODE1);
        assertThat(JSON.readTree(gannet.cli("show", "nat", "--json")).path("enabled").asBoolean()).isTrue();
        String metrics = io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/metrics").body();
        assertThat(metrics).contains("gannet_masquerade_table_fill_ratio");

        // And off again: the pod's own address once more, and the metrics of the stopped part are gone.
        Files.writeString(dir.resolve("profile.yaml"), PROFILE.formatted(""));
        reload = gannet.cliResult("reload");
        assertThat(reload.exit()).as(reload.out() + reload.err()).isZero();
        assertThat(curl(pod, ROUTED)).isEqualTo("routed " + podIp);
        assertThat(JSON.readTree(gannet.cli("show", "nat", "--json")).path("enabled").asBoolean()).isFalse();
        assertThat(io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/metrics").body())
                .doesNotContain("gannet_masquerade_table_fill_ratio");
        Process off = pod.start("curl", "-s", "-m", "2", "http://" + OUTSIDE + ":8080/");
        assertThat(off.waitFor()).as("no translation once masquerade is off again").isNotZero();
    }

    private static JsonNode row(JsonNode nat, String protocol) {
        for (JsonNode r : nat.path("translations")) {
            if (protocol.equals(r.path("protocol").asText())) {
                return r;
            }
        }
        throw new AssertionError("no " + protocol + " translation in " + nat);
    }

    private static String curl(NetworkNamespace ns, String addr) throws Exception {
        String last = "";
        for (int i = 0; i < 20; i++) {
            Process p = ns.start("curl", "-s", "-m", "3", "http://" + addr + ":8080/");
            last = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && !last.isEmpty()) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no answer from " + addr + " in " + ns.name() + ": " + last);
    }

    private JsonNode cni(Path plugin, NetworkNamespace node, Path socket, NetworkNamespace pod) throws Exception {
        return CniCall.add(plugin, node, socket, "ctr-mq", pod, null);
    }
}
