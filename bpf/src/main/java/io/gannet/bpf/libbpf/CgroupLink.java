package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Pointer;

/**
 * A program attached to a cgroup v2 directory through a bpf link pinned in bpffs, so the
 * attachment outlives the process that made it (an agent restart leaves it working) and the
 * next process replaces the program in place (bpf_link_update: no moment without one). Removing
 * the pin, with no process holding the link, detaches it.
 */
public final class CgroupLink {
    private static final int O_RDONLY_DIRECTORY_CLOEXEC = 0x10000 | 0x80000;

    private CgroupLink() {}

    /**
     * Attaches {@code prog} at {@code attachType} (enum bpf_attach_type) of {@code cgroup}
     * through the link pinned at {@code pin}: the pinned link's program is replaced when it is
     * on that cgroup already, else a link on another cgroup is detached first and a new one
     * created and pinned.
     */
    public static void attach(BpfProgram prog, int attachType, Path cgroup, Path pin) {
        Native nat = Native.get();
        long cgroupId = cgroupId(cgroup);
        if (PinnedLink.updateInPlace(pin, prog, link -> info(link, pin).cgroupId() == cgroupId)) {
            return;
        }
        int cg = nat.libc().open(cgroup.toString(), O_RDONLY_DIRECTORY_CLOEXEC);
        if (cg < 0) {
            throw noCgroup(cgroup);
        }
        try {
            PinnedLink.pin(nat.bpf().bpf_link_create(prog.fd(), cg, attachType, null), pin, "attach " + prog.name() + " to cgroup " + cgroup);
        } finally {
            nat.libc().close(cg);
        }
    }

    /** Detaches the link pinned at {@code pin} and removes the pin; false when there is none. */
    public static boolean detach(Path pin) {
        return PinnedLink.detach(pin);
    }

    /** The cgroup id of the link pinned at {@code pin}, or 0 when there is none. */
    public static long attachedCgroupId(Path pin) {
        Attached a = attached(pin);
        return a == null ? 0 : a.cgroupId();
    }

    /** What a pinned link holds: its program and the cgroup it is attached to. */
    public record Attached(int programId, long cgroupId) {}

    /** The program and cgroup of the link pinned at {@code pin}; null when there is none. */
    public static Attached attached(Path pin) {
        if (!Files.exists(pin)) {
            return null;
        }
        Native nat = Native.get();
        int link = nat.bpf().bpf_obj_get(pin.toString());
        if (link < 0) {
            return null;
        }
        try {
            return info(link, pin);
        } finally {
            nat.libc().close(link);
        }
    }

    /** The directory of a cgroup id under the cgroup2 mount (a bounded walk), or null. */
    public static Path cgroupPath(long cgroupId) {
        Path root = io.gannet.linux.Cgroup2.mount();
        if (root == null) {
            return null;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(root, 8)) {
            return s.filter(Files::isDirectory).filter(p -> {
                try {
                    return ((Number) Files.getAttribute(p, "unix:ino")).longValue() == cgroupId;
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            }).findFirst().orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /** A cgroup v2 directory's id: its inode number on cgroup2fs, what bpf_link_info names. */
    public static long cgroupId(Path cgroup) {
        try {
            return ((Number) Files.getAttribute(cgroup, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw noCgroup(cgroup);
        }
    }

    private static BpfException noCgroup(Path cgroup) {
        return new BpfException(BpfException.Kind.NOT_FOUND, "open cgroup " + cgroup, 2,
                "no cgroup v2 directory " + cgroup + " (the cgroup2 mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host)");
    }

    /** struct bpf_link_info: type, id, prog_id, then (8-aligned) the cgroup member: cgroup_id, attach_type. */
    private static Attached info(int link, Path pin) {
        Native nat = Native.get();
        Pointer info = nat.allocate(64);
        Pointer len = nat.allocate(4);
        len.putInt(0, 64);
        BpfException.check("bpf_obj_get_info_by_fd " + pin, nat.bpf().bpf_obj_get_info_by_fd(link, info, len));
        return new Attached(info.getInt(8), info.getLong(16));
    }
}
