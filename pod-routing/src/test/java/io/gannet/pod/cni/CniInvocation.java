package io.gannet.pod.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a CNI plugin binary exactly as a container runtime does: CNI_* in the environment, the
 * network configuration on stdin, the result on stdout, the exit code; inside the node's
 * namespace ({@code ip netns exec}) as a runtime on that node would.
 */
final class CniInvocation {
    static final ObjectMapper JSON = new ObjectMapper();

    record Outcome(int exit, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("plugin printed no JSON: '" + stdout + "' (stderr: " + stderr + ")", e);
            }
        }
    }

    private CniInvocation() {}

    static Outcome run(String nodeNs, String plugin, Map<String, String> env, String stdin) {
        List<String> cmd = new ArrayList<>();
        if (nodeNs != null) {
            cmd.addAll(List.of("ip", "netns", "exec", nodeNs));
        }
        cmd.add(plugin);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("plugin timed out");
            }
            return new Outcome(p.exitValue(), out.trim(), err.trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Map<String, String> env(String command, String containerId, String netns, String ifName, String socket) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CNI_COMMAND", command);
        if (containerId != null) {
            m.put("CNI_CONTAINERID", containerId);
        }
        if (netns != null) {
            m.put("CNI_NETNS", netns);
        }
        if (ifName != null) {
            m.put("CNI_IFNAME", ifName);
        }
        m.put("CNI_PATH", "/opt/cni/bin:/usr/lib/cni");
        if (socket != null) {
            m.put("GANNET_CNI_SOCKET", socket);
        }
        return m;
    }
}
