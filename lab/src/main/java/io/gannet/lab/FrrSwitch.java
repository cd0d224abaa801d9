package io.gannet.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One FRR bgpd (no zebra) with its own config, pid file, vty socket and log in a temp
 * directory, inside a namespace; killed on close.
 */
public final class FrrSwitch implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Process process;

    private FrrSwitch(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    public static FrrSwitch start(NetworkNamespace ns, Path dir, Path conf) throws Exception {
        Process p = new ProcessBuilder(ns.inside(Fabric.BGPD, "-f", conf.toString(), "-Z", "-S", "-u", "root", "-g", "root",
                "-i", dir.resolve("bgpd.pid").toString(), "--vty_socket", dir.toString(), "-P", "0", "-p", "179",
                "--log", "file:" + dir.resolve("bgpd.log")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("bgpd.out").toFile()).start();
        FrrSwitch sw = new FrrSwitch(dir, p);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!Files.exists(dir.resolve("bgpd.vty"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                sw.close();
                throw new IllegalStateException("bgpd did not start: " + Files.readString(dir.resolve("bgpd.out")));
            }
            Thread.sleep(50);
        }
        return sw;
    }

    public String vtysh(String command) {
        return NetworkNamespace.Shell.runQuietly("vtysh", "--vty_socket", dir.toString(), "-d", "bgpd", "-c", command);
    }

    public JsonNode json(String command) {
        try {
            return JSON.readTree(vtysh(command));
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** {@code show bgp ipv4 unicast json}: prefix -> its first path. */
    public Map<String, JsonNode> routes() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = json("show bgp ipv4 unicast json").path("routes").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().path(0));
        }
        return out;
    }

    /** The table's paths learned from {@code peerAddress}. */
    public Map<String, JsonNode> routesFrom(String peerAddress) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = json("show bgp ipv4 unicast json").path("routes").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            for (JsonNode path : e.getValue()) {
                if (peerAddress.equals(path.path("peerId").asText())) {
                    out.put(e.getKey(), path);
                }
            }
        }
        return out;
    }

    /** {@code show bgp ipv4 unicast PREFIX json}: the first (best) path, with every attribute. */
    public JsonNode bestPath(String prefix) {
        return json("show bgp ipv4 unicast " + prefix + " json").path("paths").path(0);
    }

    /** Standard communities of the best path to {@code prefix}, as FRR prints them. */
    public List<String> communities(String prefix) {
        String list = bestPath(prefix).path("community").path("string").asText("");
        return list.isEmpty() ? List.of() : List.of(list.split(" "));
    }

    /** {@code show bgp neighbors ADDRESS json} for one neighbor. */
    public JsonNode neighbor(String address) {
        return json("show bgp neighbors " + address + " json").path(address);
    }

    public String log() {
        try {
            Path log = dir.resolve("bgpd.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
