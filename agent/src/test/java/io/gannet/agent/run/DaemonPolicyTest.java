package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's enforcement, end to end: one node, {@code gannet run --cni-socket ... --policy-dir
 * DIR}, pods created by running the built CNI plugin with the K8S_POD_NAMESPACE / K8S_POD_NAME
 * a runtime passes, their labels from Pod objects in the policy directory, and the
 * protected-db CiliumNetworkPolicy exactly as the issue writes it. Connections are real TCP
 * (bash's /dev/tcp against a listener in the db pod); drops are read back with
 * {@code gannet monitor --drops}, {@code gannet show policy} and /metrics.
 */
class DaemonPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata: {name: policy-e2e}
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: sw1, addresses: [127.0.0.2], port: 1791, asn: 4200000100}
                hosts:
                  - {name: node1, address: 127.0.0.1, port: 1790, podCIDR: 10.244.41.0/24}
            """;

    static final String PROTECTED_DB = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: protected-db-ingress}
            spec:
              endpointSelector: {matchLabels: {app: protected-db}}
              ingress:
              - fromEndpoints: [{matchLabels: {app: employee}}]
                toPorts: [{ports: [{port: "6379", protocol: TCP}]}]
            """;

    static final String PODS = """
            apiVersion: v1
            kind: Pod
            metadata: {namespace: default, name: db, labels: {app: protected-db}}
            spec:
              containers:
              - name: db
                ports: [{name: redis, containerPort: 6379}, {name: pg, containerPort: 5432, protocol: TCP}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: default, name: employee, labels: {app: employee}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {namespace: default, name: visitor, labels: {app: visitor}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: team-a, labels: {team: a}}
            """;

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();
    private GannetProcess daemon;

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void protectedDbNamespaceSelectorAndAMalformedFileThroughTheDaemon() throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("nsenter");
        Requirements.requireCommand("/usr/bin/python3");
        Requirements.requireCommand("curl");
        Path plugin = Path.of(System.getenv().getOrDefault("GANNET_REPO", ".."), "pod-routing", "target", "cni", "gannet");
        Requirements.require(Files.isExecutable(plugin), "needs the CNI plugin built at " + plugin + " (pod-routing build)");

        NetworkNamespace node = bed.ns("pol");
        // the node's own address (identity host): what it connects to its pods from
        node.exec("ip", "addr", "add", "10.210.0.1/32", "dev", "lo");
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, PROFILE);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("pods.yaml"), PODS);
        Files.writeString(policies.resolve("db-policy.yaml"), PROTECTED_DB);
        Path pinRoot = bed.pinRoot("policy-test");
        Path d = Files.createDirectories(dir.resolve("node1"));
        Path cniSocket = d.resolve("cni.sock");
        daemon = bed.daemon(GannetProcess.startKeepingMounts(node, d, profile, "node1", "--cni-socket", cniSocket.toString(),
                "--policy-dir", policies.toString(), "--bpf-pin-root", pinRoot.toString(), "--metrics", "127.0.0.1:9479"));
        daemon.awaitTrue("CNI socket", () -> Files.exists(cniSocket), daemon::log);

        NetworkNamespace dbNs = bed.ns("pdb");
        NetworkNamespace employeeNs = bed.ns("pem");
        NetworkNamespace visitorNs = bed.ns("pvi");
        NetworkNamespace teamANs = bed.ns("pta");
        String db = ip(cni(plugin, node, cniSocket, "ctr-db", dbNs, "default", "db"));
        String employee = ip(cni(plugin, node, cniSocket, "ctr-em", employeeNs, "default", "employee"));
        String visitor = ip(cni(plugin, node, cniSocket, "ctr-vi", visitorNs, "default", "visitor"));
        String teamA = ip(cni(plugin, node, cniSocket, "ctr-ta", teamANs, "team-a", "client"));
        bed.start(dbNs, "/usr/bin/python3", "-c", """
                import socket, threading
                def serve(port):
                    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("0.0.0.0", port)); s.listen(64)
                    while True:
                        c, _ = s.accept(); c.close()
                for p in (6379, 6380, 5432):
                    threading.Thread(target=serve, args=(p,), daemon=True).start()
                threading.Event().wait()
                """);
        daemon.awaitTrue("db listens", () -> connects(employeeNs, db, 6379) || connects(node, db, 6380), daemon::log);

        // The protected-db policy, as the issue writes it.
        assertThat(connects(employeeNs, db, 6379)).as("employee -> db:6379").isTrue();
        assertThat(connects(visitorNs, db, 6379)).as(() -> "visitor -> db:6379\n" + daemon.cliResult("show", "policy").out()
                + daemon.log()).isFalse();
        assertThat(connects(employeeNs, db, 6380)).as("employee -> db:6380").isFalse();
        assertThat(connects(node, db, 6380)).as("the node itself (identity host) -> db:6380").isTrue();

        GannetProcess.CliResult mon = daemon.cliResult("monitor", "--drops", "--from-start", "--count", "1", "--json");
        assertThat(mon.exit()).as(mon.err()).isZero();
        JsonNode drop = JSON.readTree(mon.out().lines().findFirst().orElseThrow());
        assertThat(drop.path("source").asText()).startsWith(visitor + ":");
        assertThat(drop.path("destination").asText()).isEqualTo(db + ":6379");
        assertThat(drop.path("identity").asText()).contains("app=visitor");
        assertThat(drop.path("endpoint").asText()).isEqualTo("default/db");
        assertThat(drop.path("reason").asText()).isEqualTo("drop_default_deny");
        GannetProcess.CliResult text = daemon.cliResult("monitor", "--drops", "--from-start", "--count", "1");
        assertThat(text.out()).contains("DROP drop_default_deny TCP " + visitor).contains("-> " + db + ":6379 (default/db)");

        String metrics = node.exec("curl", "-sf", "http://127.0.0.1:9479/metrics");
        assertThat(metrics).containsPattern("gannet_policy_packets_total\\{direction=\"ingress\",reason=\"drop_default_deny\",?\\} [1-9]");

        GannetProcess.CliResult show = daemon.cliResult("show", "policy", "db", "--json");
        assertThat(show.exit()).as(show.err()).isZero();
        JsonNode shown = JSON.readTree(show.out());
        JsonNode ep = shown.path("endpoints").get(0);
        assertThat(ep.path("endpoint").asText()).isEqualTo("default/db");
        assertThat(ep.path("selectedBy").toString()).contains("CiliumNetworkPolicy:default/protected-db-ingress");
        assertThat(ep.path("entries").toString()).contains("\"ports\":\"6379\"").contains("app=employee");
        assertThat(daemon.cliResult("show", "policy").out()).contains("endpoint default/db").contains("selected by:");

        // ICMP: the policy allows TCP 6379 only, so the employee's ping is dropped (default deny)
        // and reported; the node's ping passes (identity host); the db pod's own ping gets its reply.
        assertThat(pings(employeeNs, db)).as("employee pings db: only TCP 6379 is allowed").isFalse();
        assertThat(pings(node, db)).as("the node pings db").isTrue();
        assertThat(pings(dbNs, employee)).as("db pings employee: the reply passes (conntrack)").isTrue();
        daemon.awaitTrue("the ping's drop is reported", () -> drops(daemon).stream()
                .anyMatch(d2 -> d2.path("protocol").asText().equals("ICMP type 8")), daemon::log);
        JsonNode pingDrop = drops(daemon).stream().filter(d2 -> d2.path("protocol").asText().equals("ICMP type 8"))
                .findFirst().orElseThrow();
        assertThat(pingDrop.path("source").asText()).isEqualTo(employee);
        assertThat(pingDrop.path("destination").asText()).isEqualTo(db);
        assertThat(pingDrop.path("identity").asText()).contains("app=employee");
        // CiliumNetworkPolicy icmps: the employee may ping db, the visitor still may not.
        Files.writeString(policies.resolve("ping.yaml"), """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: db-ping}
                spec:
                  endpointSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: employee}}]
                    icmps: [{fields: [{type: EchoRequest, family: IPv4}]}]
                """);
        daemon.awaitTrue("employee pings db", () -> pings(employeeNs, db), daemon::log);
        assertThat(pings(visitorNs, db)).as("visitor pings db").isFalse();
        assertThat(connects(employeeNs, db, 6380)).as("icmps open no port").isFalse();
        assertThat(daemon.cliResult("show", "policy", "db", "--json").out()).contains("\"protocol\":\"ICMP\",\"ports\":\"type 8\"");

        // Egress: a NetworkPolicy lets the employee out to db:6379 only. Its ping to the visitor
        // (no ingress policy there) is then dropped on the way out, and so is its ping to the node
        // (no implicit allow on egress); replies to pings it receives still leave.
        assertThat(pings(employeeNs, visitor)).as("employee pings visitor, before").isTrue();
        Files.writeString(policies.resolve("employee-egress.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: employee-egress, namespace: default}
                spec:
                  podSelector: {matchLabels: {app: employee}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{podSelector: {matchLabels: {app: protected-db}}}]
                    ports: [{protocol: TCP, port: redis}]   # the destination's named port
                """);
        daemon.awaitTrue("the employee's egress is enforced", () -> !pings(employeeNs, visitor), daemon::log);
        assertThat(connects(employeeNs, db, 6379)).as("employee -> db:6379, allowed both ways").isTrue();
        assertThat(pings(employeeNs, "10.210.0.1")).as("employee pings the node").isFalse();
        assertThat(pings(visitorNs, employee)).as("visitor pings employee: the reply leaves").isTrue();
        daemon.awaitTrue("the egress drop is reported", () -> drops(daemon).stream()
                .anyMatch(d2 -> d2.path("direction").asText().equals("egress")), daemon::log);
        JsonNode egressDrop = drops(daemon).stream().filter(d2 -> d2.path("direction").asText().equals("egress")).findFirst().orElseThrow();
        assertThat(egressDrop.path("reason").asText()).isEqualTo("egress_drop_default_deny");
        assertThat(egressDrop.path("source").asText()).isEqualTo(employee);
        assertThat(egressDrop.path("destination").asText()).isEqualTo(visitor);
        assertThat(egressDrop.path("identity").asText()).as("the destination's").contains("app=visitor");
        assertThat(egressDrop.path("endpoint").asText()).isEqualTo("default/employee");
        assertThat(daemon.cliResult("monitor", "--drops", "--from-start", "--count", Integer.toString(drops(daemon).size())).out())
                .contains("DROP egress_drop_default_deny ICMP type 8 " + employee + " (default/employee) -> " + visitor + " (identity");
        JsonNode emp = JSON.readTree(daemon.cliResult("show", "policy", "employee", "--json").out()).path("endpoints").get(0);
        assertThat(emp.path("egressEnforced").asBoolean()).isTrue();
        assertThat(emp.path("enforced").asBoolean()).as("ingress stays open").isFalse();
        assertThat(emp.path("egressEntries").toString()).contains("\"to\":").contains("app=protected-db").contains("\"ports\":\"6379\"");
        assertThat(daemon.cliResult("show", "policy", "employee").out()).contains("egress: default deny").contains("selected for egress by:");
        String egressMetrics = node.exec("curl", "-sf", "http://127.0.0.1:9479/metrics");
        assertThat(egressMetrics).containsPattern("gannet_policy_packets_total\\{direction=\"egress\",reason=\"drop_default_deny\",?\\} [1-9]")
                .containsPattern("gannet_policy_packets_total\\{direction=\"egress\",reason=\"allowed\",?\\} [1-9]");
        Files.delete(policies.resolve("employee-egress.yaml"));
        daemon.awaitTrue("the employee's egress is open again", () -> pings(employeeNs, visitor), daemon::log);

        // A NetworkPolicy with a namespaceSelector: pods of namespaces labelled team=a reach 5432.
        Files.writeString(policies.resolve("np.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: db-from-team-a, namespace: default}
                spec:
                  podSelector: {matchLabels: {app: protected-db}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {team: a}}}]
                    ports: [{protocol: TCP, port: pg}]   # the pod's own named port
                """);
        daemon.awaitTrue("team-a reaches db:5432", () -> connects(teamANs, db, 5432), daemon::log);
        assertThat(connects(visitorNs, db, 5432)).as("visitor -> db:5432").isFalse();
        assertThat(connects(teamANs, db, 6379)).as("team-a -> db:6379").isFalse();

        // A malformed file: the previous policy stays (fail closed) and show policy says so.
        Files.writeString(policies.resolve("db-policy.yaml"), PROTECTED_DB.replace("{app: employee}", "{app: visitor}")
                .replace("ingress:", "ingress: [unclosed"));
        daemon.awaitTrue("show policy reports the file", () -> daemon.cliResult("show", "policy", "--json").out()
                .contains("previous valid version stays in force"), daemon::log);
        assertThat(daemon.cliResult("show", "policy").out()).contains("previous valid version stays in force")
                .containsPattern("db-policy.yaml:\\d+:\\d+");
        assertThat(connects(visitorNs, db, 6379)).as("visitor still dropped").isFalse();
        assertThat(connects(employeeNs, db, 6379)).as("employee still allowed").isTrue();
        assertThat(daemon.log()).contains("db-policy.yaml:").contains("fail closed");

        // An egress policy across the restart, and while no daemon runs at all: the visitor may
        // only reach db (its pings to team-a are dropped on the way out; team-a's pings to it are
        // answered, the replies pass through conntrack).
        Files.writeString(policies.resolve("visitor-egress.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: visitor-egress, namespace: default}
                spec:
                  podSelector: {matchLabels: {app: visitor}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{podSelector: {matchLabels: {app: protected-db}}}]
                """);
        daemon.awaitTrue("the visitor's egress is enforced", () -> !pings(visitorNs, teamA), daemon::log);
        assertThat(pings(teamANs, visitor)).as("team-a pings visitor: the reply leaves").isTrue();

        // A restart while the file is still broken: the kept copy of its last valid version holds.
        assertThat(daemon.terminate(java.time.Duration.ofSeconds(20))).isTrue();
        assertThat(pings(visitorNs, teamA)).as("no daemon: the visitor's egress is still enforced").isFalse();
        assertThat(pings(teamANs, visitor)).as("no daemon: replies still leave").isTrue();
        daemon = bed.daemon(GannetProcess.startKeepingMounts(node, d, profile, "node1", "--cni-socket", cniSocket.toString(),
                "--policy-dir", policies.toString(), "--bpf-pin-root", pinRoot.toString(), "--metrics", "127.0.0.1:9479"));
        GannetProcess restarted = daemon;
        restarted.awaitTrue("restarted daemon reports the file", () -> restarted.cliResult("show", "policy", "--json").out()
                .contains("previous valid version stays in force"), restarted::log);
        assertThat(restarted.cliResult("show", "policy", "db", "--json").out()).contains("protected-db-ingress");
        assertThat(connects(visitorNs, db, 6379)).as("visitor dropped after the restart").isFalse();
        assertThat(connects(employeeNs, db, 6379)).as("employee allowed after the restart").isTrue();
        assertThat(connects(teamANs, db, 5432)).as("team-a allowed after the restart").isTrue();
        assertThat(pings(visitorNs, teamA)).as("the visitor's egress after the restart").isFalse();
        assertThat(pings(teamANs, visitor)).as("replies after the restart").isTrue();
        assertThat(restarted.cliResult("show", "policy", "visitor", "--json").out()).contains("\"egressEnforced\":true");

        // DEL: the pod's entries go with it.
        cniRaw(plugin, node, cniSocket, "DEL", "ctr-db", dbNs, "default", "db");
        daemon.awaitTrue("db gone from show policy", () -> !daemon.cliResult("show", "policy", "--json").out()
                .contains("\"endpoint\":\"default/db\""), daemon::log);
        assertThat(daemon.cliResult("show", "policy", "--json").out()).contains("\"endpoint\":\"default/visitor\"");
    }

    /** A TCP connection from {@code from} completes within 2 s. */
    private static boolean connects(NetworkNamespace from, String ip, int port) {
        try {
            Process p = new ProcessBuilder(from.inside("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + ip + "/" + port))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One ICMP echo request from {@code from} is answered within 1 s. */
    private static boolean pings(NetworkNamespace from, String ip) {
        try {
            Process p = new ProcessBuilder(from.inside("ping", "-n", "-q", "-c", "1", "-W", "1", ip)).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every drop the daemon holds, as /v1/drops answers (what gannet monitor --drops --json prints). */
    private static List<JsonNode> drops(GannetProcess daemon) {
        try {
            var r = new io.gannet.agent.cli.ControlClient(daemon.socket(), java.time.Duration.ofSeconds(5)).get("/v1/drops?after=0");
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(r.body()).path("drops").forEach(out::add);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ip(JsonNode add) {
        return add.path("ips").get(0).path("address").asText().replace("/32", "");
    }

    private JsonNode cni(Path plugin, NetworkNamespace node, Path socket, String id, NetworkNamespace pod, String podNs,
            String podName) throws Exception {
        return CniCall.add(plugin, node, socket, id, pod, CniCall.podArgs(podNs, podName));
    }

    private String cniRaw(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod,
            String podNs, String podName) throws IOException, InterruptedException {
        return CniCall.run(plugin, node, socket, command, id, pod, CniCall.podArgs(podNs, podName));
    }
}
