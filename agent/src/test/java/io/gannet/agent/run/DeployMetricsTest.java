package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files in {@code deploy/} against the real thing: the daemon ({@code gannet run}
 * with BFD, peered with a BIRD switch rendered from the same profile) exports every metric the
 * alert rules and the Grafana dashboards query, and a real Prometheus server started with
 * {@code deploy/prometheus/prometheus.yml} and {@code gannet-rules.yml} scrapes it, loads the
 * rules healthy and sees the session up.
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
    /** Metric names as the files write them; {@code up} is Prometheus's own. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:gannet|bird|jvm|process)_[a-z0-9_]+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEPLOY = Path.of(System.getenv().getOrDefault("GANNET_REPO", "..")).resolve("deploy");

    DeployMetricsTest() {
        super("dmn", "dm-node", "10.255.11.1/30", "dms", "dm-sw", "10.255.11.2/30", "curl");
    }

    @Test
    void everyMetricTheRulesAndDashboardsQueryIsExportedAndARealPrometheusScrapesIt() throws Exception {
        Requirements.requireCommand("prometheus");
        Files.writeString(profile, PROFILE);
        String conf = GannetProcess.render(profile, "sw1", "bird")
                .replace("export none;", "export where proto = \"dm_static\";")
                + "\nprotocol static dm_static { ipv4; route 203.0.113.0/24 blackhole; }\n";
        bird = BirdSwitch.start(swNs, dir, conf);
        gannet = GannetProcess.start(nodeNs, dir, profile, "node1", "--metrics", "127.0.0.1:9324");
        awaitTrue("BGP Established", () -> gannet.established("sw1"), 45);
        awaitTrue("BFD Up in the metrics", () -> metrics().matches("(?s).*gannet_bfd_session_up\\{[^}]*} 1.*"), 30);
        // The switch resets the session once, so the last-error series exist (the node dashboard shows them).
        bird.birdc("restart", "host_node1");
        awaitTrue("last error in the metrics", () -> metrics().contains("gannet_bgp_peer_last_error_timestamp_seconds{"), 30);
        awaitTrue("BGP Established again", () -> gannet.established("sw1"), 45);

        Set<String> exported = exportedNames(metrics());
        Set<String> queried = new TreeSet<>();
        List<Path> files = new ArrayList<>(List.of(DEPLOY.resolve("prometheus/gannet-rules.yml")));
        try (Stream<Path> s = Files.list(DEPLOY.resolve("grafana"))) {
            s.filter(p -> p.toString().endsWith(".json")).forEach(files::add);
        }
        for (Path f : files) {
            Matcher m = METRIC.matcher(Files.readString(f));
            while (m.find()) {
                queried.add(m.group(1));
            }
        }
        assertThat(queried).hasSizeGreaterThan(15);
        List<String> missing = queried.stream().filter(n -> !exported.contains(n)).toList();
        assertThat(missing).as("metrics the deploy files query that the daemon does not export").isEmpty();

        // A real Prometheus with the shipped configuration and rules, in the node's namespace.
        Path prom = dir.resolve("prometheus");
        Files.createDirectories(prom);
        Files.writeString(prom.resolve("prometheus.yml"), Files.readString(DEPLOY.resolve("prometheus/prometheus.yml"))
                .replace("refresh_interval: 1m", "refresh_interval: 5s").replace("scrape_interval: 10s", "scrape_interval: 1s")
                .replace("scrape_timeout: 5s", "scrape_timeout: 1s"));
        Files.copy(DEPLOY.resolve("prometheus/gannet-rules.yml"), prom.resolve("gannet-rules.yml"));
        Files.writeString(prom.resolve("gannet-targets.json"),
                "[{\"targets\": [\"127.0.0.1:9324\"], \"labels\": {\"node\": \"node1\", \"role\": \"node\"}}]\n");
        Process server = new ProcessBuilder(nodeNs.inside("prometheus", "--config.file=" + prom.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + prom.resolve("data"), "--web.listen-address=127.0.0.1:19090"))
                .redirectErrorStream(true).redirectOutput(prom.resolve("prometheus.log").toFile()).start();
        try {
            awaitTrue("Prometheus scraped the daemon", () -> "1".equals(promValue("up{job=\"gannet\",node=\"node1\"}")), 45);
            awaitTrue("Prometheus sees the session Established",
                    () -> "1".equals(promValue("gannet_bgp_peer_up{peer=\"sw1\"}")), 20);
            JsonNode rules = promApi("/api/v1/rules");
            List<String> groups = new ArrayList<>();
            for (JsonNode g : rules.path("data").path("groups")) {
                groups.add(g.path("name").asText());
                for (JsonNode r : g.path("rules")) {
                    assertThat(r.path("health").asText()).as(r.path("name").asText()).isIn("ok", "unknown");
                }
            }
            assertThat(groups).containsExactlyInAnyOrder("gannet-bgp", "gannet-bfd");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    /** The series names in a text exposition: sample names, with their _total/_bucket forms. */
    private static Set<String> exportedNames(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    private String promValue(String query) {
        JsonNode r = promApi("/api/v1/query?query=" + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8));
        JsonNode result = r.path("data").path("result");
        return result.size() == 1 ? result.get(0).path("value").path(1).asText() : "";
    }

    private JsonNode promApi(String path) {
        String body = NetworkNamespace.Shell.runQuietly(
                nodeNs.inside("curl", "-s", "http://127.0.0.1:19090" + path).toArray(String[]::new));
        try {
            return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private String metrics() {
        return NetworkNamespace.Shell.runQuietly(nodeNs.inside("curl", "-s", "http://127.0.0.1:9324/metrics").toArray(String[]::new));
    }

    private void awaitTrue(String what, BooleanSupplier condition, int seconds) throws Exception {
        gannet.awaitTrue(what, condition, Duration.ofSeconds(seconds), Duration.ofMillis(200), bird::diagnostics);
    }
}
