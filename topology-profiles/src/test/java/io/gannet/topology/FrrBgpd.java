package io.gannet.topology;

import io.gannet.linux.NetworkNamespace.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real FRR bgpd run as a child process with its own config, pid file, vty socket and log
 * in a temp dir: no zebra (-Z), no BGP or TCP vty ports unless asked (-p, -P 0), optionally
 * inside a network namespace. Killed on close.
 */
final class FrrBgpd implements AutoCloseable {
    static final String BGPD = "/usr/lib/frr/bgpd";

    private final Path dir;
    private final Process process;
    private final List<String> prefix;

    private FrrBgpd(Path dir, Process process, List<String> prefix) {
        this.dir = dir;
        this.process = process;
        this.prefix = prefix;
    }

    /** Starts bgpd on {@code config}; {@code nsPrefix} is e.g. {@code ip netns exec NS} or empty. */
    static FrrBgpd start(Path dir, Path config, int bgpPort, List<String> nsPrefix) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(nsPrefix);
        cmd.addAll(List.of(BGPD, "-f", config.toString(), "-Z", "-S", "-u", "root", "-g", "root",
                "-i", dir.resolve("bgpd.pid").toString(), "--vty_socket", dir.toString(), "-P", "0",
                "-p", Integer.toString(bgpPort), "--log", "file:" + dir.resolve("bgpd.log")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("bgpd.out").toFile()).start();
        FrrBgpd d = new FrrBgpd(dir, p, List.copyOf(nsPrefix));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!Files.exists(dir.resolve("bgpd.vty"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                d.close();
                throw new IllegalStateException("bgpd did not start: " + Files.readString(dir.resolve("bgpd.out")));
            }
            Thread.sleep(50);
        }
        return d;
    }

    /** Runs {@code bgpd -C} (dry run) on {@code config}; returns its log output. */
    static String dryRun(Path dir, Path config) {
        return Shell.runQuietly(BGPD, "-C", "-f", config.toString(), "-Z", "-S", "-u", "root", "-g", "root",
                "-i", dir.resolve("dry.pid").toString(), "--vty_socket", dir.toString(), "-P", "0", "-p", "0", "--log", "stdout");
    }

    String vtysh(String command) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("vtysh", "--vty_socket", dir.toString(), "-d", "bgpd", "-c", command));
        return Shell.runQuietly(cmd.toArray(String[]::new));
    }

    String log() throws IOException {
        Path log = dir.resolve("bgpd.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Polls {@code command} until its output contains {@code text}; returns the last output. */
    String awaitOutput(String command, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String out = vtysh(command);
        while (!out.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            out = vtysh(command);
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
