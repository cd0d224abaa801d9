package io.gannet.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A command run in a network namespace from inside a cgroup v2 directory a test created. The
 * shell joins the cgroup through the host's view of /sys ({@code ip netns exec} mounts another
 * /sys, where the test's cgroup is not), then {@code nsenter --net} enters the namespace.
 */
public final class CgroupProcess {
    private CgroupProcess() {}

    /**
     * Runs {@code command} (a shell command line) in the named namespace, in {@code cgroup} when it
     * is not null; returns its trimmed output (stdout and stderr), or "failed" when it exits non-zero
     * or prints nothing.
     */
    public static String run(Path cgroup, String netns, String command) throws IOException, InterruptedException {
        String run = "exec nsenter --net=/run/netns/" + netns + " " + command;
        Process p = new ProcessBuilder("sh", "-c", (cgroup != null ? "echo $$ > " + cgroup.resolve("cgroup.procs") + " && " : "") + run)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "failed";
        }
        return p.exitValue() == 0 && !out.isEmpty() ? out : "failed";
    }
}
