package io.gannet.agent.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A whole FRR router in a namespace — zebra (kernel routes, ECMP), bfdd and bgpd — with its
 * sockets, pid files and logs in a test directory. The daemons run as the {@code frr} user
 * (FRR's vty sockets want the frrvty group, which frr is in and root is not); killed on close.
 */
final class FrrRouter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();

    private FrrRouter(Path dir) {
        this.dir = dir;
    }

    static FrrRouter start(NetworkNamespace ns, Path dir, String bgpdConf) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("zebra.conf"), "");
        Files.writeString(dir.resolve("bfdd.conf"), "");
        Files.writeString(dir.resolve("bgpd.conf"), bgpdConf);
        NetworkNamespace.Shell.run("chown", "-R", "frr:frr", dir.toString());
        // the test's temp directory is root's 0700: let the frr user through to its own directory
        NetworkNamespace.Shell.run("chmod", "o+x", dir.getParent().toString());
        FrrRouter r = new FrrRouter(dir);
        try {
            r.daemon(ns, "zebra", "-z", dir.resolve("zserv.api").toString());
            r.awaitFile("zserv.api");
            r.daemon(ns, "bfdd", "-z", dir.resolve("zserv.api").toString(), "--bfdctl", dir.resolve("bfdd.sock").toString());
            r.daemon(ns, "bgpd", "-z", dir.resolve("zserv.api").toString(), "-P", "0", "-p", "179");
            r.awaitFile("bgpd.vty");
        } catch (Exception e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void daemon(NetworkNamespace ns, String name, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/usr/lib/frr/" + name, "-f", dir.resolve(name + ".conf").toString(),
                "-i", dir.resolve(name + ".pid").toString(), "--vty_socket", dir.toString(), "-u", "frr", "-g", "frr",
                "--log", "file:" + dir.resolve(name + ".log")));
        cmd.addAll(List.of(extra));
        daemons.add(new ProcessBuilder(ns.inside(cmd.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start());
    }

    private void awaitFile(String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!Files.exists(dir.resolve(name))) {
            if (System.nanoTime() > deadline || daemons.stream().anyMatch(p -> !p.isAlive())) {
                throw new IllegalStateException("FRR did not start (" + name + "): " + log());
            }
            Thread.sleep(50);
        }
    }

    String vtysh(String... commands) {
        List<String> cmd = new ArrayList<>(List.of("vtysh", "--vty_socket", dir.toString()));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        return NetworkNamespace.Shell.runQuietly(cmd.toArray(String[]::new));
    }

    /** Next hops of the kernel-installed (zebra) route to {@code prefix}; empty when there is none. */
    List<String> nextHops(String prefix) {
        return nextHops("ip", prefix);
    }

    /** {@code family}: "ip" or "ipv6", as vtysh's {@code show <family> route}. */
    private List<String> nextHops(String family, String prefix) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode r = JSON.readTree(vtysh("show " + family + " route " + prefix + " json")).path(prefix);
            for (JsonNode route : r) {
                if (!route.path("selected").asBoolean() || !route.path("installed").asBoolean(true)) {
                    continue;
                }
                for (JsonNode nh : route.path("nexthops")) {
                    if (nh.path("active").asBoolean()) {
                        out.add(nh.path("ip").asText());
                    }
                }
            }
        } catch (IOException e) {
            // no answer: no route
        }
        out.sort(null);
        return out;
    }

    /** Next hops of the kernel-installed (zebra) IPv6 route to {@code prefix}; empty when there is none. */
    List<String> nextHops6(String prefix) {
        return nextHops("ipv6", prefix);
    }

    String log() {
        StringBuilder b = new StringBuilder();
        for (String n : List.of("zebra", "bfdd", "bgpd")) {
            for (String suffix : List.of(".out", ".log")) {
                Path p = dir.resolve(n + suffix);
                try {
                    if (Files.exists(p)) {
                        String s = Files.readString(p);
                        b.append("\n--- ").append(n).append(suffix).append(":\n")
                                .append(s.length() > 4000 ? s.substring(s.length() - 4000) : s);
                    }
                } catch (IOException e) {
                    b.append(e);
                }
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (Process p : daemons.reversed()) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
