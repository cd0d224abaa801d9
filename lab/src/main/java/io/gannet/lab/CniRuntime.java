package io.gannet.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a CNI plugin as a container runtime does: in the node's network namespace, with the
 * CNI_* environment, the network configuration on stdin and the result (or the CNI error
 * object) on stdout. The lab makes its pods with it and the daemon tests theirs, so both drive
 * the plugin one way.
 */
public final class CniRuntime {
    private CniRuntime() {}

    /** The plugin's exit status and what it printed (stdout and stderr). */
    public record Result(int exit, String output) {}

    /** CNI_ARGS as a Kubernetes runtime passes them for pod {@code namespace/name}. */
    public static String podArgs(String namespace, String name) {
        return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name;
    }

    /**
     * Runs {@code command} (ADD, DEL, CHECK) of {@code plugin} for container {@code id} whose
     * network namespace is {@code podNetns}, from inside {@code nodeNetns}, with the Gannet
     * network configuration naming {@code socket}. {@code cniArgs} may be null; {@code cniPath}
     * is where the runtime keeps plugins. Gives up after 30 s.
     */
    public static Result call(Path plugin, String nodeNetns, Path socket, String command, String id, String podNetns, String cniArgs,
            Path cniPath) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("nsenter", "--net=/run/netns/" + nodeNetns, "--", plugin.toString());
        pb.environment().put("CNI_COMMAND", command);
        pb.environment().put("CNI_CONTAINERID", id);
        pb.environment().put("CNI_NETNS", "/run/netns/" + podNetns);
        pb.environment().put("CNI_IFNAME", "eth0");
        pb.environment().put("CNI_PATH", cniPath.toString());
        if (cniArgs != null) {
            pb.environment().put("CNI_ARGS", cniArgs);
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"gannet\",\"type\":\"gannet\",\"socket\":\"" + socket + "\"}";
        p.getOutputStream().write(conf.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + " (no answer within 30 s)");
        }
        return new Result(p.exitValue(), out);
    }
}
