package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One L4LB host between a client and a backend, in namespaces a {@link Testbed} owns, for one
 * address family:
 * <pre>
 *   client --eth0-- lb1 (gannet run, --host-device eth0) --eth1-- be1 :8080 (HTTP, answers "be1"), :9090 (echo)
 *                   (the VIP routed to lb1; a Service "web" with ports 80 -> 8080 and 7000 -> 9090)
 * </pre>
 * The daemon runs as a user runs it ({@code gannet run}, profile role l4lb, the Service in
 * {@code --services-dir} unless a test names another source with {@link #source}); its pins live
 * under the test bed's own pin root, so a restarted daemon re-adopts what the earlier run pinned.
 */
final class L4lbHostBed {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The addresses of one family; the lb's uplink always has the IPv4 address the profile names. */
    record Family(String vip, String client, int clientLength, String lbUplink, String lbDownlink, String backend,
            String vipPool) {
        static final Family IPV4 = new Family("203.0.113.10", "10.96.0.2", 24, "10.96.0.1", "10.97.0.1", "10.97.0.21",
                "203.0.113.0/24");
        static final Family IPV6 = new Family("2001:db8:113::10", "fd00:96::2", 64, "fd00:96::1", "fd00:97::1", "fd00:97::21",
                "\"2001:db8:113::/64\"");

        boolean ipv6() {
            return vip.contains(":");
        }

        /** The frontend as {@code show vips} names it. */
        String frontend(int port) {
            return (ipv6() ? "[" + vip + "]" : vip) + ":" + port + "/TCP";
        }
    }

    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: l4lb-host}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              vipPool: [%s]
              maglev: {tableSize: 4099}
              bgp: {holdTime: 60, connectRetry: 1}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: leaf1, addresses: [10.96.0.254], asn: 4200100001}
                hosts:
                  - {name: lb1, address: 10.96.0.1, role: l4lb, vips: ["%s"]}
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
              externalIPs: ["%s"]
              ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}, {name: echo, protocol: TCP, port: 7000, targetPort: 9090}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
            addressType: %s
            ports: [{name: http, protocol: TCP, port: 8080}, {name: echo, protocol: TCP, port: 9090}]
            endpoints:
            - addresses: ["%s"]
            """;

    /** One HTTP/1.0 GET per source port to the VIP; prints "port body" or "port fail:...". */
    private static final String CLIENT = """
            import socket, sys
            src = sys.argv[3]
            for p in sys.argv[2].split():
                s = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.settimeout(3)
                try:
                    s.bind((src, int(p)))
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
            import socket, sys, threading
            addr = sys.argv[1]
            srv = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind((addr, 9090))
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

    final Family family;
    final NetworkNamespace client;
    final NetworkNamespace lb;
    final NetworkNamespace backend;
    private final Testbed bed;
    private final Path dir;
    private final Path pin;
    private final Path profile;
    private List<String> source;
    private GannetProcess gannet;
    private int runs;
    private boolean keepState;

    /**
     * Builds the namespaces, links and addresses, starts the backend's servers and writes the
     * profile and the Service; starts no daemon. {@code name} makes the pin root's name.
     */
    L4lbHostBed(Testbed bed, Path dir, String name, Family f) throws IOException {
        this.bed = bed;
        this.dir = dir;
        this.family = f;
        client = bed.ns("lxc");
        lb = bed.ns("lxl");
        backend = bed.ns("lxb");
        link(client, "eth0", lb, "eth0");
        link(lb, "eth1", backend, "eth0");
        lb.exec("ip", "addr", "add", "10.96.0.1/24", "dev", "eth0");
        if (f.ipv6()) {
            address(lb, "eth0", f.lbUplink() + "/64");
        }
        address(client, "eth0", f.client() + "/" + f.clientLength());
        address(lb, "eth1", f.lbDownlink() + "/" + f.clientLength());
        address(backend, "eth0", f.backend() + "/" + f.clientLength());
        client.exec("ip", "route", "add", f.vip() + (f.ipv6() ? "/128" : "/32"), "via", f.lbUplink());
        client.exec("sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1");
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("id"), "be1");
        bed.start(backend, "python3", "-m", "http.server", "8080", "--bind", f.backend(), "--directory", www.toString());
        bed.start(backend, "python3", "-c", ECHO, f.backend());

        profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE.formatted(f.vipPool(), f.vip()));
        Path services = Files.createDirectories(dir.resolve("services"));
        Files.writeString(services.resolve("web.yaml"), serviceYaml());
        source = List.of("--services-dir", services.toString());
        pin = bed.pinRoot(name);
    }

    private static void link(NetworkNamespace a, String aIf, NetworkNamespace b, String bIf) {
        NetworkNamespace.Shell.run("ip", "link", "add", aIf, "netns", a.name(), "type", "veth", "peer", "name", bIf, "netns", b.name());
        a.exec("ip", "link", "set", aIf, "up");
        b.exec("ip", "link", "set", bIf, "up");
    }

    /** An address usable at once (IPv6 without duplicate address detection). */
    private static void address(NetworkNamespace ns, String dev, String cidr) {
        if (cidr.contains(":")) {
            ns.exec("ip", "-6", "addr", "add", cidr, "dev", dev, "nodad");
        } else {
            ns.exec("ip", "addr", "add", cidr, "dev", dev);
        }
    }

    /** The Service and its EndpointSlice as YAML documents separated by {@code ---}. */
    String serviceYaml() {
        return SERVICE.formatted(family.vip(), family.ipv6() ? "IPv6" : "IPv4", family.backend());
    }

    /** Where the daemon reads its Services instead of {@code --services-dir} (e.g. {@code --kube-api FILE}). */
    void source(String... args) {
        source = List.of(args);
    }

    /** Stops the running daemon, if any, and starts {@code gannet run} again with {@code more} options. */
    GannetProcess restart(String... more) throws IOException {
        if (gannet != null) {
            gannet.close();
        }
        List<String> args = new ArrayList<>(source);
        args.addAll(List.of("--host-device", "eth0", "--bpf-pin-root", pin.toString()));
        args.addAll(List.of(more));
        Path d = Files.createDirectories(dir.resolve("lb1-" + runs++));
        if (keepState) { // as systemd's StateDirectory: the next run finds what this one left
            Files.createSymbolicLink(d.resolve("state"), Files.createDirectories(dir.resolve("lb1-state")));
        }
        gannet = bed.daemon(GannetProcess.startKeepingMounts(lb, d, profile, "lb1", args.toArray(String[]::new)));
        return gannet;
    }

    GannetProcess gannet() {
        return gannet;
    }

    Path profile() {
        return profile;
    }

    /** Every run from now on uses one state directory (each run's log stays in a directory of its own). */
    void keepStateDirectory() {
        keepState = true;
    }

    /** Turns graceful restart on in the profile (for the next {@link #restart}). */
    void gracefulRestart() throws IOException {
        String p = Files.readString(profile);
        String bgp = "bgp: {holdTime: 60, connectRetry: 1}";
        assertThat(p).contains(bgp);
        Files.writeString(profile, p.replace(bgp, "bgp: {holdTime: 60, connectRetry: 1, gracefulRestart: {enabled: true}}"));
    }

    Path pin() {
        return pin;
    }

    /** A long-lived connection from the client to the VIP's echo port. */
    Connection connect() throws IOException {
        Connection c = new Connection(bed.start(client, "python3", "-c", LONG_LIVED, family.vip()));
        assertThat(c.out.readLine()).isEqualTo("connected");
        return c;
    }

    /** A long-lived connection to the VIP: one word out, its echo back. */
    static final class Connection {
        private final BufferedReader out;
        private final Writer in;

        Connection(Process p) {
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** Sends {@code word}; returns the answer, or the client's traceback when the connection broke. */
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

    /** The backends that answered, one per source port from {@code from} on ("fail..." for none). */
    List<String> flows(int from, int n) {
        StringBuilder ports = new StringBuilder();
        for (int p = from; p < from + n; p++) {
            ports.append(p).append(' ');
        }
        List<String> out = new ArrayList<>();
        for (String line : client.exec("python3", "-c", CLIENT, family.vip(), ports.toString().trim(), family.client()).lines().toList()) {
            String[] f = line.trim().split("\\s+", 2);
            out.add(f.length < 2 ? "fail" : f[1]);
        }
        assertThat(out).hasSize(n);
        return out;
    }

    /** A datapath counter (summed over CPUs), read from the pinned {@code dp_metrics}. */
    long counter(io.gannet.bpf.maps.Reason reason) throws Exception {
        return DaemonNodePortTest.sumPerCpu(NetworkNamespace.Shell.run("bpftool", "-j", "map", "lookup", "pinned",
                io.gannet.bpf.PinLayout.mapsDir(pin).resolve("dp_metrics").toString(), "key",
                Integer.toString(reason.ordinal()), "0", "0", "0"));
    }

    /** The frontend's row of {@code gannet show vips --json}, or an empty object. */
    JsonNode vip(String frontend) {
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

    void awaitVip(String frontend, Predicate<JsonNode> p) throws Exception {
        gannet.awaitTrue("VIP " + frontend, () -> p.test(vip(frontend)), () -> "\n--- vip: " + vip(frontend) + "\n--- log:\n"
                + gannet.log());
    }
}
