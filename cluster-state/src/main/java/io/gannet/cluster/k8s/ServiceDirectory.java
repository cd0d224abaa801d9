package io.gannet.cluster.k8s;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
 * A directory of Kubernetes YAML files (*.yaml, *.yml; several documents per file, and
 * {@code kind: List} as {@code kubectl get -o yaml} writes it) holding v1 Services and
 * discovery.k8s.io/v1 EndpointSlices.
 *
 * <p>{@link #reload} re-reads every file. A file that fails to parse or validate is
 * reported as {@code file:line:column: what is wrong} and its last good content is kept, so
 * a bad edit never removes Services that were working. A file that has been broken since
 * this instance started has no last good content: the result is then marked incomplete, so
 * the consumer can keep what it already holds (the pinned datapath maps) instead of
 * deleting it. A deleted file's objects are dropped.
 *
 * <p>Not thread-safe: {@link ServiceDirectoryWatcher} owns it on one thread.
 */
public final class ServiceDirectory {
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    /** A file that could not be used: where and why. Line and column are 0 when unknown. */
    public record FileError(Path file, int line, int column, String reason) {
        @Override
        public String toString() {
            return file + (line > 0 ? ":" + line + ":" + column : "") + ": " + reason;
        }
    }

    /**
     * The objects of every usable file, the files that were skipped, and whether the objects
     * are complete (false while a file that never parsed is present).
     */
    public record Result(List<KubeService> services, List<EndpointSlice> slices, List<FileError> errors, boolean complete) {}

    private record Parsed(List<KubeService> services, List<EndpointSlice> slices) {}

    private static final class LocatedError extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;
        final int column;

        LocatedError(int line, int column, String message) {
            super(message);
            this.line = line;
            this.column = column;
        }
    }

    private final Path dir;
    private final YAMLFactory yaml = new YAMLFactory();
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
        boolean complete = true;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".") && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            errors.add(new FileError(dir, 0, 0, "cannot list directory: " + e.getMessage()));
            files = List.copyOf(lastGood.keySet());
            complete = false;
        }
        for (Path f : files) {
            try {
                now.put(f, parse(f));
            } catch (LocatedError e) {
                errors.add(new FileError(f, e.line, e.column, e.getMessage()));
                complete &= keepPrevious(f, now);
            } catch (JsonProcessingException e) {
                JsonLocation l = e.getLocation();
                errors.add(new FileError(f, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                        firstLine(e.getOriginalMessage())));
                complete &= keepPrevious(f, now);
            } catch (IOException | RuntimeException e) {
                errors.add(new FileError(f, 0, 0, firstLine(e.getMessage() == null ? "unreadable" : e.getMessage())));
                complete &= keepPrevious(f, now);
            }
        }
        lastGood.clear();
        lastGood.putAll(now);
        List<KubeService> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        for (Parsed p : now.values()) {
            services.addAll(p.services);
            slices.addAll(p.slices);
        }
        return new Result(List.copyOf(services), List.copyOf(slices), List.copyOf(errors), complete);
    }

    private boolean keepPrevious(Path f, Map<Path, Parsed> now) {
        Parsed prev = lastGood.get(f);
        if (prev != null) {
            now.put(f, prev);
            return true;
        }
        return false;
    }

    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        return (nl > 0 ? m.substring(0, nl) : m).trim();
    }

    private Parsed parse(Path f) throws IOException, LocatedError {
        if (Files.size(f) > MAX_FILE_BYTES) {
            throw new IOException("file larger than " + MAX_FILE_BYTES + " bytes");
        }
        List<KubeService> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<YamlDocument> docs = YamlDocument.readAll(yaml, f);
        for (int i = 0; i < docs.size(); i++) {
            object(docs.get(i), "document " + (i + 1), services, slices);
        }
        return new Parsed(List.copyOf(services), List.copyOf(slices));
    }

    private static void object(YamlDocument d, String what, List<KubeService> services, List<EndpointSlice> slices)
            throws LocatedError {
        JsonNode doc = d.root();
        if (doc == null || doc.isNull() || (doc.isObject() && doc.isEmpty())) {
            return;
        }
        String kind = doc.path("kind").asText("");
        try {
            if (!doc.isObject()) {
                throw new InvalidObject("", "not a mapping");
            }
            String api = doc.path("apiVersion").asText("");
            switch (kind) {
                case "Service" -> {
                    requireApi(api, "v1", kind);
                    services.add(KubeReader.service(doc));
                }
                case "EndpointSlice" -> {
                    requireApi(api, "discovery.k8s.io/v1", kind);
                    slices.add(KubeReader.slice(doc));
                }
                case "List", "ServiceList", "EndpointSliceList" -> {
                    JsonNode items = doc.get("items");
                    if (items != null && !items.isNull() && !items.isArray()) {
                        throw new InvalidObject("items", "expected a list");
                    }
                    if (items != null) {
                        for (int i = 0; i < items.size(); i++) {
                            object(d.sub("/items/" + i, items.get(i)), what + " items[" + i + "]", services, slices);
                        }
                    }
                }
                default -> throw new InvalidObject("kind", "'" + kind + "' is not Service, EndpointSlice or List");
            }
        } catch (InvalidObject e) {
            String at = d.locate(e.pointer());
            int line = 0;
            int col = 0;
            if (at != null) {
                String[] lc = at.split(":");
                line = Integer.parseInt(lc[0]);
                col = Integer.parseInt(lc[1]);
            }
            throw new LocatedError(line, col, what + " (" + (kind.isEmpty() ? "no kind" : kind) + " "
                    + doc.path("metadata").path("name").asText("?") + "): " + e.getMessage());
        }
    }

    private static void requireApi(String api, String want, String kind) {
        if (!want.equals(api)) {
            throw new InvalidObject("apiVersion", "'" + api + "' for " + kind + ": expected " + want);
        }
    }
}
