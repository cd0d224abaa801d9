package io.gannet.agent.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * Tells a starting daemon what the state directory recorded about the earlier run, so it can act
 * as the restarting speaker of RFC 4724 (Restart State bit, forwarding kept) when its peers may
 * still hold its routes.
 *
 * <p>The file {@value #FILE} exists while a daemon runs and after it stopped for a graceful
 * restart or crashed; a clean stop (Cease NOTIFICATION to every peer) replaces it with
 * {@value #STOPPED}. Neither file: the state directory has no record at all (a first start, or a
 * fresh state directory, e.g. a container's emptyDir, while the host's bpffs and routes survived),
 * and {@link RestartEvidence} looks at the forwarding state itself. The running record names the
 * kernel's boot id: a record from an earlier boot says nothing about forwarding (the kernel's
 * routes and bpffs pins went with that boot), so the evidence decides then too. Written with
 * write + fsync + rename so a crash never leaves half a file.
 */
final class RestartMarker {
    static final String FILE = "running";
    static final String STOPPED = "stopped";

    /** What the state directory says about the earlier run. */
    enum Record {
        /** An earlier daemon left without a Cease (graceful restart or crash): our peers may hold our routes. */
        LEFT_ROUTES,
        /** The earlier daemon stopped cleanly: every peer got a Cease and flushed our routes. */
        STOPPED_CLEANLY,
        /** The running record is from an earlier boot: whatever the peers hold, this kernel forwards nothing of it. */
        REBOOTED,
        /** Nothing recorded: a first start or a fresh state directory. */
        NONE
    }

    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final java.util.regex.Pattern RECORDED_BOOT = java.util.regex.Pattern.compile(" boot (\\S+)");

    private final Path file;
    private final Path stopped;
    private final java.util.function.Supplier<String> bootId;

    RestartMarker(Path stateDir) {
        this(stateDir, RestartMarker::readBootId);
    }

    /** @param bootId this boot's id (null when unknown) */
    RestartMarker(Path stateDir, java.util.function.Supplier<String> bootId) {
        this.file = stateDir.resolve(FILE);
        this.stopped = stateDir.resolve(STOPPED);
        this.bootId = bootId;
    }

    static String readBootId() {
        try {
            return Files.readString(BOOT_ID).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The boot id the running record names, or null (none, or a record written before boot ids). */
    String recordedBootId() {
        try {
            java.util.regex.Matcher m = RECORDED_BOOT.matcher(Files.readString(file));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    Path directory() {
        return file.getParent();
    }

    Record previous() {
        if (Files.exists(file)) {
            String then = recordedBootId();
            String now = bootId.get();
            return then != null && now != null && !then.equals(now) ? Record.REBOOTED : Record.LEFT_ROUTES;
        }
        return Files.exists(stopped) ? Record.STOPPED_CLEANLY : Record.NONE;
    }

    void markRunning(long pid) throws IOException {
        String boot = bootId.get();
        write(file, "pid " + pid + " since " + Instant.now() + (boot == null ? "" : " boot " + boot) + "\n");
    }

    /** After a Cease to every peer: the next daemon does not restart, whatever forwarding state it finds. */
    void markStoppedCleanly(long pid) throws IOException {
        write(stopped, "pid " + pid + " stopped with a Cease to every peer at " + Instant.now() + "\n");
        Files.deleteIfExists(file);
    }

    /** Forgets the running record (a start that failed before it spoke to any peer). */
    void clear() throws IOException {
        Files.deleteIfExists(file);
    }

    private static void write(Path target, String text) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
