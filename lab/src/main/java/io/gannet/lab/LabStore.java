package io.gannet.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The lab's cluster store: one etcd (Debian's etcd-server) in its own namespace
 * {@code gl-NAME-e}, on the lab's segment at a free address, which every node reaches as a
 * cluster's nodes reach their etcd ({@code gannet run --etcd URL}). Through it the nodes agree
 * on what must be agreed cluster-wide: PodCIDR blocks a profile leaves to the store
 * ({@code podCIDRPool.allocation: store}), policy identities and the labels of other nodes'
 * pods, fixed IPs. Its data and log live under the lab's directory; {@code lab down} ends it
 * with its namespace.
 */
final class LabStore {
    static final int CLIENT_PORT = 2379;
    private static final int PEER_PORT = 2380;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request to the URL within 1 s (argv); prints the body, or nothing. */
    private static final String GET_PY = """
            import sys, urllib.request
            try:
                print(urllib.request.urlopen(sys.argv[1], timeout=1).read().decode())
            except Exception:
                print("")
            """;

    private LabStore() {}

    static String url(String address) {
        return "http://" + address + ":" + CLIENT_PORT;
    }

    static Path dir(Path labDir) {
        return labDir.resolve("store");
    }

    /** Starts etcd inside {@code ns}, serving clients on {@code address}; its data and log under {@code dir}. Returns its pid. */
    static long start(NetworkNamespace ns, String address, Path dir, String lab) throws IOException {
        Files.createDirectories(dir);
        String member = "gannet-lab-" + lab;
        String peer = "http://127.0.0.1:" + PEER_PORT;
        List<String> cmd = List.of("setsid", "nsenter", "--net=/run/netns/" + ns.name(), "--", "etcd", "--name", member,
                "--data-dir", dir.resolve("data").toString(), "--listen-client-urls", url(address), "--advertise-client-urls", url(address),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", member + "=" + peer,
                "--log-level", "warn");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(dir).toFile())).start().pid();
    }

    static Path log(Path dir) {
        return dir.resolve("etcd.log");
    }

    /** Whether etcd answers its health check from inside {@code ns}. */
    static boolean healthy(NetworkNamespace ns, String address) {
        String out = NetworkNamespace.Shell.runQuietly("ip", "netns", "exec", ns.name(), "python3", "-c", GET_PY, url(address) + "/health");
        return out.replace(" ", "").contains("\"health\":\"true\"");
    }

    /** Waits until etcd is healthy; says why not (its log) when it exits or stays unhealthy. */
    static void awaitHealthy(NetworkNamespace ns, String address, long pid, Path dir, Duration timeout, String lab)
            throws Lab.LabException, InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!healthy(ns, address)) {
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive || System.nanoTime() > deadline) {
                throw new Lab.LabException("the lab's etcd " + (alive ? "did not answer its health check within " + timeout.toSeconds() + " s"
                        : "exited at start") + "; its log (" + log(dir) + "):\n" + Lab.tail(log(dir), 20)
                        + "\nclean up with: gannet lab down --name " + lab);
            }
            Thread.sleep(200);
        }
    }

    /** A node's PodCIDR as its daemon holds it, and where it came from (the store, or the profile). */
    record Claim(String block, String source) {}

    /** What node's daemon answers on {@code GET /v1/ipam} over its control socket; null while it holds no block. */
    static Claim claim(Path labDir, String socket) {
        String body = NetworkNamespace.Shell.runQuietly("python3", labDir.resolve("control.py").toString(), socket, "/v1/ipam");
        try {
            JsonNode s = JSON.readTree(body).path("summary");
            String block = s.path("block").asText("");
            return block.isEmpty() ? null : new Claim(block, s.path("source").asText(""));
        } catch (IOException e) {
            return null; // not answering yet
        }
    }
}
