package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.bpf.Datapath;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gannet run --services-dir}: the real daemon process loads the eBPF datapath, programs
 * the Services found as Kubernetes YAML, follows changes, ignores a broken file without losing
 * what it programmed, and {@code gannet show services} lists them with backend counts.
 * Traffic through the datapath is covered by the bpf module's namespace tests.
 */
class DaemonServicesTest {
    private static final String PROFILE = """
            apiVersion: gannet.io/v1alpha1
            kind: TopologyProfile
            metadata:
              name: services
            spec:
              model: ebgp-leaf
              asn: {scheme: per-node, base: 4200000001}
              podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
              bfd: {enabled: false}
              inventory:
                switches:
                  - {name: sw1, addresses: [127.0.0.2], port: %d, asn: 4200000100}
                hosts:
                  - {name: node1, address: 127.0.0.1, port: %d, podCIDR: 10.244.9.0/24}
            """;

    private static String service(String name, String clusterIp, String... backends) {
        StringBuilder endpoints = new StringBuilder();
        for (String b : backends) {
            endpoints.append("- addresses: [\"").append(b).append("\"]\n  conditions: {ready: true}\n");
        }
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: shop}
                spec:
                  type: ClusterIP
                  clusterIP: %s
                  ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: 8080}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-1
                  namespace: shop
                  labels: {kubernetes.io/service-name: %s}
                addressType: IPv4
                ports:
                - {name: http, protocol: TCP, port: 8080}
                endpoints:
                %s""".formatted(name, clusterIp, name, name, endpoints.toString().indent(0));
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice). */
    static int freeTcpPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @TempDir
    Path dir;
    private GannetProcess gannet;
    private Path pinRoot;

    @AfterEach
    void tearDown() throws Exception {
        if (gannet != null) {
            gannet.close();
        }
        if (pinRoot != null) {
            Datapath.removePins(pinRoot);
        }
    }

    @Test
    void programsFollowsAndListsKubernetesServices() throws Exception {
        Requirements.requireBpf();
        pinRoot = Path.of("/sys/fs/bpf/gannet-agent-test-" + ProcessHandle.current().pid());
        Path services = Files.createDirectories(dir.resolve("services"));
        Files.writeString(services.resolve("web.yaml"), service("web", "10.96.0.10", "10.2.0.7", "10.2.0.8"));
        // In the root namespace: ports chosen per run, so parallel runs and other software never collide.
        Files.writeString(dir.resolve("profile.yaml"), PROFILE.formatted(freeTcpPort(), freeTcpPort()));
        // In the current namespace: the datapath needs no peer, only bpffs.
        gannet = GannetProcess.start(null, dir, dir.resolve("profile.yaml"), "node1",
                "--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString());

        JsonNode rows = await(r -> r.size() == 1 && r.get(0).path("backends").asInt() == 2);
        assertThat(rows.get(0).path("name").asText()).contains("web");
        assertThat(rows.get(0).path("frontend").asText()).isEqualTo("10.96.0.10:80/TCP");
        assertThat(pinRoot).isDirectory();

        // A new Service and a backend change are followed.
        Files.writeString(services.resolve("api.yaml"), service("api", "10.96.0.11", "10.2.0.9"));
        Files.writeString(services.resolve("web.yaml"), service("web", "10.96.0.10", "10.2.0.7", "10.2.0.8", "10.2.0.10"));
        await(r -> r.size() == 2 && backendsOf(r, "web") == 3 && backendsOf(r, "api") == 1);

        // A broken file is reported and ignored; what was programmed stays.
        Files.writeString(services.resolve("api.yaml"), "kind: Service\nspec: [this is: not valid");
        Thread.sleep(1500);
        JsonNode kept = servicesJson();
        assertThat(kept.size()).isEqualTo(2);
        assertThat(backendsOf(kept, "api")).isEqualTo(1);
        assertThat(gannet.log()).contains("api.yaml");

        // The human-readable table too.
        assertThat(gannet.cli("show", "services")).contains("10.96.0.10:80/TCP").contains("10.96.0.11:80/TCP");
    }

    private static int backendsOf(JsonNode rows, String name) {
        for (JsonNode r : rows) {
            if (r.path("name").asText().contains(name)) {
                return r.path("backends").asInt();
            }
        }
        return -1;
    }

    private JsonNode await(Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = servicesJson();
                if (condition.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("services never matched; last " + last + "\n--- log:\n" + gannet.log());
    }

    private JsonNode servicesJson() throws IOException {
        JsonNode root = new ObjectMapper().readTree(gannet.cli("show", "services", "--json"));
        JsonNode rows = root.isArray() ? root : root.path("services");
        if (!rows.isArray()) {
            throw new IOException("no services yet: " + root);
        }
        return rows;
    }
}
