package io.gannet.pod.wiring;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
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
                List<PodAttachment> list = JSON.readValue(r.file.toFile(), new TypeReference<List<PodAttachment>>() {});
                for (PodAttachment a : list) {
                    r.byKey.put(a.key(), a);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + r.file + ": " + e.getMessage(), e);
        }
        return r;
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
            JSON.writeValue(tmp.toFile(), new ArrayList<>(byKey.values()));
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
