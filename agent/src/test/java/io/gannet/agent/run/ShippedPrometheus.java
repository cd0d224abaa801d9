package io.gannet.agent.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's) with the shipped {@code deploy/prometheus} configuration and
 * rules, scraping every second, run for a test inside a network namespace on
 * 127.0.0.1:19090; its targets are the file discovery list the test gives. Its API is asked
 * with curl inside that namespace.
 */
public final class ShippedPrometheus implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String netns;
    private final Path dir;
    private final Process server;

    private ShippedPrometheus(String netns, Path dir, Process server) {
        this.netns = netns;
        this.dir = dir;
        this.server = server;
    }

    /** Starts it in {@code netns} with its files and data under {@code dir}; {@code targetsJson} is gannet-targets.json. */
    public static ShippedPrometheus start(String netns, Path dir, String targetsJson) throws IOException {
        Requirements.requireCommand("prometheus");
        Requirements.requireCommand("curl");
        Path deploy = DeployFiles.DEPLOY.resolve("prometheus");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("prometheus.yml"), Files.readString(deploy.resolve("prometheus.yml"))
                .replace("refresh_interval: 1m", "refresh_interval: 5s").replace("scrape_interval: 10s", "scrape_interval: 1s")
                .replace("scrape_timeout: 5s", "scrape_timeout: 1s"));
        Files.copy(deploy.resolve("gannet-rules.yml"), dir.resolve("gannet-rules.yml"));
        Files.writeString(dir.resolve("gannet-targets.json"), targetsJson);
        Process server = new ProcessBuilder("ip", "netns", "exec", netns, "prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:19090")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        return new ShippedPrometheus(netns, dir, server);
    }

    /** GET {@code path} (with its query string) of its HTTP API; an empty object when it does not answer. */
    public JsonNode api(String path) {
        String body = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", netns, "curl", "-s", "http://127.0.0.1:19090" + path);
        try {
            return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** The value of a PromQL query with one series in its result, else "". */
    public String value(String query) {
        JsonNode result = api("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).path("data").path("result");
        return result.size() == 1 ? result.get(0).path("value").path(1).asText() : "";
    }

    public Path log() {
        return dir.resolve("prometheus.log");
    }

    @Override
    public void close() throws InterruptedException {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
    }
}
