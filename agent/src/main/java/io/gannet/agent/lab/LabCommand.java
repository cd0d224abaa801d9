package io.gannet.agent.lab;

import io.gannet.agent.GannetCli;
import io.gannet.lab.Lab;
import io.gannet.lab.Lab.LabException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gannet lab up|status|down}: a whole fabric in network namespaces on one machine. The
 * commands only parse options and find the launcher and the CNI plugin; {@link Lab} does the work.
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "A whole fabric (real FRR or BIRD switches, nodes running gannet run, pods) in network namespaces on this machine.",
        subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Down.class, LabCommand.Scale.class})
public final class LabCommand {
    static final int FAILED = 1;
    /** Pods are routed, but BFD is not up on every session. */
    static final int NO_BFD = 3;

    static final class NameOptions {
        @Option(names = "--name", defaultValue = "lab", description = "Lab name: prefixes its namespaces (default ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where the lab keeps its state, configs and logs (default /run/gannet-lab/NAME).")
        Path dir;

        Path dir() {
            return dir != null ? dir : Lab.defaultDir(name);
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = {"Build the profile's fabric, wait for convergence and print the summary:",
        "sessions with BFD, PodCIDRs on the switches, a pod reaching another node's pod, log paths, a picture."})
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        NameOptions names;

        @Option(names = "--profile", paramLabel = "FILE", description = "Topology profile (default: topology-profiles/examples/ibgp-core.yaml of this checkout).")
        Path profile;

        @Option(names = "--nodes", defaultValue = "2", description = "How many of the profile's node hosts run (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--router", defaultValue = "frr", description = "Switch implementation: frr (default), bird, or gannet (Gannet itself as the core/leaf: role router, ECMP routes in its kernel table).")
        Lab.Router router;

        @Option(names = "--cni-plugin", paramLabel = "FILE", description = "The Gannet CNI plugin (default: this checkout's build, else /opt/cni/bin/gannet).")
        Path cniPlugin;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            Path home = Launch.home();
            Path p = profile != null ? profile : home.resolve("topology-profiles/examples/ibgp-core.yaml");
            Path plugin = cniPlugin;
            if (plugin == null) {
                Path built = home.resolve("pod-routing/target/cni/gannet");
                plugin = Files.isExecutable(built) ? built : Path.of("/opt/cni/bin/gannet");
            }
            try {
                Lab.Summary s = Lab.up(new Lab.Options(names.name, p, nodes, router, names.dir(), Launch.command(home),
                        Launch.env(home), plugin), out);
                return s.converged() ? 0 : s.routed() ? NO_BFD : FAILED;
            } catch (LabException e) {
                err.println("gannet lab up: " + e.getMessage());
                err.flush();
                return FAILED;
            } catch (IOException | RuntimeException e) {
                err.println("gannet lab up: failed: " + e.getMessage());
                if (Files.exists(names.dir().resolve(io.gannet.lab.LabState.FILE))) {
                    err.println("gannet lab up: what it created is recorded in " + names.dir().resolve(io.gannet.lab.LabState.FILE)
                            + "; remove it with: gannet lab down --name " + names.name
                            + (names.dir != null ? " --dir " + names.dir : ""));
                }
                err.flush();
                return FAILED;
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The lab's summary, live.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        NameOptions names;

        @Option(names = "--json", description = "The summary as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            try {
                // Graphviz notes go to stderr: --json output stays one document.
                Lab.Summary s = Lab.status(names.dir(), spec.commandLine().getErr());
                if (json) {
                    out.println(s.json());
                    out.flush();
                } else {
                    s.print(out);
                }
                return s.converged() ? 0 : s.routed() ? NO_BFD : FAILED;
            } catch (LabException e) {
                spec.commandLine().getErr().println("gannet lab status: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return FAILED;
            }
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop and remove everything the lab's state file records: processes, namespaces (and their links), pins, its directory.")
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        NameOptions names;

        @Override
        public Integer call() throws InterruptedException {
            var out = spec.commandLine().getOut();
            try {
                List<String> removed = Lab.down(names.dir());
                removed.forEach(r -> out.println("removed " + r));
                out.println("lab " + names.name + " is down");
                out.flush();
                return 0;
            } catch (LabException e) {
                spec.commandLine().getErr().println("gannet lab down: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return FAILED;
            }
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = {"How a core holds up under many nodes: N light in-process",
        "BGP nodes (one address each, real sockets) against one FRR, BIRD or Gannet core; prints the time to full convergence,",
        "the core's memory and CPU, and a graceful restart of a share of the nodes; then removes what it created."})
    static final class Scale implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        NameOptions names;

        @Option(names = "--nodes", defaultValue = "1000", description = "Node speakers (default ${DEFAULT-VALUE}, at most 10000).")
        int nodes;

        @Option(names = "--router", defaultValue = "gannet", description = "The core: gannet (default: gannet run --fib), frr or bird.")
        Lab.Router router;

        @Option(names = "--restart-percent", defaultValue = "10", description = "Share of the nodes restarted with graceful restart (default ${DEFAULT-VALUE}).")
        double restartPercent;

        @Option(names = "--timeout", defaultValue = "300", description = "Seconds to wait for convergence (default ${DEFAULT-VALUE}).")
        int timeout;

        @Option(names = "--keep", description = "Leave the core and the nodes' namespace up (remove with gannet lab down).")
        boolean keep;

        @Option(names = "--json", description = "The result as JSON (after the summary).")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            if (restartPercent < 0 || restartPercent > 100) {
                err.println("gannet lab scale: --restart-percent " + restartPercent + ": give 0 to 100");
                err.flush();
                return FAILED;
            }
            Path home = Launch.home();
            try {
                io.gannet.lab.ScaleRun.Result r = io.gannet.lab.ScaleRun.run(new io.gannet.lab.ScaleRun.Options(names.name, nodes, router,
                        names.dir(), Launch.command(home), Launch.env(home), restartPercent / 100, java.time.Duration.ofSeconds(timeout), keep), out);
                if (json) {
                    out.println(r.json());
                    out.flush();
                }
                return r.ok() ? 0 : FAILED;
            } catch (LabException e) {
                err.println("gannet lab scale: " + e.getMessage());
                err.flush();
                return FAILED;
            } catch (IOException | RuntimeException e) {
                err.println("gannet lab scale: failed: " + e.getMessage());
                if (Files.exists(names.dir().resolve(io.gannet.lab.LabState.FILE))) {
                    err.println("gannet lab scale: remove what it created with: gannet lab down --name " + names.name
                            + (names.dir != null ? " --dir " + names.dir : ""));
                }
                err.flush();
                return FAILED;
            }
        }
    }

    /** How the lab's nodes run gannet: the users' launcher, or (no packaged jar) java with its flags. */
    static final class Launch {
        private Launch() {}

        /** The checkout (or release directory) this gannet runs from. */
        static Path home() {
            try {
                Path code = Path.of(GannetCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                // agent/target/gannet.jar or agent/target/classes in a checkout; gannet.jar beside the launcher in a release.
                Path dir = code.getParent();
                if (Files.isExecutable(dir.resolve("gannet")) && !Files.isDirectory(dir.resolve("agent"))) {
                    return dir;
                }
                return dir.getParent().getParent();
            } catch (URISyntaxException e) {
                return Path.of(".").toAbsolutePath();
            }
        }

        static List<String> command(Path home) {
            Path launcher = home.resolve("gannet");
            boolean packaged = Files.exists(home.resolve("agent/target/gannet.jar")) || Files.exists(home.resolve("gannet.jar"));
            String classPath = System.getProperty("java.class.path");
            if (Files.isExecutable(launcher) && packaged && classPath.endsWith(".jar") && !classPath.contains(":")) {
                return List.of(launcher.toString());
            }
            // Tests and an unpackaged checkout: the launcher's JVM flags, this JVM's class path.
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(io.gannet.agent.LauncherFlags.JVM);
            cmd.addAll(List.of("-Xlog:disable", "-Xlog:all=warning:stderr"));
            if (Runtime.version().feature() >= 24) {
                cmd.add("--sun-misc-unsafe-memory-access=allow");
            }
            cmd.addAll(List.of("-cp", classPath, GannetCli.class.getName()));
            return cmd;
        }

        /** The launcher's environment: the glibc malloc arenas it bounds, and no build. */
        static Map<String, String> env(Path home) {
            Map<String, String> env = new java.util.HashMap<>(io.gannet.agent.LauncherFlags.ENV);
            env.put("GANNET_SKIP_BUILD", "1");
            return Map.copyOf(env);
        }
    }
}
