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
    static final String PROFILE = """
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

    static String service(String name, String clusterIp, String... backends) {
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
                "--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString(), "--conntrack-max", "131072");

        JsonNode rows = await(r -> r.size() == 1 && r.get(0).path("backends").asInt() == 2);
        // the conntrack table as asked (default: sized from the node's memory)
        try (io.gannet.bpf.libbpf.BpfMap ct = io.gannet.bpf.libbpf.BpfMap.openPinnedAsIs(
                io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve("dp_ct4").toString())) {
            assertThat(ct.maxEntries()).isEqualTo(131072);
        }
        assertThat(gannet.log()).contains("conntrack table of 131072 entries");
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

    @Test
    void reportsWhatIsNotDoneAndKeepsPinnedServicesWhenAFileIsBrokenAtStart() throws Exception {
        Requirements.requireBpf();
        pinRoot = Path.of("/sys/fs/bpf/gannet-agent-test2-" + ProcessHandle.current().pid());
        Path services = Files.createDirectories(dir.resolve("services"));
        Files.writeString(dir.resolve("profile.yaml"), PROFILE.formatted(freeTcpPort(), freeTcpPort()));
        // kubectl get -o yaml writes a List; one Service asks for things the datapath does not do yet.
        String web = service("web", "10.96.0.10", "10.2.0.7");
        StringBuilder list = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
        for (String doc : web.split("---\n")) {
            list.append("- ").append(doc.strip().replace("\n", "\n  ")).append("\n");
        }
        Files.writeString(services.resolve("web.yaml"), list.toString());
        Files.writeString(services.resolve("sticky.yaml"), service("sticky", "10.96.0.12", "10.2.0.8")
                .replace("  type: ClusterIP\n", "  type: ClusterIP\n  sessionAffinity: ClientIP\n  frobnicate: 1\n")
                .replace("  - {name: http, protocol: TCP, port: 80, targetPort: 8080}\n",
                        "  - {name: http, protocol: TCP, port: 80, targetPort: 8080}\n  - {name: sig, protocol: SCTP, port: 9}\n"));
        String[] args = {"--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString()};
        gannet = GannetProcess.start(null, dir, dir.resolve("profile.yaml"), "node1", args);

        JsonNode rows = await(r -> r.size() == 2 && backendsOf(r, "web") == 1 && backendsOf(r, "sticky") == 1);
        JsonNode sticky = rowOf(rows, "sticky");
        assertThat(sticky.path("affinity").asText()).isEqualTo("ClientIP 10800s");
        assertThat(sticky.path("notDone").toString())
                .contains("spec.frobnicate: unknown field")
                .contains("SCTP refused");
        assertThat(rowOf(rows, "web").path("notDone")).isEmpty();
        // Logged once, not on every reload.
        Files.writeString(services.resolve("web.yaml"), list.toString().replace("10.2.0.7", "10.2.0.9"));
        await(r -> rowOf(r, "web").path("backendAddresses").toString().contains("10.2.0.9"));
        assertThat(gannet.log().split("spec.frobnicate: unknown field", -1)).hasSize(2);

        // Restart with web.yaml broken: the pinned maps keep serving it; the error names file:line:column.
        gannet.close();
        gannet = null;
        Files.writeString(services.resolve("web.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: 10.96.0.300\n");
        gannet = GannetProcess.start(null, dir, dir.resolve("profile.yaml"), "node1", args);
        rows = await(r -> r.size() == 2 && backendsOf(r, "sticky") == 1);
        assertThat(rowOf(rows, "10.96.0.10").path("frontend").asText()).isEqualTo("10.96.0.10:80/TCP");
        assertThat(rowOf(rows, "10.96.0.10").path("backends").asInt()).isEqualTo(1);
        assertThat(gannet.log()).contains(services.resolve("web.yaml") + ":5:3: ").contains("10.96.0.300");

        // Fixed: the Service is named again; removed from the file: it goes.
        Files.writeString(services.resolve("web.yaml"), "# nothing\n");
        await(r -> r.size() == 1 && backendsOf(r, "sticky") == 1);
    }

    @Test
    void healthCheckNodePortAnswersAsKubeProxy() throws Exception {
        Requirements.requireBpf();
        Requirements.requireNetns();
        Requirements.requireCommand("curl");
        // `ip netns exec` mounts a fresh /sys, hiding /sys/fs/bpf: the daemon in the namespace gets a
        // bpffs of its own, mounted by this test in a temporary directory (and unmounted at the end).
        Path bpffs = Files.createDirectories(dir.resolve("bpffs"));
        io.gannet.linux.NetworkNamespace.Shell.run("mount", "-t", "bpf", "bpf", bpffs.toString());
        try {
            healthCheckIn(bpffs);
        } finally {
            if (gannet != null) {
                gannet.close();
                gannet = null;
            }
            Datapath.removePins(bpffs.resolve("gannet"));
            pinRoot = null;
            io.gannet.linux.NetworkNamespace.Shell.run("umount", bpffs.toString());
        }
    }

    private void healthCheckIn(Path bpffs) throws Exception {
        pinRoot = bpffs.resolve("gannet");
        Path services = Files.createDirectories(dir.resolve("services"));
        Files.writeString(dir.resolve("profile.yaml"), PROFILE.formatted(freeTcpPort(), freeTcpPort()));
        String lb = """
                apiVersion: v1
                kind: Service
                metadata: {name: lb, namespace: shop}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.0.30
                  externalTrafficPolicy: Local
                  healthCheckNodePort: 32101
                  ports: [{name: http, protocol: TCP, port: 80, nodePort: 31080}]
                status: {loadBalancer: {ingress: [{ip: 192.0.2.50}]}}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: lb-1, namespace: shop, labels: {kubernetes.io/service-name: lb}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints:
                - {addresses: [10.2.0.1], nodeName: node1, conditions: {ready: %s}}
                - {addresses: [10.2.0.2], nodeName: node2}
                """;
        Files.writeString(services.resolve("lb.yaml"), lb.formatted("true"));
        // In a namespace of its own: the health check listens on every address, as kube-proxy's does.
        try (io.gannet.linux.NetworkNamespace ns = io.gannet.linux.NetworkNamespace.create("gsvc")) {
            gannet = GannetProcess.start(ns, dir, dir.resolve("profile.yaml"), "node1",
                    "--services-dir", services.toString(), "--bpf-pin-root", pinRoot.toString());
            JsonNode rows = await(r -> rowOf(r, "192.0.2.50").path("backends").asInt() == 1);
            assertThat(rowOf(rows, "192.0.2.50").path("backendAddresses").toString())
                    .as("externalTrafficPolicy Local: only node1's endpoint").contains("10.2.0.1").doesNotContain("10.2.0.2");
            assertThat(rowOf(rows, "10.96.0.30").path("backends").asInt()).as("clusterIP: every endpoint").isEqualTo(2);
            String ok = curl(ns, 32101);
            assertThat(ok).startsWith("200 ").contains("\"localEndpoints\":1").contains("\"namespace\":\"shop\"")
                    .contains("\"name\":\"lb\"").contains("\"serviceProxyHealthy\":true");

            Files.writeString(services.resolve("lb.yaml"), lb.formatted("false"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String down = curl(ns, 32101);
            while (!down.startsWith("503 ") && System.nanoTime() < deadline) {
                Thread.sleep(250);
                down = curl(ns, 32101);
            }
            assertThat(down).startsWith("503 ").contains("\"localEndpoints\":0");
            gannet.close();
            gannet = null;
        }
    }

    private static String curl(io.gannet.linux.NetworkNamespace ns, int port) throws Exception {
        for (int i = 0; i < 100; i++) {
            Process p = ns.start("curl", "-s", "-o", "/dev/stdout", "-w", " %{http_code}", "http://127.0.0.1:" + port + "/healthz");
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0) {
                int sp = out.lastIndexOf(' ');
                return out.substring(sp + 1) + " " + out.substring(0, sp);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("nothing listens on " + port);
    }

    private static JsonNode rowOf(JsonNode rows, String text) {
        for (JsonNode r : rows) {
            if (r.path("name").asText().contains(text) || r.path("frontend").asText().startsWith(text)) {
                return r;
            }
        }
        throw new AssertionError("no row for " + text + " in " + rows);
    }

    static int backendsOf(JsonNode rows, String name) {
        for (JsonNode r : rows) {
            if (r.path("name").asText().contains(name)) {
                return r.path("backends").asInt();
            }
        }
        return -1;
    }

    private JsonNode await(Predicate<JsonNode> condition) throws Exception {
        return awaitServices(gannet, condition);
    }

    private JsonNode servicesJson() throws IOException {
        return servicesJson(gannet);
    }

    /** {@code gannet show services --json} until {@code condition} holds (60 s at most). */
    static JsonNode awaitServices(GannetProcess gannet, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = servicesJson(gannet);
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

    static JsonNode servicesJson(GannetProcess gannet) throws IOException {
        JsonNode root = new ObjectMapper().readTree(gannet.cli("show", "services", "--json"));
        JsonNode rows = root.isArray() ? root : root.path("services");
        if (!rows.isArray()) {
            throw new IOException("no services yet: " + root);
        }
        return rows;
    }
}
