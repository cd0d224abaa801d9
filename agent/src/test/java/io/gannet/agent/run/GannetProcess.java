package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.agent.GannetCli;
import io.gannet.agent.LauncherFlags;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code gannet run} as its own JVM, inside a namespace or in the current one (the command the
 * lab and systemd start), and the real {@code gannet} CLI run in-process against its socket.
 * The daemon's socket, log and state live in the test's directory; the log is appended to, so
 * a restarted daemon's lines follow the previous one's.
 */
final class GannetProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DEFAULT_POLL = Duration.ofMillis(200);
    private final Process process;
    private final Path socket;
    private final Path log;

    private GannetProcess(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    /**
     * Starts {@code gannet run --profile PROFILE --node NODE} with its state, socket and log in
     * {@code dir}, inside {@code ns} or, when {@code ns} is null, in the current namespace;
     * {@code extraRunArgs} are appended to the {@code run} command line.
     */
    static GannetProcess start(NetworkNamespace ns, Path dir, Path profile, String node, String... extraRunArgs)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path socket = dir.resolve("gannet.sock");
        Path log = dir.resolve("gannet.log");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(LauncherFlags.JVM); // as the launcher runs it
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GannetCli.class.getName(), "run", "--profile",
                profile.toString(), "--node", node, "--state-dir", dir.resolve("state").toString(), "--socket", socket.toString()));
        cmd.addAll(List.of(extraRunArgs));
        ProcessBuilder pb = new ProcessBuilder(ns == null ? cmd : ns.inside(cmd.toArray(String[]::new)));
        pb.environment().putAll(LauncherFlags.ENV);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new GannetProcess(pb.start(), socket, log);
    }

    /**
     * Like {@link #start} inside {@code ns}, but entering only its network namespace
     * ({@code nsenter --net}), not the fresh mount namespace {@code ip netns exec} makes: the
     * daemon then sees the root's bpffs, which a datapath in a namespace needs.
     */
    static GannetProcess startKeepingMounts(NetworkNamespace ns, Path dir, Path profile, String node, String... extraRunArgs)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path socket = dir.resolve("gannet.sock");
        Path log = dir.resolve("gannet.log");
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + ns.name(), "--", java));
        cmd.addAll(LauncherFlags.JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GannetCli.class.getName(), "run",
                "--profile", profile.toString(), "--node", node, "--state-dir", dir.resolve("state").toString(),
                "--socket", socket.toString()));
        cmd.addAll(List.of(extraRunArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(LauncherFlags.ENV);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new GannetProcess(pb.start(), socket, log);
    }

    /**
     * Runs {@code gannet run RUNARGS} inside {@code ns} and waits up to {@code timeout} for it to
     * exit (a start that is refused); its stdout and stderr come back together as {@code out}.
     * A daemon still running at the deadline is killed and reported with exit -1.
     */
    static CliResult runToExit(NetworkNamespace ns, Duration timeout, String... runArgs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), GannetCli.class.getName(), "run"));
        cmd.addAll(List.of(runArgs));
        Process p = new ProcessBuilder(ns.inside(cmd.toArray(String[]::new))).redirectErrorStream(true).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return new CliResult(-1, new String(p.getInputStream().readAllBytes()), "still running after " + timeout);
        }
        return new CliResult(p.exitValue(), new String(p.getInputStream().readAllBytes()), "");
    }

    /** {@code gannet profile render FILE --switch NAME --format frr}. */
    static String render(Path profile, String switchName) {
        return render(profile, switchName, "frr");
    }

    /** {@code gannet profile render FILE --switch NAME --format FORMAT}. */
    static String render(Path profile, String switchName, String format) {
        CliResult r = run(List.of("profile", "render", profile.toString(), "--switch", switchName, "--format", format));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    /** The daemon's process id: {@code ip netns exec} execs the JVM in place. */
    long pid() {
        return process.pid();
    }

    /** SIGHUP: re-read the profile, like {@code gannet reload}. */
    void hangup() {
        NetworkNamespace.Shell.run("kill", "-HUP", Long.toString(pid()));
    }

    /** SIGTERM, then up to {@code timeout} for the daemon to exit; true if it did. */
    boolean terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while the daemon runs. */
    boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the daemon to exit; its exit code, or null if it still runs. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** The control socket the daemon was told to serve. */
    Path socket() {
        return socket;
    }

    /** The real {@code gannet} CLI, in-process, with exactly {@code args} (no --socket added). */
    static CliResult cliExactly(String... args) {
        return run(List.of(args));
    }

    /** SIGKILL (kill -9): no shutdown hook, no NOTIFICATION, no BFD AdminDown; waits for the exit. */
    boolean kill(Duration timeout) throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    record CliResult(int exit, String out, String err) {}

    CliResult cliResult(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        full.add("--socket");
        full.add(socket.toString());
        return run(full);
    }

    private static CliResult run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = GannetCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args.toArray(String[]::new));
        return new CliResult(exit, out.toString(), err.toString());
    }

    String cli(String... args) {
        return cliResult(args).out();
    }

    /** {@code gannet show peers --json}, by peer name. */
    Map<String, JsonNode> peers() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try {
            for (JsonNode p : JSON.readTree(cli("show", "peers", "--json")).path("peers")) {
                out.put(p.path("name").asText(), p);
            }
        } catch (IOException e) {
            // no daemon yet or a half-written answer: no peers
        }
        return out;
    }

    JsonNode peer(String name) {
        JsonNode p = peers().get(name);
        return p == null ? JSON.createObjectNode() : p;
    }

    boolean established(String name) {
        return "Established".equals(peer(name).path("state").asText());
    }

    /** Waits up to 60 s, polling every 200 ms; see the full form. */
    void awaitTrue(String what, BooleanSupplier condition, Supplier<String> diagnostics) throws Exception {
        awaitTrue(what, condition, DEFAULT_TIMEOUT, DEFAULT_POLL, diagnostics);
    }

    /**
     * Polls {@code condition} every {@code poll} until it holds or {@code timeout} passes (or the
     * daemon exits); on failure the error carries the daemon's peers, its log and
     * {@code diagnostics} (the other end's view, each section with its own heading).
     */
    void awaitTrue(String what, BooleanSupplier condition, Duration timeout, Duration poll, Supplier<String> diagnostics)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(poll.toMillis());
        }
        CliResult peers = cliResult("show", "peers", "--json");
        throw new AssertionError("timed out waiting for " + what + (process.isAlive() ? "" : " (daemon exited)")
                + "\n--- gannet show peers --json (exit " + peers.exit() + "):\n" + peers.out() + peers.err()
                + "\n--- gannet log:\n" + log() + diagnostics.get());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
