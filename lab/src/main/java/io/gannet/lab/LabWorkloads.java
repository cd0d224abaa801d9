package io.gannet.lab;

import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's workloads, run through every node's eBPF datapath. Node 1 holds a protected
 * server pod; every other node one echo pod; node 2 (node 1 in a one-node lab) a client pod
 * and a guest pod. A ClusterIP Service fronts the echo pods (node 1's server asks it: DNAT on
 * node 1, the backend on another node); a NetworkPolicy lets only pods labelled role=client
 * reach the server, so the guest's connection is dropped and reported. The client and the
 * guest sit on another node than the server: node 1 judges them by the identities the nodes
 * agree on through the lab's store, not by where they run. The files are the ones a user
 * writes: a services directory and a policy directory (Service + EndpointSlice, NetworkPolicy,
 * Pod labels), read by {@code gannet run --services-dir --policy-dir}. {@link #check} proves
 * each piece from inside the pods.
 */
final class LabWorkloads {
    static final String NAMESPACE = "lab";
    static final String CLUSTER_IP = "10.96.77.10";
    static final int PORT = 8080;
    static final String CLIENT = "client";
    static final String GUEST = "guest";
    static final String SERVER = "server";
    static final String ECHO = "echo";

    /** Answers each HTTP request with "POD-NAME PEER-ADDRESS" (argv: name, address, port). */
    private static final String SERVER_PY = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[2], int(sys.argv[3])))
            s.listen(64)
            while True:
                c, a = s.accept()
                try:
                    c.settimeout(2)
                    c.recv(4096)
                    body = ("%s %s\\n" % (sys.argv[1], a[0])).encode()
                    c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: " + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)
                except Exception:
                    pass
                finally:
                    c.close()
            """;

    /** One request to ADDRESS:PORT within 1 s (argv); prints the body, or nothing. */
    private static final String ASK_PY = """
            import socket, sys
            try:
                c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
                c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
                d = b""
                while True:
                    x = c.recv(4096)
                    if not x:
                        break
                    d += x
                print(d.decode(errors="replace").split("\\r\\n\\r\\n", 1)[-1].strip())
            except Exception as e:
                print("")
            """;

    /** GET PATH on the daemon's control socket (argv: socket, path); prints the body. */
    private static final String CONTROL_PY = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(3)
            d = b""
            try:
                s.connect(sys.argv[1])
                s.sendall(("GET %s HTTP/1.0\\r\\nHost: gannet\\r\\n\\r\\n" % sys.argv[2]).encode())
                while True:
                    x = s.recv(65536)
                    if not x:
                        break
                    d += x
            except Exception:
                pass
            print(d.decode(errors="replace").split("\\r\\n\\r\\n", 1)[-1])
            """;

    private LabWorkloads() {}

    record PodPlan(String node, String name, String role) {}

    /** The result of one check, as the summary prints it. */
    public record Check(String what, boolean ok, String detail) {}

    /**
     * Node 1's pod1 the protected server; every other node's pod1 an echo backend; node 2's (node
     * 1's in a one-node lab) pod2 the client and pod3 the guest.
     */
    static List<PodPlan> plan(List<String> nodes) {
        List<PodPlan> pods = new ArrayList<>();
        pods.add(new PodPlan(nodes.get(0), nodes.get(0) + "-pod1", SERVER));
        for (int i = 1; i < nodes.size(); i++) {
            pods.add(new PodPlan(nodes.get(i), nodes.get(i) + "-pod1", ECHO));
        }
        String guests = nodes.get(Math.min(1, nodes.size() - 1));
        pods.add(new PodPlan(guests, guests + "-pod2", CLIENT));
        pods.add(new PodPlan(guests, guests + "-pod3", GUEST));
        return pods;
    }

    /** The pods that serve HTTP: the server and the echo pods. */
    static boolean serves(String role) {
        return role.equals(SERVER) || role.equals(ECHO);
    }

    /** The Service's backends: the echo pods (on the other nodes), or the server in a one-node lab. */
    static List<LabState.Pod> backends(List<LabState.Pod> pods, List<String> nodes) {
        List<LabState.Pod> echo = pods.stream().filter(p -> role(p.name(), nodes).equals(ECHO)).toList();
        return echo.isEmpty() ? pods.stream().filter(p -> role(p.name(), nodes).equals(SERVER)).toList() : echo;
    }

    static String role(String podName, List<String> nodes) {
        return plan(nodes).stream().filter(p -> p.name().equals(podName)).map(PodPlan::role).findFirst().orElse("");
    }

    static Path servicesDir(Path labDir) {
        return labDir.resolve("services");
    }

    static Path policyDir(Path labDir) {
        return labDir.resolve("policy");
    }

    /** Where node {@code node}'s datapath pins its maps (recorded in the state before the node starts). */
    static String pinRoot(String lab, String node) {
        return "/sys/fs/bpf/gannet-lab-" + lab + "-" + node;
    }

    /** The policy directory: the pods' labels and the policy, written before the nodes start. */
    static void writePolicy(Path labDir, List<PodPlan> pods) throws IOException {
        Path dir = Files.createDirectories(policyDir(labDir));
        Files.createDirectories(servicesDir(labDir));
        StringBuilder labels = new StringBuilder("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: %s}
                """.formatted(NAMESPACE));
        for (PodPlan p : pods) {
            labels.append("""
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {namespace: %s, name: %s, labels: {app: echo, role: %s}}
                    """.formatted(NAMESPACE, p.name(), p.role()));
        }
        Files.writeString(dir.resolve("pods.yaml"), labels.toString());
        Files.writeString(dir.resolve("servers-from-clients.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {namespace: %s, name: servers-from-clients}
                spec:
                  podSelector: {matchLabels: {role: %s}}
                  policyTypes: [Ingress]
                  ingress:
                  - from: [{podSelector: {matchLabels: {role: %s}}}]
                    ports: [{protocol: TCP, port: %d}]
                """.formatted(NAMESPACE, SERVER, CLIENT, PORT));
        Files.writeString(labDir.resolve("server.py"), SERVER_PY);
        Files.writeString(labDir.resolve("ask.py"), ASK_PY);
        Files.writeString(labDir.resolve("control.py"), CONTROL_PY);
    }

    /** The Service in front of the server pods, once their addresses are known. */
    static void writeService(Path labDir, List<LabState.Pod> servers) throws IOException {
        StringBuilder endpoints = new StringBuilder();
        for (LabState.Pod p : servers) {
            endpoints.append("- addresses: [\"").append(p.address()).append("\"]\n  conditions: {ready: true}\n");
        }
        Files.writeString(servicesDir(labDir).resolve("echo.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: echo, namespace: %s}
                spec:
                  type: ClusterIP
                  clusterIP: %s
                  ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: %d}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: echo-1
                  namespace: %s
                  labels: {kubernetes.io/service-name: echo}
                addressType: IPv4
                ports:
                - {name: http, protocol: TCP, port: %d}
                endpoints:
                %s""".formatted(NAMESPACE, CLUSTER_IP, PORT, NAMESPACE, PORT, endpoints.toString().indent(0)));
    }

    /** Starts the HTTP server inside a pod (it lives in the pod's namespace: {@code lab down} ends it with it). */
    static long startServer(Path labDir, LabState.Pod pod) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", pod.namespace(), "setsid", "python3",
                labDir.resolve("server.py").toString(), pod.name(), "0.0.0.0", Integer.toString(PORT))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.pid();
    }

    /** The workload checks, from inside the pods; empty while the pods are not all there. */
    static List<Check> check(LabState.Data d) {
        List<Check> out = new ArrayList<>();
        List<String> nodes = d.nodes.stream().map(LabState.Node::name).toList();
        LabState.Pod client = null;
        LabState.Pod guest = null;
        LabState.Pod server = null;
        for (LabState.Pod p : d.pods) {
            switch (role(p.name(), nodes)) {
                case CLIENT -> client = p;
                case GUEST -> guest = p;
                case SERVER -> server = p;
                default -> { }
            }
        }
        List<LabState.Pod> backends = backends(d.pods, nodes);
        if (client == null || guest == null || server == null || backends.isEmpty()) {
            return out;
        }
        Path dir = Path.of(d.dir);
        // The server asks the Service (its backends are on the other nodes); a one-node lab's client asks the server behind it.
        LabState.Pod asker = backends.contains(server) ? client : server;
        String viaService = ask(dir, asker, CLUSTER_IP, 80);
        var by = backends.stream().filter(b -> viaService.startsWith(b.name() + " ")).findFirst();
        out.add(new Check("ClusterIP " + CLUSTER_IP + ":80 from " + asker.name(), by.isPresent(),
                by.map(b -> "answered by " + b.name() + " on " + b.node() + " (DNAT on " + asker.node() + ")").orElse("no answer")));
        String allowed = ask(dir, client, server.address(), PORT);
        boolean ok = allowed.startsWith(server.name() + " ");
        final LabState.Pod srv = server;
        out.add(new Check("policy allows " + client.name() + " (role client, on " + client.node() + ") -> " + server.name() + ":" + PORT
                + " (on " + server.node() + ")", ok, ok ? "answered" : "no answer"));
        String denied = ask(dir, guest, server.address(), PORT);
        LabState.Node serverNode = d.nodes.stream().filter(n -> n.name().equals(srv.node())).findFirst().orElseThrow();
        String drops = NetworkNamespace.Shell.runQuietly("python3", dir.resolve("control.py").toString(), serverNode.socket(),
                "/v1/drops?after=0");
        boolean reported = drops.contains(guest.address() + ":");
        out.add(new Check("policy denies " + guest.name() + " (role guest, on " + guest.node() + ") -> " + server.name() + ":" + PORT,
                denied.isEmpty() && reported, (denied.isEmpty() ? "no answer" : "ANSWERED: " + denied)
                        + (reported ? "; reported as a drop by " + serverNode.name() + " (gannet monitor --drops)" : "; no drop reported")));
        return out;
    }

    private static String ask(Path labDir, LabState.Pod from, String address, int port) {
        return NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", from.namespace(), "python3",
                labDir.resolve("ask.py").toString(), address, Integer.toString(port)).trim();
    }
}
