package io.gannet.lab;

import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole FRR switch in a namespace: zebra (routes into the namespace's kernel, so the switch
 * forwards by what BGP learned), bfdd (BFD for bgpd's {@code neighbor X bfd}) and bgpd, all
 * three with their own config, pid files, vty sockets, zserv socket and logs in one temp
 * directory, running as user frr. Closing kills exactly these three processes by their pid
 * files and removes the directory; no system FRR service is touched.
 */
public final class FrrRoutingSwitch implements AutoCloseable {
    private static final String[] DAEMONS = {"zebra", "bfdd", "bgpd"};
    private final NetworkNamespace ns;
    private final Path dir;

    private FrrRoutingSwitch(NetworkNamespace ns, Path dir) {
        this.ns = ns;
        this.dir = dir;
    }

    /** Starts zebra, bfdd and bgpd in {@code ns}; bgpd reads {@code bgpdConf}. */
    public static FrrRoutingSwitch start(NetworkNamespace ns, String bgpdConf) throws Exception {
        return start(ns, Files.createTempDirectory("gannet-frr-switch"), bgpdConf);
    }

    /**
     * Like {@link #start(NetworkNamespace, String)} with everything in {@code dir} (made
     * writable for user frr); the pid files are {@code DAEMON.pid} there.
     */
    public static FrrRoutingSwitch start(NetworkNamespace ns, Path dir, String bgpdConf) throws Exception {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path conf = dir.resolve("bgpd.conf");
        Files.writeString(conf, bgpdConf);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        FrrRoutingSwitch sw = new FrrRoutingSwitch(ns, dir);
        try {
            for (String daemon : DAEMONS) {
                List<String> cmd = new ArrayList<>(List.of("/usr/lib/frr/" + daemon, "-d", "-u", "frr", "-g", "frr",
                        "-z", dir.resolve("zserv.api").toString(), "-i", dir.resolve(daemon + ".pid").toString(),
                        "--vty_socket", dir.toString(), "--log", "file:" + dir.resolve(daemon + ".log"),
                        "-f", daemon.equals("bgpd") ? conf.toString() : "/dev/null"));
                if (daemon.equals("bfdd")) {
                    cmd.addAll(List.of("--bfdctl", dir.resolve("bfdd.sock").toString()));
                }
                ns.exec(cmd.toArray(String[]::new));
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (!Files.exists(dir.resolve(daemon + ".vty"))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(daemon + " did not start: " + sw.log(daemon));
                    }
                    Thread.sleep(50);
                }
            }
        } catch (Exception e) {
            sw.close();
            throw e;
        }
        return sw;
    }

    /** The daemons this switch runs, in start order. */
    public static List<String> daemons() {
        return List.of(DAEMONS);
    }

    public String vtysh(String command) {
        return NetworkNamespace.Shell.runQuietly(ns.inside("vtysh", "--vty_socket", dir.toString(), "-c", command)
                .toArray(String[]::new));
    }

    public String log(String daemon) {
        try {
            Path log = dir.resolve(daemon + ".log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** BGP summary, the neighbor, BFD peers and bgpd's log, under headings. */
    public String diagnostics() {
        return "\n--- FRR show bgp summary:\n" + vtysh("show bgp ipv4 unicast summary") + "\n--- FRR show bfd peers:\n"
                + vtysh("show bfd peers") + "\n--- bgpd log:\n" + log("bgpd");
    }

    @Override
    public void close() {
        for (int i = DAEMONS.length - 1; i >= 0; i--) {
            Path pid = dir.resolve(DAEMONS[i] + ".pid");
            try {
                if (Files.exists(pid)) {
                    NetworkNamespace.Shell.runQuietly("kill", Files.readString(pid).trim());
                }
            } catch (IOException e) {
                // not started far enough to write its pid file
            }
        }
        NetworkNamespace.Shell.runQuietly("rm", "-rf", dir.toString());
    }
}
