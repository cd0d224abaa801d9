package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The built CNI plugin ({@code pod-routing/target/cni/gannet}) run as a container runtime runs
 * it: inside the node's network namespace, the CNI_* environment, the network configuration on
 * stdin, the result on stdout. Shared by the daemon tests that wire pods.
 */
final class CniCall {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CniCall() {}

    /** CNI_ARGS as a Kubernetes runtime passes them for pod {@code namespace/name}. */
    static String podArgs(String namespace, String name) {
        return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name;
    }

    /** Runs {@code command} (ADD, DEL, CHECK) for container {@code id} in {@code pod}; the plugin's output. It must exit 0. */
    static String run(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod, String cniArgs)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(node.inside(plugin.toString()));
        pb.environment().put("CNI_COMMAND", command);
        pb.environment().put("CNI_CONTAINERID", id);
        pb.environment().put("CNI_NETNS", "/run/netns/" + pod.name());
        pb.environment().put("CNI_IFNAME", "eth0");
        pb.environment().put("CNI_PATH", "/opt/cni/bin");
        if (cniArgs != null) {
            pb.environment().put("CNI_ARGS", cniArgs);
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"gannet\",\"type\":\"gannet\",\"socket\":\"" + socket + "\"}";
        p.getOutputStream().write(conf.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** ADD; the CNI result, which must not be an error. */
    static JsonNode add(Path plugin, NetworkNamespace node, Path socket, String id, NetworkNamespace pod, String cniArgs) throws Exception {
        String out = run(plugin, node, socket, "ADD", id, pod, cniArgs);
        JsonNode r = JSON.readTree(out);
        assertThat(r.has("code")).as(out).isFalse();
        return r;
    }

    /** The pod's address from an ADD result, without its prefix length. */
    static String address(JsonNode result) {
        return result.path("ips").get(0).path("address").asText().replaceAll("/.*", "");
    }
}
