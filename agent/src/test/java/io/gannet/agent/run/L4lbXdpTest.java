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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An L4LB host as a user runs it with the XDP fast path: {@code gannet run --xdp generic} (role
 * l4lb, {@code --services-dir}, {@code --host-device eth0}, a veth):
 * <pre>
 *   client 10.96.0.2 --eth0-- 10.96.0.1 lb1 10.97.0.1 --eth1-- be1 10.97.0.21:8080 (HTTP), :9090 (echo)
 *                     (VIP 203.0.113.10 routed to lb1)
 * </pre>
 * Proves: the uplink carries Gannet's generic XDP program; {@code show vips} says the VIP is
 * served in XDP; the client's connections to the VIP reach the backend and are answered from
 * the VIP (the kernel's masquerade towards the backend and the TC reverse NAT still apply to
 * what XDP translated); every new flow is counted once (NAT_NEW), and {@code from_host} at TC
 * sees the client's packets already translated (PASS_NO_SERVICE; translated at TC they would count
 * as NAT_NEW / NAT_CT_HIT there instead). A connection opened while TC alone served goes on
 * through XDP after a restart with {@code --xdp}, and one opened through XDP goes on through TC
 * after a restart without it (the XDP program detached, {@code show vips} says "tc"): one
 * conntrack for both paths.
 */
class L4lbXdpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIP = "203.0.113.10";
    private static final String FE = VIP + ":80/TCP";
    private static final String ECHO_FE = VIP + ":7000/TCP";

    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: l4lb-xdp}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              vipPool: [203.0.113.0/24]
              maglev: {tableSize: 4099}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.96.0.254], asn: 4200100001}
                hosts:
                  - {name: lb1, address: 10.96.0.1, role: l4lb, vips: [203.0.113.10]}
            """;

    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
              annotations:
                gannet.io/health-check-interval: 500ms
                gannet.io/health-check-rise: "1"
            spec:
              type: LoadBalancer
              externalIPs: [203.0.113.10]
              ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}, {name: echo, protocol: TCP, port: 7000, targetPort: 9090}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{name: http, protocol: TCP, port: 8080}, {name: echo, protocol: TCP, port: 9090}]
            endpoints:
            - addresses: ["10.97.0.21"]
            """;

    /** One HTTP/1.0 GET per source port to the VIP; prints "port body" or "port fail:...". */
    private static final String CLIENT = """
            import socket, sys
            for p in sys.argv[2].split():
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.settimeout(3)
                try:
                    s.bind(("10.96.0.2", int(p)))
                    s.connect((sys.argv[1], 80))
                    s.sendall(b"GET /id HTTP/1.0\\r\\n\\r\\n")
                    data = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    print(p, data.split(b"\\r\\n\\r\\n", 1)[1].decode() if b"\\r\\n\\r\\n" in data else "fail")
                except OSError as e:
                    print(p, "fail:" + type(e).__name__)
                finally:
                    s.close()
            """;

    /** The backend's echo service: answers each read with "echo " and what it read. */
    private static final String ECHO = """
            import socket, threading
            srv = socket.socket()
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(("10.97.0.21", 9090))
            srv.listen()
            def serve(c):
                while True:
                    d = c.recv(100)
                    if not d:
                        break
                    c.sendall(b"echo " + d)
            while True:
                c, _ = srv.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    /** A long-lived connection to the VIP's echo port: sends each line of stdin, prints each answer. */
    private static final String LONG_LIVED = """
            import socket, sys
            s = socket.create_connection((sys.argv[1], 7000), timeout=5)
            print("connected", flush=True)
            for line in sys.stdin:
                s.sendall(line.strip().encode())
                print(s.recv(100).decode(), flush=True)
            """;

    @TempDir
    Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private Path pin;
    private GannetProcess gannet;
    private int runs;
    private NetworkNamespace client;
    private NetworkNamespace lb;

    @AfterEach
    void tearDown() {
        if (gannet != null) {
            gannet.close();
        }
        for (AutoCloseable c : cleanup.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // keep tearing down
            }
        }
    }

    private NetworkNamespace ns(String name) {
        NetworkNamespace n = NetworkNamespace.create(name);
        cleanup.add(n);
        return n;
    }

    @Test
    void vipFlowsAreTranslatedInGenericXdpOnTheUplinkAndServedEndToEnd() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("nft");
        Requirements.requireCommand("python3");

        client = ns("lxc");
        lb = ns("lxl");
        NetworkNamespace be = ns("lxb");
        client.linkTo(lb, "eth0", "10.96.0.2/24", "eth0", "10.96.0.1/24");
        lb.linkTo(be, "eth1", "10.97.0.1/24", "eth0", "10.97.0.21/24");
        client.exec("ip", "route", "add", VIP + "/32", "via", "10.96.0.1");
        client.exec("sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1");
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("id"), "be1");
        Process server = be.start("python3", "-m", "http.server", "8080", "--bind", "10.97.0.21", "--directory", www.toString());
        cleanup.add(() -> {
            server.destroy();
            server.waitFor();
        });

        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        Path services = Files.createDirectories(dir.resolve("services"));
        Files.writeString(services.resolve("web.yaml"), SERVICE);
        // "ip netns exec" mounts a fresh /sys, hiding /sys/fs/bpf: the host pins under a bpffs of the test's own.
        Path bpffs = Files.createDirectories(dir.resolve("bpffs"));
        NetworkNamespace.Shell.run("mount", "-t", "bpf", "bpf", bpffs.toString());
        pin = bpffs.resolve("lb1");
        cleanup.add(() -> NetworkNamespace.Shell.runQuietly("umount", bpffs.toString()));
        cleanup.add(() -> Datapath.removePins(pin));

        Process echo = be.start("python3", "-c", ECHO);
        cleanup.add(() -> {
            echo.destroy();
            echo.waitFor();
        });

        // --- TC alone first: a long-lived connection opened through from_host
        gannet = start();
        awaitVip(FE, v -> v.path("healthy").asText().equals("1/1"));
        awaitVip(ECHO_FE, v -> v.path("healthy").asText().equals("1/1"));
        assertThat(vip(FE).path("datapath").asText()).isEqualTo("tc");
        Connection viaTc = connect();
        assertThat(viaTc.say("one")).isEqualTo("echo one");

        // --- gannet run --xdp generic on the L4LB host
        gannet.close();
        gannet = start("--xdp", "generic");
        awaitVip(FE, v -> v.path("healthy").asText().equals("1/1"));
        assertThat(lb.exec("ip", "link", "show", "dev", "eth0")).contains("xdpgeneric").contains("prog/xdp");
        assertThat(vip(FE).path("datapath").asText()).startsWith("xdp generic");
        assertThat(gannet.cli("show", "vips")).contains("datapath: xdp generic");
        assertThat(gannet.log()).contains("VIP flows translated in XDP (generic)");

        long passed = counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE);
        assertThat(viaTc.say("two")).as("the connection TC opened goes on through XDP: the same conntrack").isEqualTo("echo two");
        assertThat(counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE) - passed).as("its packet translated by XDP before from_host")
                .isGreaterThanOrEqualTo(1);

        long natNew = counter(io.gannet.bpf.maps.Reason.NAT_NEW);
        passed = counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE);
        assertThat(flows(21000, 10)).as("every connection answered from the VIP by the backend").containsOnly("be1");
        assertThat(counter(io.gannet.bpf.maps.Reason.NAT_NEW) - natNew).as("one new flow per connection").isEqualTo(10);
        assertThat(counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE) - passed)
                .as("the client's packets reach from_host at TC already translated by XDP").isGreaterThanOrEqualTo(10 * 3);
        Connection viaXdp = connect();
        assertThat(viaXdp.say("three")).isEqualTo("echo three");

        // --- started again without --xdp: detached, TC alone serves, both connections go on
        gannet.close();
        gannet = start();
        awaitVip(FE, v -> v.path("healthy").asText().equals("1/1"));
        assertThat(lb.exec("ip", "link", "show", "dev", "eth0")).doesNotContain("xdp");
        assertThat(vip(FE).path("datapath").asText()).isEqualTo("tc");
        assertThat(viaXdp.say("four")).as("the connection XDP opened goes on through TC").isEqualTo("echo four");
        assertThat(viaTc.say("five")).isEqualTo("echo five");
        passed = counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE);
        natNew = counter(io.gannet.bpf.maps.Reason.NAT_NEW);
        assertThat(flows(22000, 5)).containsOnly("be1");
        assertThat(counter(io.gannet.bpf.maps.Reason.NAT_NEW) - natNew).isEqualTo(5);
        assertThat(counter(io.gannet.bpf.maps.Reason.PASS_NO_SERVICE) - passed).as("translated at TC now").isLessThan(5);
    }

    /** A long-lived connection from the client to the VIP's echo port. */
    private final class Connection {
        final Process p;
        final java.io.BufferedReader out;
        final java.io.Writer in;

        Connection(Process p) {
            this.p = p;
            this.out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            this.in = new java.io.OutputStreamWriter(p.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8);
        }

        String say(String word) throws IOException {
            in.write(word + "\n");
            in.flush();
            String line = out.readLine();
            if (line != null && line.startsWith("Traceback")) {
                StringBuilder b = new StringBuilder(line);
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    b.append('\n').append(l);
                }
                return b.toString();
            }
            return line;
        }
    }

    private Connection connect() throws IOException {
        Process p = client.start("python3", "-c", LONG_LIVED, VIP);
        cleanup.add(() -> {
            p.destroy();
            p.waitFor();
        });
        Connection c = new Connection(p);
        assertThat(c.out.readLine()).isEqualTo("connected");
        return c;
    }

    private GannetProcess start(String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("--services-dir", dir.resolve("services").toString(), "--host-device", "eth0",
                "--bpf-pin-root", pin.toString()));
        args.addAll(List.of(more));
        Path d = Files.createDirectories(dir.resolve("lb1-" + runs++));
        return GannetProcess.start(lb, d, dir.resolve("profile.yaml"), "lb1", args.toArray(String[]::new));
    }

    /** The backends that answered, one per source port (a failed connection is retried once). */
    private List<String> flows(int from, int n) {
        StringBuilder ports = new StringBuilder();
        for (int p = from; p < from + n; p++) {
            ports.append(p).append(' ');
        }
        List<String> out = new ArrayList<>();
        for (String line : client.exec("python3", "-c", CLIENT, VIP, ports.toString().trim()).lines().toList()) {
            String[] f = line.trim().split("\\s+", 2);
            out.add(f.length < 2 ? "fail" : f[1]);
        }
        assertThat(out).hasSize(n);
        return out;
    }

    private long counter(io.gannet.bpf.maps.Reason reason) throws Exception {
        return DaemonNodePortTest.sumPerCpu(NetworkNamespace.Shell.run("bpftool", "-j", "map", "lookup", "pinned",
                io.gannet.bpf.PinLayout.mapsDir(pin).resolve("dp_metrics").toString(), "key",
                Integer.toString(reason.ordinal()), "0", "0", "0"));
    }

    private JsonNode vip(String frontend) {
        try {
            for (JsonNode v : JSON.readTree(gannet.cli("show", "vips", "--json")).path("vips")) {
                if (v.path("frontend").asText().equals(frontend)) {
                    return v;
                }
            }
        } catch (IOException e) {
            // no daemon yet
        }
        return JSON.createObjectNode();
    }

    private void awaitVip(String frontend, Predicate<JsonNode> p) throws Exception {
        gannet.awaitTrue("VIP " + frontend, () -> p.test(vip(frontend)), () -> "\n--- vip: " + vip(frontend) + "\n--- log:\n"
                + gannet.log());
    }
}
