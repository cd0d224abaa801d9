package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.lab.CniRuntime;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The built CNI plugin ({@code pod-routing/target/cni/gannet}) run as a container runtime runs
 * it (the lab's {@link CniRuntime}), each call required to succeed. Shared by the daemon tests
 * that wire pods.
 */
final class CniCall {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CniCall() {}

    /** CNI_ARGS as a Kubernetes runtime passes them for pod {@code namespace/name}. */
    static String podArgs(String namespace, String name) {
        return CniRuntime.podArgs(namespace, name);
    }

    /** Runs {@code command} (ADD, DEL, CHECK) for container {@code id} in {@code pod}; the plugin's output. It must exit 0. */
    static String run(Path plugin, NetworkNamespace node, Path socket, String command, String id, NetworkNamespace pod, String cniArgs)
            throws IOException, InterruptedException {
        CniRuntime.Result r = CniRuntime.call(plugin, node.name(), socket, command, id, pod.name(), cniArgs, Path.of("/opt/cni/bin"));
        assertThat(r.exit()).as(r.output()).isZero();
        return r.output();
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
