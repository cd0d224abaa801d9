package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6 SNAT masquerade (lib/masq6.h) through {@code gannet run --cni-socket --host-device eth0} on
 * a dual-stack node whose profile enables {@code spec.masquerade}, as a user runs it: a LAN (a
 * bridge) joins node 1 (the daemon, with a dual-stack pod made by the CNI plugin), an "outside"
 * host that has no route to the pod pools, and a "routed" host that has one (its IPv6 address
 * listed in nonMasqueradeCIDRs). Node 1's eth0 also carries a deprecated IPv6 address (preferred
 * lifetime 0), added last so the kernel lists it first: masquerade must not pick it.
 * <ul>
 *   <li>the pod reaches the outside host over IPv6 by TCP, UDP and ping; the servers see node 1's
 *       IPv6 address and the replies reach the pod; IPv4 masquerade works beside it;</li>
 *   <li>{@code gannet show nat} lists the IPv6 device address and translations; /metrics has the
 *       IPv6 table's gauges;</li>
 *   <li>the routed host, a non-masquerade destination, sees the pod's own IPv6 address; a
 *       {@code gannet reload} that drops it from nonMasqueradeCIDRs makes it see the node's;</li>
 *   <li>a daemon restart on the same pins keeps IPv6 masquerade working.</li>
 * </ul>
 * Before IPv6 masquerade the pod's IPv6 traffic left with the pod address: the outside host's
 * answers had no way back.
 */
class DaemonMasquerade6Test {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE1 = "10.78.1.1";
    private static final String NODE1_6 = "fd00:78::1";
    private static final String NODE1_6_DEPRECATED = "fd00:78::99";
    private static final String OUTSIDE = "10.78.1.50";
    private static final String OUTSIDE_6 = "fd00:78::50";
    private static final String ROUTED_6 = "fd00:78::60";
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: masquerade6-e2e}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool:
                - {cidr: 10.244.0.0/16, prefixLength: 24}
                - {cidr: "fd00:10:244::/56", prefixLength: 64}
              masquerade: {enabled: true, nonMasqueradeCIDRs: [%s]}
              bgp: {holdTime: 30, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.78.1.254, "fd00:78::fe"], asn: 4200100001}
                hosts:
                  - {name: node1, address: [10.78.1.1, "fd00:78::1"], podCIDR: [10.244.61.0/24, "fd00:10:244:61::/64"]}
            """;
    /** Answers HTTP on both families with its name and the source address it saw (IPv4 ones as ::ffff:a.b.c.d). */
    private static final String TCP_SERVER = """
            import socket, sys
            s = socket.socket(socket.AF_INET6)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(("::", int(sys.argv[2])))
            s.listen(64)
            while True:
                c, a = s.accept()
                try:
                    c.recv(4096)
                    body = ("%s %s\\n" % (sys.argv[1], a[0].replace("::ffff:", ""))).encode()
                    c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: " + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)
                finally:
                    c.close()
            """;
    /** Answers every UDP datagram with its name and the source address it saw. */
    private static final String UDP_SERVER = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind(("::", int(sys.argv[2])))
            while True:
                d, a = s.recvfrom(65535)
                s.sendto(("%s %s" % (sys.argv[1], a[0])).encode(), a)
            """;
    /** Sends one datagram to [argv[1]]:argv[2]; prints the answer, or "failed". */
    private static final String UDP_CLIENT = """
            import socket, sys
            c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            c.settimeout(2)
            try:
                c.sendto(b"hello", (sys.argv[1], int(sys.argv[2])))
                print(c.recvfrom(65535)[0].decode())
            except Exception as e:
                print("failed %s" % e)
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private GannetProcess gannet;
    private Path pinRoot;
    private Path profile;
    private Path socket;
    private NetworkNamespace node1;
    private NetworkNamespace pod;
    private String podIp6;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    private String[] daemonArgs() {
        return new String[] {"--cni-socket", socket.toString(), "--bpf-pin-root", pinRoot.toString(), "--host-device", "eth0"};
    }

    @Test
    void podIpv6TrafficToTheOutsideLeavesWithTheNodesIpv6AddressAndItsRepliesComeBack() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("curl");
        Requirements.requireCommand("ping");
        Requirements.requireCommand("python3");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        NetworkNamespace lan = bed.lan("m6l");
        node1 = bed.host(lan, "m61", NODE1 + "/24", NODE1_6 + "/64");
        NetworkNamespace outside = bed.host(lan, "m6o", OUTSIDE + "/24", OUTSIDE_6 + "/64");
        NetworkNamespace routed = bed.host(lan, "m6r", "10.78.1.60/24", ROUTED_6 + "/64");
        // a deprecated address (RFC 4862 5.5.4), listed before the usable one: not a source for new flows
        node1.exec("ip", "-6", "addr", "add", NODE1_6_DEPRECATED + "/64", "dev", "eth0", "nodad", "preferred_lft", "0");
        assertThat(node1.exec("ip", "-6", "addr", "show", "dev", "eth0", "scope", "global")).contains("deprecated");
        // The routed host reaches the pods through node 1 (as the fabric would); the outside host cannot.
        routed.exec("ip", "-6", "route", "add", "fd00:10:244::/56", "via", NODE1_6);
        node1.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        node1.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        Path tcp = dir.resolve("tcp.py");
        Files.writeString(tcp, TCP_SERVER);
        Path udp = dir.resolve("udp.py");
        Files.writeString(udp, UDP_SERVER);
        Path udpClient = dir.resolve("udp_client.py");
        Files.writeString(udpClient, UDP_CLIENT);
        bed.start(outside, "python3", tcp.toString(), "outside", "8080");
        bed.start(outside, "python3", udp.toString(), "outside-udp", "9090");
        bed.start(routed, "python3", tcp.toString(), "routed", "8080");

        profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE.formatted("\"" + ROUTED_6 + "/128\""));
        pinRoot = bed.pinRoot("masq6-test");
        socket = dir.resolve("cni.sock");
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, profile, "node1", daemonArgs()));
        gannet.awaitTrue("CNI socket", () -> Files.exists(socket), () -> "");

        pod = bed.ns("m6p");
        JsonNode added = CniCall.add(plugin, node1, socket, "ctr-m6", pod, null);
        String podIp = DualStackRack.ip(added, "10.244.61.");
        podIp6 = DualStackRack.ip(added, "fd00:10:244:61:");

        // TCP over IPv6: the outside host, which cannot route to the pod pool, sees node 1's usable IPv6 address
        assertThat(curl(pod, "[" + OUTSIDE_6 + "]")).isEqualTo("outside " + NODE1_6);
        // UDP over IPv6
        assertThat(udp(pod, udpClient, OUTSIDE_6)).isEqualTo("outside-udp " + NODE1_6);
        // ICMPv6 echo: the identifier is rewritten both ways
        assertThat(pod.exec("ping", "-6", "-c", "3", "-W", "2", OUTSIDE_6)).contains("3 received");
        // IPv4 masquerade beside it, unchanged
        assertThat(curl(pod, OUTSIDE)).isEqualTo("outside " + NODE1);

        JsonNode nat = JSON.readTree(gannet.cli("show", "nat", "--json"));
        assertThat(nat.path("ipv6").path("enabled").asBoolean()).as(nat.toString()).isTrue();
        assertThat(nat.path("ipv6").path("pool").asText()).isEqualTo("fd00:10:244::/56");
        assertThat(nat.path("ipv6").path("devices").path("eth0").asText()).as("not the deprecated address").isEqualTo(NODE1_6);
        assertThat(nat.path("ipv6").path("nonMasquerade").toString()).contains(ROUTED_6 + "/128").contains("fd00:10:244::/56");
        assertThat(nat.path("devices").path("eth0").asText()).isEqualTo(NODE1);
        JsonNode tcp6 = row(nat, "ipv6", "TCP");
        assertThat(tcp6.path("pod").asText()).startsWith("[" + podIp6 + "]:");
        assertThat(tcp6.path("node").asText()).startsWith("[" + NODE1_6 + "]:");
        assertThat(tcp6.path("destination").asText()).isEqualTo("[" + OUTSIDE_6 + "]:8080");
        assertThat(row(nat, "ipv6", "UDP").path("destination").asText()).isEqualTo("[" + OUTSIDE_6 + "]:9090");
        assertThat(row(nat, "ipv6", "ICMPv6").path("destination").asText()).isEqualTo(OUTSIDE_6);
        assertThat(row(nat, "ipv4", "TCP").path("pod").asText()).startsWith(podIp + ":");
        assertThat(nat.path("ipv6").path("occupancy").path("flows").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(nat.path("ipv6").path("occupancy").path("tableEntries").asInt()).isGreaterThanOrEqualTo(6);
        io.gannet.agent.control.OpenApiContract.assertConforms("GET", "/v1/nat",
                io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/v1/nat"));
        assertThat(gannet.cli("show", "nat")).contains("IPv6 masquerade: pods of fd00:10:244::/56 leave as eth0 -> " + NODE1_6)
                .contains("ICMPv6").contains("[" + OUTSIDE_6 + "]:8080");
        String metrics = io.gannet.agent.control.RawHttp.get(dir.resolve("gannet.sock"), "/metrics").body();
        assertThat(metrics).contains("gannet_masquerade_flows{family=\"ipv6\"}")
                .contains("gannet_masquerade_table_fill_ratio{family=\"ipv6\"}");
        assertThat(gannet.log()).contains("on for IPv6: pods of fd00:10:244::/56");

        // A non-masquerade destination sees the pod's own IPv6 address.
        assertThat(curl(pod, "[" + ROUTED_6 + "]")).isEqualTo("routed " + podIp6);

        // Reload: the routed host is no longer excluded, so it sees node 1 now.
        Files.writeString(profile, PROFILE.formatted(""));
        GannetProcess.CliResult reload = gannet.cliResult("reload");
        assertThat(reload.exit()).as(reload.out() + reload.err()).isZero();
        assertThat(reload.out()).contains("masquerade").contains("applied");
        assertThat(curl(pod, "[" + ROUTED_6 + "]")).isEqualTo("routed " + NODE1_6);

        // Restart on the same pins: IPv6 masquerade keeps working.
        gannet.close();
        gannet = bed.daemon(GannetProcess.startKeepingMounts(node1, dir, profile, "node1", daemonArgs()));
        gannet.awaitTrue("show nat answers after the restart", () -> gannet.cliResult("show", "nat", "--json").exit() == 0,
                () -> gannet.log());
        assertThat(curl(pod, "[" + OUTSIDE_6 + "]")).isEqualTo("outside " + NODE1_6);
        assertThat(udp(pod, udpClient, OUTSIDE_6)).isEqualTo("outside-udp " + NODE1_6);
        assertThat(JSON.readTree(gannet.cli("show", "nat", "--json")).path("ipv6").path("devices").path("eth0").asText())
                .isEqualTo(NODE1_6);
    }

    private static JsonNode row(JsonNode nat, String family, String protocol) {
        for (JsonNode r : nat.path("translations")) {
            if (family.equals(r.path("family").asText()) && protocol.equals(r.path("protocol").asText())) {
                return r;
            }
        }
        throw new AssertionError("no " + family + " " + protocol + " translation in " + nat);
    }

    private static String curl(NetworkNamespace ns, String addr) throws Exception {
        String last = "";
        for (int i = 0; i < 20; i++) {
            Process p = ns.start("curl", "-s", "-g", "-m", "3", "http://" + addr + ":8080/");
            last = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && !last.isEmpty()) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no answer from " + addr + " in " + ns.name() + ": " + last);
    }

    private static String udp(NetworkNamespace ns, Path client, String addr) throws Exception {
        String last = "";
        for (int i = 0; i < 10; i++) {
            Process p = ns.start("python3", client.toString(), addr, "9090");
            last = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            if (!last.startsWith("failed") && !last.isEmpty()) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no UDP answer from " + addr + " in " + ns.name() + ": " + last);
    }
}
