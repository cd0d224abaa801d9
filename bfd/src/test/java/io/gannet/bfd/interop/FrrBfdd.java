package io.gannet.bfd.interop;

import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FRR's bfdd run in the foreground inside a namespace with its own config, vty socket, pid
 * file and control socket in a temp dir; no zebra (so peers are configured without an
 * interface), no system service touched. Runs as user frr (bfdd refuses root without the
 * frrvty group).
 */
public final class FrrBfdd implements AutoCloseable {
    public static final String BFDD = "/usr/lib/frr/bfdd";
    private final NetworkNamespace ns;
    private final Path dir;
    private final Process process;

    private FrrBfdd(NetworkNamespace ns, Path dir, Process process) {
        this.ns = ns;
        this.dir = dir;
        this.process = process;
    }

    /** Starts bfdd with a {@code bfd} block holding {@code peerBlocks} (each "peer ..." with its sub-lines). */
    public static FrrBfdd start(NetworkNamespace ns, String peerBlocks) throws IOException {
        Path dir = Files.createTempDirectory("gannet-bfdd");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path conf = dir.resolve("bfdd.conf");
        Files.writeString(conf, "bfd\n" + peerBlocks + "!\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        Process p = ns.start(BFDD, "-f", conf.toString(), "--vty_socket", dir.toString(), "-i",
                dir.resolve("bfdd.pid").toString(), "-u", "frr", "-g", "frr", "--bfdctl", dir.resolve("bfdd.sock").toString(),
                "-z", dir.resolve("zserv.api").toString(), "--log", "file:" + dir.resolve("bfdd.log"));
        FrrBfdd d = new FrrBfdd(ns, dir, p);
        Await.until(java.time.Duration.ofSeconds(10), "bfdd vty socket", () -> Files.exists(dir.resolve("bfdd.vty")));
        return d;
    }

    public static String peer(String peer, String local, int intervalMs, int mult) {
        return " peer " + peer + " local-address " + local + "\n"
                + "  receive-interval " + intervalMs + "\n"
                + "  transmit-interval " + intervalMs + "\n"
                + "  detect-multiplier " + mult + "\n"
                + " !\n";
    }

    /** A multihop peer (RFC 5883): FRR keys it by (peer, local address), sends with TTL 255 and accepts TTL >= 254 by default. */
    public static String multihopPeer(String peer, String local, int intervalMs, int mult) {
        return " peer " + peer + " multihop local-address " + local + "\n"
                + "  receive-interval " + intervalMs + "\n"
                + "  transmit-interval " + intervalMs + "\n"
                + "  detect-multiplier " + mult + "\n"
                + " !\n";
    }

    public String vtysh(String... commands) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("vtysh", "--vty_socket", dir.toString()));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        return NetworkNamespace.Shell.run(cmd);
    }

    public String peersJson() {
        return vtysh("show bfd peers json");
    }

    /** A string field of the (single) peer in `show bfd peers json`, or null. */
    public String field(String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"?([^,\"}]*)\"?").matcher(peersJson());
        return m.find() ? m.group(1) : null;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the peer dies without a word (no AdminDown). */
    public void kill() {
        killTree();
    }

    private void killTree() {
        try {
            String pid = Files.readString(dir.resolve("bfdd.pid")).trim();
            NetworkNamespace.Shell.runQuietly("kill", "-9", pid);
        } catch (IOException e) {
            // not started far enough to write a pid file
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("bfdd.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        killTree();
        NetworkNamespace.Shell.runQuietly("rm", "-rf", dir.toString());
    }

    public NetworkNamespace namespace() {
        return ns;
    }
}
