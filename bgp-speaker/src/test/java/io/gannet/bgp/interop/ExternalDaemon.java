package io.gannet.bgp.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real routing daemon run as a child process with its own config, pid file, sockets and
 * logs in a temp dir; killed and cleaned up by {@link #close}. Subclasses know the daemon.
 */
abstract class ExternalDaemon implements AutoCloseable {
    protected final Path dir;
    private Process process;

    protected ExternalDaemon(String prefix) throws IOException {
        dir = Files.createTempDirectory("gannet-" + prefix + "-");
    }

    protected abstract List<String> command();

    protected void startProcess() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("output.log").toFile())).directory(dir.toFile());
        process = pb.start();
    }

    /** Runs a control command (birdc, vtysh, ...) and returns its output. */
    protected static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(20, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("output.log"));
        } catch (IOException e) {
            return "";
        }
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passes. */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    /**
     * SIGKILL to the daemon's own process (by its handle): the kernel closes its TCP
     * connections without a NOTIFICATION, as in a crash.
     */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts the daemon again with the same config, after {@link #kill} or {@link #stopProcess}. */
    public void restart() throws IOException {
        startProcess();
    }

    public void stopProcess() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stopProcess();
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temp dir is harmless.
        }
    }
}
