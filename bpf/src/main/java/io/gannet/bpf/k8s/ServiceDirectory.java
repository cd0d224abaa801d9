package io.gannet.bpf.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.bpf.lb.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory of Kubernetes YAML files (*.yaml, *.yml; several documents per file allowed)
 * holding v1 Services and discovery.k8s.io/v1 EndpointSlices.
 *
 * <p>{@link #reload} re-reads every file. A file that fails to parse or validate is
 * reported with its path and reason, and its last good content is kept, so a bad edit
 * never removes services that were working. A deleted file's objects are dropped.
 * Not thread-safe: {@link ServiceDirectoryWatcher} owns it on one thread.
 */
public final class ServiceDirectory {
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    /** A file that could not be used, and why. */
    public record FileError(Path file, String reason) {}

    /** The desired services, and the files that were skipped (kept at their last good content). */
    public record Result(List<ServiceSpec> services, List<FileError> errors) {}

    private record Parsed(List<KubeObjects.Service> services, List<KubeObjects.Slice> slices) {}

    private final Path dir;
    private final YAMLMapper yaml = new YAMLMapper();
    private final Map<Path, Parsed> lastGood = new HashMap<>();

    public ServiceDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Result reload() {
        List<FileError> errors = new ArrayList<>();
        Map<Path, Parsed> now = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".") && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            errors.add(new FileError(dir, "cannot list directory: " + e.getMessage()));
            files = List.copyOf(lastGood.keySet());
        }
        for (Path f : files) {
            try {
                Parsed p = parse(f);
                now.put(f, p);
            } catch (IOException | RuntimeException e) {
                errors.add(new FileError(f, reason(e)));
                Parsed prev = lastGood.get(f);
                if (prev != null) {
                    now.put(f, prev);
                }
            }
        }
        lastGood.clear();
        lastGood.putAll(now);
        List<KubeObjects.Service> services = new ArrayList<>();
        List<KubeObjects.Slice> slices = new ArrayList<>();
        for (Parsed p : now.values()) {
            services.addAll(p.services);
            slices.addAll(p.slices);
        }
        return new Result(ServiceCatalog.join(services, slices), List.copyOf(errors));
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    private Parsed parse(Path f) throws IOException {
        if (Files.size(f) > MAX_FILE_BYTES) {
            throw new IOException("file larger than " + MAX_FILE_BYTES + " bytes");
        }
        List<KubeObjects.Service> services = new ArrayList<>();
        List<KubeObjects.Slice> slices = new ArrayList<>();
        int docIndex = 0;
        try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(f.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                docIndex++;
                if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
                    continue;
                }
                if (!doc.isObject()) {
                    throw new KubeObjects.InvalidObject("document " + docIndex + ": not a mapping");
                }
                String kind = doc.path("kind").asText("");
                String api = doc.path("apiVersion").asText("");
                try {
                    switch (kind) {
                        case "Service" -> {
                            requireApi(api, "v1", kind);
                            services.add(KubeObjects.service(doc));
                        }
                        case "EndpointSlice" -> {
                            requireApi(api, "discovery.k8s.io/v1", kind);
                            slices.add(KubeObjects.slice(doc));
                        }
                        default -> throw new KubeObjects.InvalidObject("kind '" + kind + "' is not Service or EndpointSlice");
                    }
                } catch (KubeObjects.InvalidObject e) {
                    throw new KubeObjects.InvalidObject("document " + docIndex + " (" + kind + " "
                            + doc.path("metadata").path("name").asText("?") + "): " + e.getMessage());
                }
            }
        }
        return new Parsed(List.copyOf(services), List.copyOf(slices));
    }

    private static void requireApi(String api, String want, String kind) {
        if (!want.equals(api)) {
            throw new KubeObjects.InvalidObject("apiVersion '" + api + "' for " + kind + ": expected " + want);
        }
    }
}
