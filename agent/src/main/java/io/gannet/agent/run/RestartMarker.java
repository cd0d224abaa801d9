package io.gannet.agent.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * Tells a starting daemon whether it replaces one that went away without saying goodbye,
 * so it can act as the restarting speaker of RFC 4724 (Restart State bit, forwarding kept).
 *
 * <p>The marker file exists while a daemon runs and after it stopped for a graceful restart or
 * crashed; a clean stop (Cease NOTIFICATION to every peer) removes it. Written with write +
 * fsync + rename so a crash never leaves half a file.
 */
final class RestartMarker {
    static final String FILE = "running";

    private final Path file;

    RestartMarker(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** True when a previous daemon left the marker: our peers may still hold our routes. */
    boolean previousDaemonLeftRoutes() {
        return Files.exists(file);
    }

    void markRunning(long pid) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(("pid " + pid + " since " + Instant.now() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    void clear() throws IOException {
        Files.deleteIfExists(file);
    }
}
