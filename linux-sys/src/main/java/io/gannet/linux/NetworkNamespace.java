package io.gannet.linux;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace the caller creates and removes itself: a test's (named with a per-JVM
 * suffix, so parallel runs and stale namespaces of a killed run never collide) or a lab's
 * (named after the lab, recorded in its state file before it is created).
 */
public final class NetworkNamespace implements AutoCloseable {
    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** Creates {@code gt-<prefix>-<pid>} with loopback up, removing a stale one of that name first. */
    public static NetworkNamespace create(String prefix) {
        String name = "gt-" + prefix + "-" + ProcessHandle.current().pid();
        Shell.runQuietly("ip", "netns", "del", name);
        Shell.run("ip", "netns", "add", name);
        NetworkNamespace ns = new NetworkNamespace(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Creates exactly {@code name} with loopback up; refuses a name that already exists. */
    public static NetworkNamespace createNamed(String name) {
        Shell.run("ip", "netns", "add", name);
        NetworkNamespace ns = new NetworkNamespace(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** A handle on an existing namespace (made by someone else, or by an earlier process of the lab). */
    public static NetworkNamespace of(String name) {
        return new NetworkNamespace(name);
    }

    /** True if {@code ip netns list} shows {@code name}. */
    public static boolean exists(String name) {
        return java.nio.file.Files.exists(java.nio.file.Path.of("/run/netns", name));
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace and returns its output; throws on a non-zero exit. */
    public String exec(String... command) {
        return Shell.run(inside(command));
    }

    /** Starts a long-running command inside the namespace. */
    public Process start(String... command) throws IOException {
        return new ProcessBuilder(inside(command)).redirectErrorStream(true).start();
    }

    public List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    /**
     * Connects this namespace to {@code other} with a veth pair, addresses each end
     * ({@code "10.99.0.1/30"} style) and brings both ends up.
     */
    public void linkTo(NetworkNamespace other, String localIf, String localCidr, String remoteIf, String remoteCidr) {
        Shell.run("ip", "link", "add", localIf, "netns", name, "type", "veth", "peer", "name", remoteIf, "netns", other.name);
        exec("ip", "addr", "add", localCidr, "dev", localIf);
        exec("ip", "link", "set", localIf, "up");
        other.exec("ip", "addr", "add", remoteCidr, "dev", remoteIf);
        other.exec("ip", "link", "set", remoteIf, "up");
    }

    @Override
    public void close() {
        // Killing the namespace's processes first lets "ip netns del" actually free it.
        String pids = Shell.runQuietly("ip", "netns", "pids", name);
        for (String pid : pids.split("\\s+")) {
            if (!pid.isBlank()) {
                Shell.runQuietly("kill", "-9", pid.trim());
            }
        }
        Shell.runQuietly("ip", "netns", "del", name);
    }

    /** Small process helper shared by namespace and daemon fixtures. */
    public static final class Shell {
        private Shell() {}

        public static String run(String... command) {
            return run(List.of(command));
        }

        public static String run(List<String> command) {
            Result r = exec(command);
            if (r.exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + r.exit + ": " + r.output);
            }
            return r.output;
        }

        public static String runQuietly(String... command) {
            return exec(List.of(command)).output;
        }

        private record Result(int exit, String output) {}

        private static Result exec(List<String> command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, out + " (timed out)");
                }
                return new Result(p.exitValue(), out);
            } catch (IOException e) {
                return new Result(-1, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(-1, "interrupted");
            }
        }
    }
}
