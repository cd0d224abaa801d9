package io.gannet.netpolicy.enforce;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.netpolicy.external.ExternalEndpoint;
import io.gannet.netpolicy.k8s.PolicyFiles;
import io.gannet.netpolicy.k8s.PolicyObject;
import io.gannet.netpolicy.model.Endpoint;
import io.gannet.netpolicy.model.Policy;
import io.gannet.netpolicy.model.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The watched policy directory ({@code gannet run --policy-dir DIR}): every {@code *.yaml},
 * {@code *.yml} and {@code *.json} file in it, read as kubectl writes them. It holds
 * <ul>
 *   <li>NetworkPolicy (networking.k8s.io/v1) and CiliumNetworkPolicy (cilium.io/v2) objects;</li>
 *   <li>Pod objects ({@code kubectl get pod -o yaml}): only {@code metadata.namespace},
 *       {@code metadata.name} and {@code metadata.labels} are read; they give the labels of the
 *       pods the CNI plugin wires (matched by the K8S_POD_NAMESPACE / K8S_POD_NAME the runtime
 *       passes); a wired pod without a Pod object has no labels but its namespace;</li>
 *   <li>Namespace objects: their {@code metadata.labels}, for namespaceSelector;</li>
 *   <li>ExternalEndpoint objects (gannet.io/v1alpha1, {@link ExternalEndpoint#fromObject}): VMs and
 *       bare-metal hosts by address and labels. The daemon copies them into the cluster store
 *       (owned by this node's directory), from where every host's datapath learns them.</li>
 * </ul>
 *
 * <p>Fail closed, per file: a file that does not parse, or holds one invalid policy object, is
 * not applied at all; its last content that was fully valid stays in force (and is reported as
 * kept), so the endpoints it selected keep their previous policy rather than open. A file that
 * never parsed contributes nothing until it does, unless a copy of its last valid version was
 * kept under {@code keepDir} (the daemon's state dir): then a restart while the file is broken
 * still enforces that version, and never opens the endpoints it selected. Every error carries
 * {@code file:line[:column]}.
 *
 * <p>Threads: not thread-safe; owned by the watcher's thread.
 */
public final class PolicyDirectory {
    private static final ObjectMapper YAML = new YAMLMapper();

    private final Path dir;
    private final Path keepDir;
    private final Map<Path, Content> lastGood = new LinkedHashMap<>();
    /** SHA-256 of each file's valid version in {@link #lastGood}: an unchanged file is not parsed again (timestamps are too coarse to trust). */
    private final Map<Path, String> stamps = new HashMap<>();

    public PolicyDirectory(Path dir) {
        this(dir, null);
    }

    /** @param keepDir where the last valid version of each file is copied (null: in memory only) */
    public PolicyDirectory(Path dir, Path keepDir) {
        this.dir = dir;
        this.keepDir = keepDir;
    }

    public Path dir() {
        return dir;
    }

    /** One file's valid content. */
    record Content(List<Policy> policies, Map<String, Map<String, String>> pods, Map<String, Map<String, String>> namespaces,
            List<ExternalEndpoint> externals, Map<String, Map<String, Endpoint.NamedPort>> podPorts, long readAtMillis) {}

    /** What the last reload found in one file with errors. */
    public record FileReport(String file, List<String> errors, boolean keptPrevious) {
        public String summary() {
            return keptPrevious ? "not applied; its previous valid version stays in force (fail closed)"
                    : "not applied; it never parsed, so it enforces nothing yet";
        }
    }

    /**
     * Everything in force: policies, pod labels (by "namespace/name"), namespace labels; files with
     * errors; external endpoints; each pod's named container ports (for policies' named ports).
     */
    public record Result(List<Policy> policies, Map<String, Map<String, String>> podLabels,
            Map<String, Map<String, String>> namespaceLabels, List<FileReport> problems, List<ExternalEndpoint> externalEndpoints,
            Map<String, Map<String, Endpoint.NamedPort>> podNamedPorts) {
        public Result(List<Policy> policies, Map<String, Map<String, String>> podLabels,
                Map<String, Map<String, String>> namespaceLabels, List<FileReport> problems) {
            this(policies, podLabels, namespaceLabels, problems, List.of(), Map.of());
        }
    }

    public Result reload() {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> {
                    String n = p.getFileName().toString();
                    return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
                }).sorted().forEach(files::add);
            } catch (IOException e) {
                return assemble(lastGood.values(), List.of(new FileReport(dir.toString(),
                        List.of(dir + ": cannot list: " + e.getMessage()), !lastGood.isEmpty())));
            }
        }
        lastGood.keySet().retainAll(files);
        stamps.keySet().retainAll(files);
        dropKeptCopiesOfDeleted(files);
        List<FileReport> problems = new ArrayList<>();
        for (Path f : files) {
            String stamp = stamp(f);
            if (stamp != null && stamp.equals(stamps.get(f)) && lastGood.containsKey(f)) {
                continue;
            }
            List<String> errors = new ArrayList<>();
            Content c = read(f, errors);
            if (errors.isEmpty()) {
                lastGood.put(f, c);
                stamps.put(f, stamp);
                keep(f);
            } else {
                if (!lastGood.containsKey(f)) {
                    Content kept = kept(f);
                    if (kept != null) {
                        lastGood.put(f, kept);
                    }
                }
                problems.add(new FileReport(f.toString(), List.copyOf(errors), lastGood.containsKey(f)));
            }
        }
        return assemble(lastGood.values(), problems);
    }

    private static String stamp(Path f) {
        try {
            if (Files.size(f) > PolicyFiles.MAX_FILE_BYTES) {
                return null;
            }
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    private void keep(Path f) {
        if (keepDir == null) {
            return;
        }
        try {
            Files.createDirectories(keepDir);
            Path copy = keepDir.resolve(f.getFileName());
            byte[] bytes = Files.readAllBytes(f);
            if (Files.exists(copy) && java.util.Arrays.equals(Files.readAllBytes(copy), bytes)) {
                return;
            }
            Path tmp = keepDir.resolve("." + f.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the in-memory copy still holds for this process
        }
    }

    /** The kept copy of a file's last valid version, read as it was (its origin names the copy). */
    private Content kept(Path f) {
        if (keepDir == null || !Files.isRegularFile(keepDir.resolve(f.getFileName()))) {
            return null;
        }
        List<String> errors = new ArrayList<>();
        Content c = read(keepDir.resolve(f.getFileName()), errors);
        return errors.isEmpty() ? c : null;
    }

    private void dropKeptCopiesOfDeleted(List<Path> files) {
        if (keepDir == null || !Files.isDirectory(keepDir)) {
            return;
        }
        try (Stream<Path> s = Files.list(keepDir)) {
            for (Path copy : s.toList()) {
                String n = copy.getFileName().toString();
                if (!n.startsWith(".") && files.stream().noneMatch(f -> f.getFileName().toString().equals(n))) {
                    Files.deleteIfExists(copy);
                }
            }
        } catch (IOException e) {
            // a stale copy is only read for a file of that name that is broken
        }
    }

    /** What valid contents (of files, or of API objects) add up to. */
    static Result assemble(java.util.Collection<Content> contents, List<FileReport> problems) {
        List<Policy> policies = new ArrayList<>();
        Map<String, Map<String, String>> pods = new TreeMap<>();
        Map<String, Map<String, String>> namespaces = new TreeMap<>();
        Map<String, Map<String, Endpoint.NamedPort>> ports = new TreeMap<>();
        List<ExternalEndpoint> externals = new ArrayList<>();
        for (Content c : contents) {
            policies.addAll(c.policies());
            pods.putAll(c.pods());
            namespaces.putAll(c.namespaces());
            ports.putAll(c.podPorts());
            externals.addAll(c.externals());
        }
        return new Result(policies, pods, namespaces, List.copyOf(problems), externals, ports);
    }

    /**
     * One object (a NetworkPolicy, CiliumNetworkPolicy, Pod, Namespace or ExternalEndpoint, as
     * the Kubernetes API gives it) read as a file holding only it would be; {@code errors} gets
     * what is wrong, prefixed with {@code origin}.
     */
    static Content readObject(JsonNode doc, String origin, List<String> errors) {
        List<io.gannet.netpolicy.k8s.PolicyObject> found = new ArrayList<>();
        PolicyFiles.collect(doc, origin, found);
        List<Policy> policies = new ArrayList<>();
        for (PolicyObject o : found) {
            if (o.valid()) {
                policies.add(o.policy());
            } else {
                for (String e : o.errors()) {
                    errors.add(o.origin() + ": " + o.key() + ": " + e);
                }
            }
        }
        Found f = new Found(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new ArrayList<>());
        objects(doc, origin, f, errors);
        return new Content(List.copyOf(policies), f.pods(), f.namespaces(), List.copyOf(f.externals()), f.podPorts(),
                System.currentTimeMillis());
    }

    private static Content read(Path f, List<String> errors) {
        PolicyFiles.Read r = PolicyFiles.read(f);
        errors.addAll(r.errors());
        List<Policy> policies = new ArrayList<>();
        for (PolicyObject o : r.objects()) {
            if (o.valid()) {
                policies.add(o.policy());
            } else {
                for (String e : o.errors()) {
                    errors.add(o.origin() + ": " + o.key() + ": " + e);
                }
            }
        }
        Map<String, Map<String, String>> pods = new TreeMap<>();
        Map<String, Map<String, String>> namespaces = new TreeMap<>();
        Map<String, Map<String, Endpoint.NamedPort>> podPorts = new TreeMap<>();
        List<ExternalEndpoint> externals = new ArrayList<>();
        if (errors.isEmpty()) {
            try (JsonParser p = new YAMLFactory().createParser(f.toFile())) {
                p.setCodec(YAML);
                while (p.nextToken() != null) {
                    int line = p.currentTokenLocation().getLineNr();
                    int column = p.currentTokenLocation().getColumnNr();
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        continue;
                    }
                    JsonNode doc = p.readValueAsTree();
                    objects(doc, f + ":" + line + ":" + column, new Found(pods, namespaces, podPorts, externals), errors);
                }
            } catch (IOException e) {
                errors.add(f + ": " + e.getMessage());
            }
        }
        return new Content(List.copyOf(policies), pods, namespaces, List.copyOf(externals), podPorts, System.currentTimeMillis());
    }

    /** What one file's objects add up to. */
    private record Found(Map<String, Map<String, String>> pods, Map<String, Map<String, String>> namespaces,
            Map<String, Map<String, Endpoint.NamedPort>> podPorts, List<ExternalEndpoint> externals) {}

    private static void objects(JsonNode doc, String origin, Found found, List<String> errors) {
        String kind = doc.path("kind").asText();
        List<ExternalEndpoint> externals = found.externals();
        if (kind.endsWith("List") && doc.has("items")) {
            for (int i = 0; i < doc.path("items").size(); i++) {
                objects(doc.path("items").get(i), origin + " items[" + i + "]", found, errors);
            }
            return;
        }
        if (kind.equals(ExternalEndpoint.KIND)) {
            ExternalEndpoint.Checked c = ExternalEndpoint.fromObject(doc, "file " + origin);
            if (c.endpoint() == null) {
                String name = doc.path("metadata").path("name").asText("?");
                c.errors().forEach(e -> errors.add(origin + ": ExternalEndpoint " + name + ": " + e));
            } else if (externals.stream().anyMatch(x -> x.key().equals(c.endpoint().key()))) {
                errors.add(origin + ": ExternalEndpoint " + c.endpoint().key() + ": defined twice in this file");
            } else {
                externals.add(c.endpoint());
            }
            return;
        }
        if (!kind.equals("Pod") && !kind.equals("Namespace")) {
            return;
        }
        JsonNode meta = doc.path("metadata");
        String name = meta.path("name").asText("");
        if (name.isBlank()) {
            errors.add(origin + ": " + kind + ": metadata.name: required");
            return;
        }
        Map<String, String> labels = new TreeMap<>();
        JsonNode l = meta.path("labels");
        for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                errors.add(origin + ": " + kind + " " + name + ": metadata.labels." + e.getKey() + ": a label value is a string");
                return;
            }
            labels.put(e.getKey(), e.getValue().asText());
        }
        if (kind.equals("Pod")) {
            String key = meta.path("namespace").asText("default") + "/" + name;
            Map<String, Endpoint.NamedPort> ports = namedPorts(doc.path("spec"), origin + ": Pod " + name, errors);
            found.pods().put(key, Map.copyOf(labels));
            found.podPorts().put(key, Map.copyOf(ports));
        } else {
            found.namespaces().put(name, Map.copyOf(labels));
        }
    }

    /**
     * A Pod's named container ports ({@code spec.containers[].ports[]} and initContainers', which
     * sidecars use), as NetworkPolicy and CiliumNetworkPolicy named ports resolve them: name to
     * containerPort and protocol (TCP when absent). Unnamed ports are not needed.
     */
    private static Map<String, Endpoint.NamedPort> namedPorts(JsonNode spec, String where, List<String> errors) {
        Map<String, Endpoint.NamedPort> out = new TreeMap<>();
        for (String list : new String[] {"containers", "initContainers"}) {
            JsonNode cs = spec.path(list);
            for (int i = 0; i < cs.size(); i++) {
                JsonNode ports = cs.get(i).path("ports");
                for (int j = 0; j < ports.size(); j++) {
                    JsonNode p = ports.get(j);
                    String path = where + ": spec." + list + "[" + i + "].ports[" + j + "]";
                    if (!p.hasNonNull("name")) {
                        continue;
                    }
                    int port = p.path("containerPort").asInt(0);
                    if (!p.path("containerPort").isInt() || port < 1 || port > 65535) {
                        errors.add(path + ".containerPort: a port number 1-65535 is required");
                        continue;
                    }
                    Protocol proto = switch (p.path("protocol").asText("TCP")) {
                        case "TCP" -> Protocol.TCP;
                        case "UDP" -> Protocol.UDP;
                        case "SCTP" -> Protocol.SCTP;
                        default -> null;
                    };
                    if (proto == null) {
                        errors.add(path + ".protocol: TCP, UDP or SCTP, not '" + p.path("protocol").asText() + "'");
                        continue;
                    }
                    out.putIfAbsent(p.path("name").asText(), new Endpoint.NamedPort(port, proto));
                }
            }
        }
        return out;
    }
}
