package io.gannet.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd server (Debian's etcd-server) for tests: loopback client and peer ports picked
 * free at start, a temporary data dir, stopped by its PID. {@link #stop()} and
 * {@link #start()} again keep the data dir and the ports, so a test can take the store away
 * and bring it back.
 */
public final class EtcdServer implements AutoCloseable {
    private final Path binary;
    private final Path dataDir;
    private final int clientPort;
    private final int peerPort;
    private final Path log;
    private Process process;
    /** The network namespace etcd runs in ({@code ip netns exec}), or null for the current one. */
    private String ns;
    private String host = "127.0.0.1";

    private EtcdServer(Path binary, Path dataDir, int clientPort, int peerPort) {
        this.binary = binary;
        this.dataDir = dataDir;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.log = dataDir.resolveSibling("etcd.log");
    }

    /** Starts etcd, or skips the test (fails under CI) when it is not installed. */
    public static EtcdServer startNew() throws IOException {
        Requirements.requireCommand("etcd");
        return startFresh(null, "127.0.0.1");
    }

    /** Starts etcd inside {@code ns}, on that namespace's loopback. */
    public static EtcdServer startIn(String ns) throws IOException {
        return startIn(ns, "127.0.0.1");
    }

    /** Starts etcd inside {@code ns}, its client port on {@code host} (an address of that namespace others can reach). */
    public static EtcdServer startIn(String ns, String host) throws IOException {
        Requirements.requireCommand("etcd");
        Requirements.requireCommand("curl");
        return startFresh(ns, host);
    }

    /**
     * A new etcd on two free ports. A port found free can be taken by another process (an outgoing
     * connection's ephemeral port) before etcd binds it: then etcd exits with "address already in
     * use", and the start is tried again on other ports (at most five times).
     */
    private static EtcdServer startFresh(String ns, String host) throws IOException {
        Path bin = Requirements.findCommand("etcd");
        for (int attempt = 1; ; attempt++) {
            Path dir = Files.createTempDirectory("gannet-etcd-" + ProcessHandle.current().pid() + "-");
            int[] ports = freePorts();
            EtcdServer s = new EtcdServer(bin, dir.resolve("data"), ports[0], ports[1]);
            s.ns = ns;
            s.host = host;
            try {
                s.start();
                return s;
            } catch (IOException e) {
                s.close();
                if (attempt == 5 || !String.valueOf(e.getMessage()).contains("address already in use")) {
                    throw e;
                }
            }
        }
    }

    /** Two distinct free loopback ports (both held open while the second is found). */
    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ServerSocket b = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    public String url() {
        return "http://" + host + ":" + clientPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    public synchronized void start() throws IOException {
        if (running()) {
            return;
        }
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> cmd = List.of(binary.toString(),
                "--name", "gannet-test",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", url(), "--advertise-client-urls", url(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "gannet-test=" + peer,
                "--log-level", "warn");
        process = new ProcessBuilder(inside(cmd))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited at start (code " + process.exitValue() + "), log: " + Files.readString(log));
            }
            if (healthy()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting etcd");
            }
        }
        stop();
        throw new IOException("etcd did not become healthy within 20 s, log: " + Files.readString(log));
    }

    private List<String> inside(List<String> cmd) {
        if (ns == null) {
            return cmd;
        }
        List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(cmd);
        return full;
    }

    private boolean healthy() {
        if (ns != null) {
            try {
                Process p = new ProcessBuilder(inside(List.of("curl", "-s", "-m", "1", url() + "/health"))).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor(5, TimeUnit.SECONDS);
                return out.contains("\"health\":\"true\"");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
            s.getOutputStream().write(("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes());
            String answer = new String(s.getInputStream().readAllBytes());
            return answer.contains("\"health\":\"true\"");
        } catch (IOException e) {
            return false;
        }
    }

    /** Counter lines of etcd's own /metrics (for example {@code grpc_server_started_total}). */
    public String metrics() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", clientPort), 1000);
            s.getOutputStream().write(("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes());
            return new String(s.getInputStream().readAllBytes());
        }
    }

    /** Stops etcd by its PID (SIGTERM, then SIGKILL after 10 s); the data dir stays. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop();
        Path root = dataDir.getParent();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
        log.toFile().delete();
    }
}
