package io.gannet.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files in {@code deploy/} checked by the real tools an operator would use: systemd's own
 * verifier for the unit, promtool for the Prometheus configuration, rules and rule unit tests,
 * docker-compose's schema check for the compose file, and the Kubernetes API types (fabric8's
 * model, read strictly: an unknown or mistyped field fails) for the DaemonSet manifest, plus the
 * references inside it that the API server would refuse. Metric names are checked against a
 * running daemon by {@code DeployMetricsTest}.
 */
class DeployFilesTest {
    private static final Path DEPLOY = repo().resolve("deploy");
    private static final ObjectMapper YAML = new YAMLMapper();

    @TempDir
    Path dir;

    @Test
    void systemdAcceptsTheUnitWithoutAWarning() throws Exception {
        Requirements.requireCommand("systemd-analyze");
        // verify checks that ExecStart exists: point it at this checkout's launcher.
        String unit = Files.readString(DEPLOY.resolve("systemd/gannet.service"))
                .replace("/opt/gannet/gannet", repo().resolve("gannet").toString())
                .replace("EnvironmentFile=/etc/gannet/gannet.env",
                        "EnvironmentFile=" + DEPLOY.resolve("systemd/gannet.env"));
        Path copy = dir.resolve("gannet.service");
        Files.writeString(copy, unit);
        Result r = run("systemd-analyze", "verify", copy.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).as("systemd-analyze verify prints nothing for a clean unit").isBlank();
        assertThat(unit).contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_BPF CAP_PERFMON CAP_NET_RAW CAP_NET_BIND_SERVICE")
                .contains("NoNewPrivileges=yes").contains("ProtectSystem=strict").contains("ExecReload=/bin/kill -HUP $MAINPID");
    }

    @Test
    void prometheusConfigRulesAndRuleTestsPassPromtool() throws Exception {
        Requirements.requireCommand("promtool");
        Path prom = DEPLOY.resolve("prometheus");
        for (List<String> cmd : List.of(
                List.of("promtool", "check", "config", prom.resolve("prometheus.yml").toString()),
                List.of("promtool", "check", "rules", prom.resolve("gannet-rules.yml").toString()),
                List.of("promtool", "test", "rules", prom.resolve("gannet-rules.test.yml").toString()))) {
            Result r = run(prom, cmd.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", cmd) + "\n" + r.output()).isZero();
            assertThat(r.output()).contains("SUCCESS").doesNotContain("FAILED");
        }
        // Every alert named in the issue that has a metric today has a rule and a unit test.
        String rules = Files.readString(prom.resolve("gannet-rules.yml"));
        String tests = Files.readString(prom.resolve("gannet-rules.test.yml"));
        for (String alert : List.of("GannetDaemonDown", "GannetBgpSessionDown", "GannetBgpSessionFlapping",
                "GannetNothingAdvertised", "GannetReceivedPrefixesDropped", "GannetBfdSessionDown", "GannetBfdFlapping",
                "GannetDatapathDropping", "GannetServiceWithoutBackends", "GannetSnatPortsExhausted", "GannetMasqueradeTableFilling",
                "GannetPodAddressesLow", "GannetPodAddressesExhausted", "GannetVipNotAnnounced", "GannetVipNoHealthyBackend",
                "GannetVipSingleHost", "GannetL4lbTablesDiverge")) {
            assertThat(rules).contains("alert: " + alert);
            assertThat(tests).contains("alertname: " + alert);
        }
    }

    @Test
    void composeFilePassesDockerComposeSchema() throws Exception {
        Requirements.requireCommand("docker-compose");
        Path compose = DEPLOY.resolve("compose/docker-compose.yml");
        Result ok = run(compose.getParent(), List.of("env", "GANNET_NODE=n1", "docker-compose", "-f", compose.toString(),
                "config", "-q").toArray(String[]::new));
        assertThat(ok.exit()).as(ok.output()).isZero();
        // The check is real: the same file with one unknown key is refused.
        Path broken = dir.resolve("docker-compose.yml");
        Files.writeString(broken, Files.readString(compose).replace("    restart: unless-stopped\n",
                "    restart: unless-stopped\n    restart_policy_typo: always\n"));
        Result bad = run(dir, "env", "GANNET_NODE=n1", "docker-compose", "-f", broken.toString(), "config", "-q");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.output()).contains("restart_policy_typo");
    }

    @Test
    void daemonSetManifestIsValidKubernetesApiObjects() throws Exception {
        List<String> problems = new ArrayList<>();
        DaemonSet ds = null;
        ConfigMap cm = null;
        try (var parser = new YAMLFactory().createParser(DEPLOY.resolve("kubernetes/gannet-daemonset.yaml").toFile())) {
            List<JsonNode> docs = YAML.readValues(parser, JsonNode.class).readAll();
            assertThat(docs).hasSize(6);
            for (JsonNode doc : docs) {
                Object o = strict(doc, problems);
                if (o instanceof DaemonSet d) ds = d;
                if (o instanceof ConfigMap c) cm = c;
            }
        }
        assertThat(problems).isEmpty();
        assertThat(ds).isNotNull();
        assertThat(cm).isNotNull();
        // What the API server checks beyond types: the selector selects the template, every
        // mount names a volume, every configMap volume names the ConfigMap that is shipped.
        assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        Set<String> volumes = pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        List<Container> containers = new ArrayList<>(pod.getContainers());
        containers.addAll(pod.getInitContainers());
        for (Container c : containers) {
            assertThat(c.getName()).isNotBlank();
            assertThat(c.getImage()).isNotBlank();
            for (VolumeMount m : c.getVolumeMounts()) {
                assertThat(volumes).as("volume of mount " + m.getMountPath() + " in " + c.getName()).contains(m.getName());
            }
        }
        for (Volume v : pod.getVolumes()) {
            if (v.getConfigMap() != null) {
                assertThat(v.getConfigMap().getName()).isEqualTo(cm.getMetadata().getName());
            }
        }
        assertThat(pod.getContainers().getFirst().getSecurityContext().getCapabilities().getAdd())
                .containsExactlyInAnyOrder("NET_ADMIN", "BPF", "PERFMON", "NET_RAW", "NET_BIND_SERVICE", "SYS_ADMIN");
        // The conflist the init container installs is JSON a runtime can read.
        // ... and the same network configuration the plugin's own build ships (pod-routing).
        ObjectMapper json = JsonMapper.builder().build();
        JsonNode conflist = json.readTree(cm.getData().get("10-gannet.conflist"));
        assertThat(conflist).isEqualTo(json.readTree(repo().resolve("pod-routing/src/main/cni/10-gannet.conflist").toFile()));
        assertThat(conflist.path("plugins").get(0).path("type").asText()).isEqualTo("gannet");
        assertThat(pod.getContainers().getFirst().getArgs()).contains("--cni-socket=" + conflist.path("plugins").get(0).path("socket").asText());
        // The install script the init container runs ships in the tarball.
        assertThat(DEPLOY.resolve("bin/gannet-install-cni")).isExecutable();
    }

    @Test
    void strictReadingCatchesAnUnknownField() throws IOException {
        List<String> problems = new ArrayList<>();
        JsonNode doc = YAML.readTree("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      hostNetwrok: true
                      containers: [{name: c, image: i}]
                """);
        strict(doc, problems);
        assertThat(problems).singleElement().asString().contains("hostNetwrok");
    }

    @Test
    void grafanaDashboardsAreDashboardJson() throws IOException {
        ObjectMapper json = JsonMapper.builder().build();
        try (var files = Files.list(DEPLOY.resolve("grafana"))) {
            List<Path> dashboards = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertThat(dashboards).extracting(p -> p.getFileName().toString())
                    .containsExactly("fabric-overview.json", "node.json", "top-nodes.json");
            for (Path p : dashboards) {
                JsonNode d = json.readTree(p.toFile());
                assertThat(d.path("uid").asText()).startsWith("gannet-");
                assertThat(d.path("panels").size()).as(p.toString()).isGreaterThan(4);
                for (JsonNode panel : d.path("panels")) {
                    assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
                    for (JsonNode t : panel.path("targets")) {
                        assertThat(t.path("expr").asText()).isNotBlank();
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static final Map<String, Class<?>> KINDS = Map.of("Namespace", Namespace.class, "ServiceAccount",
            ServiceAccount.class, "ClusterRole", ClusterRole.class, "ClusterRoleBinding", ClusterRoleBinding.class,
            "ConfigMap", ConfigMap.class, "DaemonSet", DaemonSet.class);

    /** Reads one document into its Kubernetes type; every field the type does not know is a problem. */
    private static Object strict(JsonNode doc, List<String> problems) throws IOException {
        String kind = doc.path("kind").asText();
        Class<?> type = KINDS.get(kind);
        if (type == null) {
            problems.add("unexpected kind '" + kind + "'");
            return null;
        }
        Object o = YAML.copy().enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS).treeToValue(doc, type);
        walk(o, kind + "/" + doc.path("metadata").path("name").asText(), problems);
        return o;
    }

    /** fabric8's types keep unknown fields in additionalProperties: any entry there is a typo or a wrong level. */
    private static void walk(Object o, String path, List<String> problems) {
        if (o == null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", problems);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object v = m.invoke(o);
                if (m.getName().equals("getAdditionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    walk(v, path + "." + m.getName().substring(3), problems);
                }
            } catch (ReflectiveOperationException e) {
                problems.add(path + ": " + e.getMessage());
            }
        }
    }

    record Result(int exit, String output) {}

    private Result run(String... cmd) throws IOException, InterruptedException {
        return run(dir, cmd);
    }

    private static Result run(Path cwd, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    static Path repo() {
        String env = System.getenv("GANNET_REPO");
        return env != null ? Path.of(env) : Path.of("").toAbsolutePath().getParent();
    }
}
