package io.gannet.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Environment requirements of tests that need root, namespaces, BPF or an external daemon.
 *
 * <p>On a developer machine a missing requirement skips the test and says why. Under
 * {@code CI=true} the same gap fails the test: a green CI run must mean these tests ran.
 */
public final class Requirements {
    private Requirements() {}

    /** True when running under CI, where a skipped environment test is a failure. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or fails under CI) unless {@code condition} holds. */
    public static void require(boolean condition, String why) {
        if (condition) {
            return;
        }
        if (inCi()) {
            throw new AssertionError("CI=true and a test requirement is missing: " + why);
        }
        System.err.println("SKIP: " + why);
        Assumptions.assumeTrue(false, why);
    }

    public static void requireRoot() {
        require(isRoot(), "needs root (run as root or under CI)");
    }

    /** Requires an executable on PATH or at an absolute path. */
    public static void requireCommand(String command) {
        require(findCommand(command) != null, "needs '" + command + "' installed (see .ci/run)");
    }

    /** Requires network namespace support: root plus a working {@code ip netns}. */
    public static void requireNetns() {
        requireRoot();
        requireCommand("ip");
    }

    /** Requires the bpf(2) syscall for programs and maps: root and a mounted bpffs. */
    public static void requireBpf() {
        requireRoot();
        require(Files.isDirectory(Path.of("/sys/fs/bpf")), "needs /sys/fs/bpf (bpffs)");
    }

    public static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return "0".equals(out);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The resolved path of {@code command}, or null. Looks in PATH plus the sbin folders daemons live in. */
    public static Path findCommand(String command) {
        if (command.startsWith("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/lib/frr";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
