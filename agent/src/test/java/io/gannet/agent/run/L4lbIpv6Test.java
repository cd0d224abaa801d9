package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.bpf.Datapath;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An IPv6 VIP end to end, as a user runs it: two {@code gannet run} L4LB hosts (profile role
 * l4lb, an IPv6 prefix in the VIP pool, dual-stack host addresses so each host has an IPv6 BGP
 * session) with a Service whose IPv6 externalIP and load-balancer ingress IP are VIPs and whose
 * EndpointSlice has IPv6 backends, behind a real FRR router (zebra, bgpd; IPv6 multipath, L4 hash).
 * <pre>
 *   client fd00:90::2 -- rtr fd00:91::1 --+-- fd00:91::2 lb1 fd00:92::11 --+-- be1 [fd00:92::21]:8080
 *                                         +-- fd00:91::3 lb2 fd00:92::12 --+-- be2 [fd00:92::22]:8080
 * </pre>
 * Proves: both hosts announce the VIP as a /128 with the profile's community and the router
 * installs both next hops in its kernel; the client's flows over IPv6 reach both backends and
 * every answer comes from the VIP (the client's own firewall counts packets from the VIP and
 * none from a backend address); both hosts build the same table; a backend failing its health
 * check leaves both tables; with none healthy the /128 is withdrawn everywhere and the router's
 * kernel route goes; an IPv6 VIP outside the pool is refused in show vips; drain withdraws one
 * host's /128 at once and new flows go through the other; that host's daemon restarted announces
 * the /128 again (the router's kernel has both next hops) with the same table.
 */
class L4lbIpv6Test {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIP = "2001:db8:113::10";
    private static final String FE = "[" + VIP + "]:80/TCP";

    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: l4lb6-e2e}
            spec:
              model: ibgp-core
              asn: {scheme: single, base: 64512}
              vipPool: [203.0.113.0/24, "2001:db8:113::/64"]
              maglev: {tableSize: 4099}
              bgp: {holdTime: 9, connectRetry: 1}
              communities: {vip: ["64512:200"]}
              inventory:
                switches:
                  - {name: rtr, addresses: [10.91.0.1, "fd00:91::1"]}
                hosts:
                  - {name: lb1, address: [10.91.0.2, "fd00:91::2"], role: l4lb, vips: ["2001:db8:113::10"]}
                  - {name: lb2, address: [10.91.0.3, "fd00:91::3"], role: l4lb, vips: ["2001:db8:113::10"]}
            """;

    private static final String SERVICES = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web6
              namespace: shop
              annotations:
                gannet.io/health-check: http
                gannet.io/health-check-path: /id
                gannet.io/health-check-interval: 500ms
                gannet.io/health-check-timeout: 500ms
                gannet.io/health-check-rise: "1"
                gannet.io/health-check-fall: "3"
            spec:
              type: LoadBalancer
              ipFamilies: [IPv6]
              externalIPs: ["2001:db8:113::10", "2001:db8:999::1"]
              ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
            status:
              loadBalancer: {ingress: [{ip: "2001:db8:113::20"}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web6-1, namespace: shop, labels: {kubernetes.io/service-name: web6}}
            addressType: IPv6
            ports: [{name: http, protocol: TCP, port: 8080}]
            endpoints:
            - addresses: ["fd00:92::21"]
            - addresses: ["fd00:92::22"]
            """;

    /** One HTTP/1.0 GET per source port over IPv6; prints "port backend" or "port fail:...". */
    private static final String CLIENT = """
            import socket, sys
            vip = sys.argv[1]
            for p in sys.argv[2].split():
                s = socket.socket(socket.AF_INET6)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.settimeout(3)
                try:
                    s.bind(("fd00:90::2", int(p)))
                    s.connect((vip, 80))
                    s.sendall(b"GET /id HTTP/1.0\\r\\n\\r\\n")
                    data = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    body = data.split(b"\\r\\n\\r\\n", 1)[1].decode() if b"\\r\\n\\r\\n" in data else "fail"
                    print(p, body or "fail")
                except OSError as e:
                    print(p, "fail:" + type(e).__name__)
                finally:
                    s.close()
            """;

    @TempDir
    Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<Path> pins = new ArrayList<>();
    private NetworkNamespace client;
    private FrrRouter rtr;
    private NetworkNamespace rtrNs;
    private final GannetProcess[] lb = new GannetProcess[2];
    private final NetworkNamespace[] lbNs = new NetworkNamespace[2];
    private final Process[] backend = new Process[2];
    private final NetworkNamespace[] beNs = new NetworkNamespace[2];

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // keep tearing down
            }
        }
        for (Path p : pins) {
            Datapath.removePins(p);
        }
    }

    private NetworkNamespace ns(String name) {
        NetworkNamespace n = NetworkNamespace.create(name);
        cleanup.add(n);
        return n;
    }

    @Test
    void anIpv6VipIsAnnouncedServedAndWithdrawnThroughFrr() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("/usr/lib/frr/zebra");
        Requirements.requireCommand("vtysh");
        Requirements.requireCommand("nft");
        Requirements.requireCommand("python3");

        // --- the network (IPv6 addresses without duplicate address detection)
        rtrNs = ns("l6r");
        client = ns("l6c");
        NetworkNamespace bnet = ns("l6b");
        rtrNs.exec("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                "net.ipv6.fib_multipath_hash_policy=1");
        rtrNs.exec("ip", "link", "add", "br0", "type", "bridge");
        rtrNs.exec("ip", "addr", "add", "10.91.0.1/24", "dev", "br0");
        rtrNs.exec("ip", "addr", "add", "fd00:91::1/64", "dev", "br0", "nodad");
        rtrNs.exec("ip", "link", "set", "br0", "up");
        NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", client.name(), "type", "veth", "peer", "name", "c0",
                "netns", rtrNs.name());
        client.exec("ip", "addr", "add", "fd00:90::2/64", "dev", "eth0", "nodad");
        client.exec("ip", "link", "set", "eth0", "up");
        rtrNs.exec("ip", "addr", "add", "fd00:90::1/64", "dev", "c0", "nodad");
        rtrNs.exec("ip", "link", "set", "c0", "up");
        client.exec("ip", "-6", "route", "add", "default", "via", "fd00:90::1");
        client.exec("sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1");
        bnet.exec("ip", "link", "add", "br0", "type", "bridge");
        bnet.exec("ip", "link", "set", "br0", "up");
        for (int i = 0; i < 2; i++) {
            NetworkNamespace l = ns("l6lb" + (i + 1));
            lbNs[i] = l;
            NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", l.name(), "type", "veth", "peer", "name", "l" + i,
                    "netns", rtrNs.name());
            rtrNs.exec("ip", "link", "set", "l" + i, "master", "br0");
            rtrNs.exec("ip", "link", "set", "l" + i, "up");
            l.exec("ip", "addr", "add", "10.91.0." + (i + 2) + "/24", "dev", "eth0");
            l.exec("ip", "addr", "add", "fd00:91::" + (i + 2) + "/64", "dev", "eth0", "nodad");
            l.exec("ip", "link", "set", "eth0", "up");
            l.exec("ip", "route", "add", "default", "via", "10.91.0.1");
            l.exec("ip", "-6", "route", "add", "default", "via", "fd00:91::1");
            // IPv6 forwarding stays off: gannet run turns it on for an L4LB host with an IPv6 pool
            bridgePort(bnet, l, "p" + i, "fd00:92::" + (11 + i) + "/64");
            NetworkNamespace b = ns("l6be" + (i + 1));
            beNs[i] = b;
            bridgePort(bnet, b, "q" + i, "fd00:92::" + (21 + i) + "/64");
            startBackend(i);
        }
        // The client's firewall counts what answers it: the VIP, or (it must not) a backend.
        Path seenRules = dir.resolve("seen.nft");
        Files.writeString(seenRules, """
                table ip6 seen {
                  chain input { type filter hook input priority 0; policy accept;
                    ip6 saddr 2001:db8:113::10 tcp sport 80 counter
                    ip6 saddr fd00:92::/64 counter
                  }
                }
                """);
        client.exec("nft", "-f", seenRules.toString());

        // --- the router, configured by gannet profile render --switch rtr
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        String rendered = GannetProcess.render(profile, "rtr");
        rtr = FrrRouter.start(rtrNs, dir.resolve("frr"), rendered);
        cleanup.add(rtr);

        // --- two gannet run L4LB hosts, pinning under a bpffs of the test's own
        Path bpffs = Files.createDirectories(dir.resolve("bpffs"));
        NetworkNamespace.Shell.run("mount", "-t", "bpf", "bpf", bpffs.toString());
        cleanup.add(() -> NetworkNamespace.Shell.runQuietly("umount", bpffs.toString()));
        for (int i = 0; i < 2; i++) {
            Path d = Files.createDirectories(dir.resolve("lb" + (i + 1)));
            Files.writeString(Files.createDirectories(d.resolve("services")).resolve("web6.yaml"), SERVICES);
            pins.add(bpffs.resolve("lb" + (i + 1)));
            startLb(i, profile);
        }

        // --- both announce the /128; the router installs both next hops
        // The speaker sends its global and its link-local address as next hop (RFC 2545 3); FRR
        // installs the link-local one.
        await("the router has both LB hosts as IPv6 next hops", () -> hosts(rtr.nextHops6(VIP + "/128")).equals(List.of(1, 2)));
        String kernel = rtrNs.exec("ip", "-6", "route", "show", VIP + "/128");
        assertThat(hosts(java.util.Arrays.stream(kernel.split("\\s+")).filter(w -> w.contains(":")).toList()))
                .as("both in the router's kernel: " + kernel).isEqualTo(List.of(1, 2));
        assertThat(rtr.vtysh("show bgp ipv6 unicast " + VIP + "/128")).contains("64512:200");
        for (int i = 0; i < 2; i++) {
            assertThat(lbNs[i].exec("sysctl", "-n", "net.ipv6.conf.all.forwarding").trim()).as("lb" + (i + 1) + " forwards IPv6")
                    .isEqualTo("1");
        }
        for (GannetProcess g : lb) {
            awaitVip(g, v -> v.path("healthy").asText().equals("2/2") && v.path("route").asText().equals("announced"));
            JsonNode v = vip(g, FE);
            assertThat(v.path("vip").asText()).isEqualTo(VIP + "/128");
            assertThat(v.path("tableSize").asInt()).isEqualTo(4099);
            assertThat(v.path("backends").findValuesAsText("backend")).containsExactly("[fd00:92::21]:8080", "[fd00:92::22]:8080");
            assertThat(vip(g, "[2001:db8:113::20]:80/TCP").path("route").asText()).as("the load-balancer ingress IP")
                    .isEqualTo("announced");
            assertThat(refusedReasons(g)).contains("VIP 2001:db8:999::1 is outside the profile's VIP pool");
        }
        assertThat(vip(lb[0], FE).path("fingerprint").asText()).as("the same backends give the same table on both hosts")
                .isEqualTo(vip(lb[1], FE).path("fingerprint").asText());
        assertThat(lb[0].cli("show", "vips")).contains(VIP).contains("[fd00:92::21]:8080");

        // --- flows from the client over IPv6 spread over both backends; answers come from the VIP
        Map<Integer, String> first = flows(20000, 100);
        assertThat(first.values()).containsOnly("be1", "be2");
        assertThat(first.values().stream().filter("be1"::equals).count()).as("both backends used").isBetween(15L, 85L);
        assertThat(masqueraded(0) + masqueraded(1)).as("flows forwarded and masqueraded by the ip6 table").isPositive();
        String seen = client.exec("nft", "list", "chain", "ip6", "seen", "input");
        assertThat(counter(seen, "saddr 2001:db8:113::10")).as("answers from the VIP").isPositive();
        assertThat(counter(seen, "saddr fd00:92::/64")).as("no answer from a backend's own address").isZero();

        // --- a backend fails its health check: it leaves both hosts' tables
        backend[0].destroy();
        backend[0].waitFor();
        for (GannetProcess g : lb) {
            awaitVip(g, v -> v.path("healthy").asText().equals("1/2"));
        }
        assertThat(vip(lb[0], FE).path("fingerprint").asText()).isEqualTo(vip(lb[1], FE).path("fingerprint").asText());
        assertThat(flows(21000, 30).values()).containsOnly("be2");

        // --- no healthy backend: the /128 is withdrawn everywhere, the router's kernel route goes
        backend[1].destroy();
        backend[1].waitFor();
        await("the IPv6 VIP withdrawn everywhere", () -> rtr.nextHops6(VIP + "/128").isEmpty());
        assertThat(rtrNs.exec("ip", "-6", "route", "show", VIP + "/128")).isBlank();
        for (GannetProcess g : lb) {
            assertThat(vip(g, FE).path("route").asText()).isEqualTo("withdrawn");
            assertThat(vip(g, FE).path("reason").asText()).isEqualTo("no healthy backend");
            assertThat(g.log()).contains("2001:db8:113::10/128");
        }

        // --- the backends come back: the /128 from both hosts again
        startBackend(0);
        startBackend(1);
        await("re-announced by both after the hold", () -> hosts(rtr.nextHops6(VIP + "/128")).equals(List.of(1, 2)));

        // --- drain lb1: its next hop leaves at once, new IPv6 flows go through lb2, done after the grace
        long before = masqueraded(0);
        GannetProcess.CliResult drain = lb[0].cliResult("drain", "--grace", "2s");
        assertThat(drain.exit()).as(drain.err()).isZero();
        assertThat(drain.out()).contains("VIPs withdrawn").contains("drained");
        await("only lb2 left as next hop", () -> hosts(rtr.nextHops6(VIP + "/128")).equals(List.of(2)));
        assertThat(flows(22000, 30).values()).containsOnly("be1", "be2");
        assertThat(masqueraded(0)).as("no new flows through the drained host").isEqualTo(before);
        assertThat(vip(lb[0], FE).path("route").asText()).isEqualTo("drained");
        assertThat(lb[0].cli("show", "vips")).contains("drained").contains("[fd00:92::21]:8080");

        // --- lb1's daemon restarts (a drain lasts as long as its process): the /128 comes back from it
        assertThat(lb[0].terminate(java.time.Duration.ofSeconds(20))).as("lb1 stopped on SIGTERM").isTrue();
        lb[1].awaitTrue("lb1's next hop gone while it is down", () -> hosts(rtr.nextHops6(VIP + "/128")).equals(List.of(2)),
                () -> "\n--- router: " + rtr.vtysh("show bgp summary", "show bgp ipv6 unicast") + rtr.log());
        startLb(0, profile);
        await("lb1 announces again after its restart", () -> hosts(rtr.nextHops6(VIP + "/128")).equals(List.of(1, 2)));
        awaitVip(lb[0], v -> v.path("healthy").asText().equals("2/2") && v.path("route").asText().equals("announced"));
        assertThat(vip(lb[0], FE).path("fingerprint").asText()).as("the restarted host builds the same table")
                .isEqualTo(vip(lb[1], FE).path("fingerprint").asText());
        String kernelAgain = rtrNs.exec("ip", "-6", "route", "show", VIP + "/128");
        assertThat(hosts(java.util.Arrays.stream(kernelAgain.split("\\s+")).filter(w -> w.contains(":")).toList()))
                .as("both in the router's kernel again: " + kernelAgain).isEqualTo(List.of(1, 2));
        Map<Integer, String> again = flows(23000, 60);
        assertThat(again.values()).containsOnly("be1", "be2");
    }

    /** {@code gannet run} for LB host i+1 on its directory, Service files and pins (also its restart). */
    private void startLb(int i, Path profile) throws IOException {
        Path d = dir.resolve("lb" + (i + 1));
        lb[i] = GannetProcess.start(lbNs[i], d, profile, "lb" + (i + 1), "--services-dir", d.resolve("services").toString(),
                "--host-device", "eth0", "--bpf-pin-root", pins.get(i).toString());
        cleanup.add(lb[i]);
    }

    /** Which LB hosts (1, 2) these next hops are, by global or link-local address of their uplink. */
    private List<Integer> hosts(List<String> nextHops) {
        List<Integer> out = new ArrayList<>();
        for (String nh : nextHops) {
            for (int i = 0; i < 2; i++) {
                String addrs = lbNs[i].exec("ip", "-6", "-o", "addr", "show", "dev", "eth0");
                if (nh.equals("fd00:91::" + (i + 2)) || addrs.contains(" " + nh + "/")) {
                    out.add(i + 1);
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static void bridgePort(NetworkNamespace bnet, NetworkNamespace host, String port, String cidr) {
        NetworkNamespace.Shell.run("ip", "link", "add", "eth1", "netns", host.name(), "type", "veth", "peer", "name", port,
                "netns", bnet.name());
        bnet.exec("ip", "link", "set", port, "master", "br0");
        bnet.exec("ip", "link", "set", port, "up");
        host.exec("ip", "addr", "add", cidr, "dev", "eth1", "nodad");
        host.exec("ip", "link", "set", "eth1", "up");
    }

    private void startBackend(int i) throws IOException {
        Path www = Files.createDirectories(dir.resolve("www" + i));
        Files.writeString(www.resolve("id"), "be" + (i + 1));
        backend[i] = beNs[i].start("python3", "-m", "http.server", "8080", "--bind", "fd00:92::" + (21 + i), "--directory",
                www.toString());
        Process p = backend[i];
        cleanup.add(() -> {
            p.destroy();
            p.waitFor();
        });
    }

    /** Source port -> backend that answered; failed connections retried twice. */
    private Map<Integer, String> flows(int from, int n) throws InterruptedException {
        Map<Integer, String> m = new TreeMap<>();
        List<Integer> todo = new ArrayList<>();
        for (int p = from; p < from + n; p++) {
            todo.add(p);
        }
        for (int attempt = 0; attempt < 3 && !todo.isEmpty(); attempt++) {
            String out = client.exec("python3", "-c", CLIENT, VIP, String.join(" ", todo.stream().map(String::valueOf).toList()));
            todo.clear();
            List<String> failed = new ArrayList<>();
            for (String line : out.lines().toList()) {
                String[] f = line.trim().split("\\s+");
                int port = Integer.parseInt(f[0]);
                String be = f.length > 1 ? f[1] : "none";
                m.put(port, be);
                if (!be.startsWith("be")) {
                    todo.add(port);
                    failed.add(port + " " + be);
                }
            }
            if (!todo.isEmpty()) {
                System.out.println("L4lbIpv6Test: " + todo.size() + " of " + n + " connections failed, retrying: " + failed);
                for (int i = 0; i < 2; i++) {
                    System.out.println("L4lbIpv6Test: lb" + (i + 1) + ":\n" + lbNs[i].exec("ip", "-6", "route")
                            + lbNs[i].exec("ip", "-6", "neigh") + lbNs[i].exec("nft", "list", "ruleset"));
                }
                Thread.sleep(1000);
            }
        }
        return m;
    }

    private long masqueraded(int i) {
        return counter(lbNs[i].exec("nft", "list", "chain", "ip6", "gannet_l4lb", "postrouting"), "masquerade");
    }

    /** The packets counter of the first rule line containing {@code match}. */
    private static long counter(String nft, String match) {
        for (String line : nft.lines().toList()) {
            if (line.contains(match)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(line);
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
        }
        throw new AssertionError("no counter on a line with '" + match + "' in:\n" + nft);
    }

    private static JsonNode vips(GannetProcess g) {
        try {
            return JSON.readTree(g.cli("show", "vips", "--json")).path("vips");
        } catch (IOException e) {
            return JSON.createArrayNode();
        }
    }

    private static JsonNode vip(GannetProcess g, String frontend) {
        for (JsonNode v : vips(g)) {
            if (v.path("frontend").asText().equals(frontend)) {
                return v;
            }
        }
        return JSON.createObjectNode();
    }

    private static String refusedReasons(GannetProcess g) {
        StringBuilder b = new StringBuilder();
        for (JsonNode v : vips(g)) {
            if (v.path("route").asText().equals("refused")) {
                b.append(v.path("reason").asText()).append('\n');
            }
        }
        return b.toString();
    }

    private void awaitVip(GannetProcess g, Predicate<JsonNode> p) throws Exception {
        g.awaitTrue("VIP state", () -> p.test(vip(g, FE)), () -> "\n--- vips: " + vips(g) + "\n--- log:\n" + g.log() + rtr.log());
    }

    private void await(String what, java.util.function.BooleanSupplier c) throws Exception {
        lb[0].awaitTrue(what, c, () -> "\n--- lb2 log:\n" + lb[1].log() + "\n--- lb1 vips: " + vips(lb[0]) + "\n--- lb2 vips: "
                + vips(lb[1]) + "\n--- router: " + rtr.vtysh("show bgp summary", "show bgp ipv6 unicast", "show ipv6 route")
                + rtr.log());
    }
}
