package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files in {@code deploy/} against the real thing: the daemon ({@code gannet run}
 * with BFD, IPAM, the pod datapath and masquerade, peered with a BIRD switch rendered from the
 * same profile) exports every metric the alert rules and the Grafana dashboards query (the L4LB
 * names: {@link L4lbEcmpTest}), and a real Prometheus server started with
 * {@code deploy/prometheus/prometheus.yml} and {@code gannet-rules.yml} scrapes it, loads the
 * rules healthy, accepts every dashboard query and sees the session up.
 */
class DeployMetricsTest extends DaemonAgainstBird {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: deploy-metrics
            spec:
              model: ebgp-leaf
              asn:
                scheme: per-node
                base: 4200000001
              podCIDRPool:
                cidr: 10.244.0.0/16
                prefixLength: 24
              bgp:
                holdTime: 9
                connectRetry: 1
              masquerade: {enabled: true}
              bfd:
                enabled: true
                minTxMs: 100
                minRxMs: 100
                multiplier: 3
              inventory:
                switches:
                  - {name: sw1, addresses: [10.255.11.2], asn: 4200000100}
                hosts:
                  - {name: node1, address: 10.255.11.1, podCIDR: 10.244.11.0/24}
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEPLOY = DeployFiles.DEPLOY;

    private Path pinRoot;

    DeployMetricsTest() {
        super("dmn", "dm-node", "10.255.11.1/30", "dms", "dm-sw", "10.255.11.2/30", "curl");
    }

    /** The daemon first (it holds the datapath), then the pins it left. */
    @AfterEach
    void removePins() throws Exception {
        if (gannet != null) {
            gannet.close();
            gannet = null;
        }
        if (pinRoot != null) {
            io.gannet.bpf.Datapath.removePins(pinRoot);
        }
    }

    @Test
    void everyMetricTheRulesAndDashboardsQueryIsExportedAndARealPrometheusScrapesIt() throws Exception {
        Requirements.requireCommand("prometheus");
        Files.writeString(profile, PROFILE);
        String conf = GannetProcess.render(profile, "sw1", "bird")
                .replace("export none;", "export where proto = \"dm_static\";")
                + "\nprotocol static dm_static { ipv4; route 203.0.113.0/24 blackhole; }\n";
        bird = BirdSwitch.start(swNs, dir, conf);
        // A node with its pod datapath (Service and policy directories, masquerade on its uplink),
        // so its IPAM, datapath, policy and masquerade metrics are exported too; the L4LB names are checked by
        // L4lbEcmpTest, which runs L4LB hosts.
        Requirements.requireBpf();
        Path services = Files.createDirectories(dir.resolve("services"));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        pinRoot = Path.of("/sys/fs/bpf/gannet-deploy-metrics-" + ProcessHandle.current().pid());
        gannet = GannetProcess.startKeepingMounts(nodeNs, dir, profile, "node1", "--metrics", "127.0.0.1:9324",
                "--services-dir", services.toString(), "--policy-dir", policies.toString(), "--host-device", "dm-node",
                "--bpf-pin-root", pinRoot.toString());
        awaitTrue("BGP Established", () -> gannet.established("sw1"), 45);
        awaitTrue("BFD Up in the metrics", () -> metrics().matches("(?s).*gannet_bfd_session_up\\{[^}]*} 1.*"), 30);
        // The switch resets the session once, so the last-error series exist (the node dashboard shows them).
        bird.birdc("restart", "host_node1");
        awaitTrue("last error in the metrics", () -> metrics().contains("gannet_bgp_peer_last_error_timestamp_seconds{"), 30);
        awaitTrue("BGP Established again", () -> gannet.established("sw1"), 45);

        awaitTrue("masquerade measured", () -> metrics().contains("gannet_masquerade_table_fill_ratio{family=\"ipv4\"} "), 30);
        Set<String> exported = DeployFiles.exportedNames(metrics());
        Set<String> queried = new TreeSet<>(DeployFiles.queriedMetrics());
        queried.removeAll(DeployFiles.queriedMetrics("gannet_l4lb_"));
        assertThat(queried).hasSizeGreaterThan(15);
        List<String> missing = queried.stream().filter(n -> !exported.contains(n)).toList();
        assertThat(missing).as("metrics the deploy files query that the daemon does not export").isEmpty();

        // A real Prometheus with the shipped configuration and rules, in the node's namespace.
        try (ShippedPrometheus prometheus = ShippedPrometheus.start(nodeNs.name(), dir.resolve("prometheus"),
                "[{\"targets\": [\"127.0.0.1:9324\"], \"labels\": {\"node\": \"node1\", \"role\": \"node\"}}]\n")) {
            awaitTrue("Prometheus scraped the daemon", () -> "1".equals(prometheus.value("up{job=\"gannet\",node=\"node1\"}")), 45);
            awaitTrue("Prometheus sees the session Established",
                    () -> "1".equals(prometheus.value("gannet_bgp_peer_up{peer=\"sw1\"}")), 20);
            JsonNode rules = prometheus.api("/api/v1/rules");
            List<String> groups = new ArrayList<>();
            for (JsonNode g : rules.path("data").path("groups")) {
                groups.add(g.path("name").asText());
                for (JsonNode r : g.path("rules")) {
                    assertThat(r.path("health").asText()).as(r.path("name").asText()).isIn("ok", "unknown");
                }
            }
            assertThat(groups).containsExactlyInAnyOrder("gannet-bgp", "gannet-bfd", "gannet-datapath", "gannet-ipam", "gannet-l4lb");
            // Every dashboard query is PromQL this Prometheus accepts, with the host variable filled in.
            int queries = 0;
            for (String board : List.of("node.json", "fabric-overview.json", "top-nodes.json")) {
                for (JsonNode expr : JSON.readTree(DEPLOY.resolve("grafana").resolve(board).toFile()).findValues("expr")) {
                    String q = expr.asText().replace("$instance", "127.0.0.1:9324").replace("$n", "5");
                    JsonNode answer = prometheus.api("/api/v1/query?query=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8));
                    assertThat(answer.path("status").asText()).as(board + ": " + q + "\n" + answer).isEqualTo("success");
                    queries++;
                }
            }
            assertThat(queries).isGreaterThan(30);
            assertThat(prometheus.value("gannet_ipam_addresses{block=\"10.244.11.0/24\"}")).isEqualTo("253");
        }
    }

    private String metrics() {
        return NetworkNamespace.Shell.runQuietly(nodeNs.inside("curl", "-s", "http://127.0.0.1:9324/metrics").toArray(String[]::new));
    }

    private void awaitTrue(String what, BooleanSupplier condition, int seconds) throws Exception {
        gannet.awaitTrue(what, condition, Duration.ofSeconds(seconds), Duration.ofMillis(200), bird::diagnostics);
    }
}
