package io.gannet.pod.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The attachments this node wired, in {@code <state-dir>/pods.json} (rewritten whole and
 * renamed into place on each change, so a crash leaves the old or the new file, never half).
 * Read at start so DEL, CHECK and GC work across daemon restarts. One thread (the CNI worker).
 *
 * <p>The file is a JSON array with one object per attachment: {@code containerId, ifName, netns,
 * hostVeth, addresses, gateways, podMac, hostMac, podNamespace, podName}; {@code addresses} and
 * {@code gateways} are arrays in the same order (IPv4 first). Files written before dual-stack
 * pods hold a single {@code address} and {@code gateway} instead; they are read as a pod with
 * one address, so a node upgraded with pods running keeps them.
 */
public final class PodRegistry {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, PodAttachment> byKey = new LinkedHashMap<>();

    private PodRegistry(Path file) {
        this.file = file;
    }

    public static PodRegistry open(Path stateDir) {
        PodRegistry r = new PodRegistry(stateDir.resolve("pods.json"));
        try {
            Files.createDirectories(stateDir);
            if (Files.exists(r.file)) {
                JsonNode list = JSON.readTree(r.file.toFile());
                if (list == null || !list.isArray()) {
                    throw new IOException("not a JSON array of pod attachments");
                }
                for (JsonNode n : list) {
                    PodAttachment a = read(n);
                    r.byKey.put(a.key(), a);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + r.file + ": " + e.getMessage(), e);
        }
        return r;
    }

    private static PodAttachment read(JsonNode n) throws IOException {
        List<String> addresses = strings(n, "addresses", "address");
        List<String> gateways = strings(n, "gateways", "gateway");
        if (addresses.size() != gateways.size()) {
            throw new IOException("attachment " + text(n, "containerId") + "/" + text(n, "ifName") + " has "
                    + addresses.size() + " addresses but " + gateways.size() + " gateways");
        }
        return new PodAttachment(text(n, "containerId"), text(n, "ifName"), text(n, "netns"), text(n, "hostVeth"), addresses,
                gateways, text(n, "podMac"), text(n, "hostMac"), text(n, "podNamespace"), text(n, "podName"));
    }

    /** The array {@code many}, or the single value {@code one} of the format before dual-stack. */
    private static List<String> strings(JsonNode n, String many, String one) throws IOException {
        List<String> out = new ArrayList<>();
        if (n.path(many).isArray()) {
            n.get(many).forEach(x -> out.add(x.asText()));
        } else if (n.hasNonNull(one)) {
            out.add(n.get(one).asText());
        }
        if (out.isEmpty()) {
            throw new IOException("attachment " + text(n, "containerId") + "/" + text(n, "ifName") + " has no " + many);
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static ObjectNode write(PodAttachment a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("containerId", a.containerId()).put("ifName", a.ifName()).put("netns", a.netns()).put("hostVeth", a.hostVeth());
        ArrayNode addresses = o.putArray("addresses");
        a.addresses().forEach(addresses::add);
        ArrayNode gateways = o.putArray("gateways");
        a.gateways().forEach(gateways::add);
        o.put("podMac", a.podMac()).put("hostMac", a.hostMac()).put("podNamespace", a.podNamespace()).put("podName", a.podName());
        return o;
    }

    public Optional<PodAttachment> get(String containerId, String ifName) {
        return Optional.ofNullable(byKey.get(containerId + "/" + ifName));
    }

    public List<PodAttachment> all() {
        return new ArrayList<>(byKey.values());
    }

    public void put(PodAttachment a) {
        byKey.put(a.key(), a);
        save();
    }

    public void remove(String containerId, String ifName) {
        if (byKey.remove(containerId + "/" + ifName) != null) {
            save();
        }
    }

    private void save() {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            ArrayNode list = JSON.createArrayNode();
            byKey.values().forEach(a -> list.add(write(a)));
            JSON.writeValue(tmp.toFile(), list);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
