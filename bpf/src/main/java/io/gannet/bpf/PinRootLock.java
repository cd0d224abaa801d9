package io.gannet.bpf;

import io.gannet.bpf.libbpf.BpfException;
import io.gannet.bpf.libbpf.Native;
import io.gannet.linux.LibC;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An exclusive {@code flock(2)} on the pin root directory, so two daemons never share one
 * set of pinned maps (each would prune the other's services). bpffs holds no regular files,
 * so the lock is taken on the directory itself; the kernel drops it when the process dies,
 * so a crashed daemon never leaves a stale lock behind.
 *
 * <p>Within one JVM the lock is counted: the agent's start-up (issue 9) and the service
 * datapath may both {@link #acquire} the same root; the flock is released when the last
 * holder closes. Another process holding it makes {@link #acquire} fail at once with a
 * message naming the directory. Thread-safe.
 */
public final class PinRootLock implements AutoCloseable {
    private static final Map<Path, int[]> HELD = new HashMap<>(); // root -> {fd, holders}

    private final Path root;
    private boolean closed;

    private PinRootLock(Path root) {
        this.root = root;
    }

    /** Locks {@code pinRoot} (created if missing) or throws when another process holds it. */
    public static PinRootLock acquire(Path pinRoot) {
        Path root = pinRoot.toAbsolutePath().normalize();
        synchronized (HELD) {
            int[] held = HELD.get(root);
            if (held != null) {
                held[1]++;
                return new PinRootLock(root);
            }
            try {
                Files.createDirectories(root);
            } catch (java.io.IOException e) {
                throw new BpfException(BpfException.Kind.OTHER, "create pin root " + root, 0, e.toString());
            }
            LibC libc = Native.get().libc();
            int fd = libc.open(root.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
            if (fd < 0) {
                int errno = Native.get().lastErrno();
                throw new BpfException(BpfException.Kind.OTHER, "open pin root " + root, errno,
                        "cannot open the pin root directory");
            }
            if (libc.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0) {
                int errno = Native.get().lastErrno();
                libc.close(fd);
                throw new BpfException(BpfException.Kind.BUSY, "lock pin root " + root, errno,
                        "another gannet daemon is using the pin root " + root
                                + "; stop it or give this one its own --bpf-pin-root");
            }
            HELD.put(root, new int[] {fd, 1});
            return new PinRootLock(root);
        }
    }

    public Path root() {
        return root;
    }

    /** Releases this holder; the flock goes with the last one. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            int[] held = HELD.get(root);
            if (held != null && --held[1] == 0) {
                HELD.remove(root);
                Native.get().libc().flock(held[0], LibC.LOCK_UN);
                Native.get().libc().close(held[0]);
            }
        }
    }
}
