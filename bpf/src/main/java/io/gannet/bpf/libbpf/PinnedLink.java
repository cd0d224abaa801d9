package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntPredicate;
import jnr.ffi.Pointer;

/**
 * A bpf link pinned in bpffs (cgroup hooks, tcx and XDP hooks): the attachment outlives the process that
 * made it; the next process replaces the program in place; removing the pin, with no process
 * holding the link, detaches it.
 */
final class PinnedLink {
    private PinnedLink() {}

    /**
     * When a link is pinned at {@code pin} and {@code sameTarget} holds for it (given its fd), its
     * program becomes {@code prog} (bpf_link_update: no moment without one) and this returns true;
     * otherwise a pinned link is detached and its pin removed, and this returns false.
     */
    static boolean updateInPlace(Path pin, BpfProgram prog, IntPredicate sameTarget) {
        if (!Files.exists(pin)) {
            return false;
        }
        Native nat = Native.get();
        int link = nat.bpf().bpf_obj_get(pin.toString());
        if (link >= 0) {
            try {
                if (sameTarget.test(link)) {
                    BpfException.check("bpf_link_update " + pin + " to " + prog.name(), nat.bpf().bpf_link_update(link, prog.fd(), null));
                    return true;
                }
                nat.bpf().bpf_link_detach(link);
            } finally {
                nat.libc().close(link);
            }
        }
        deletePin(pin);
        return false;
    }

    /** Pins a link just created ({@code link}: its fd, or a negative errno) at {@code pin} and closes the fd. */
    static void pin(int link, Path pin, String what) {
        BpfException.check(what, link);
        Native nat = Native.get();
        try {
            try {
                Files.createDirectories(pin.getParent());
            } catch (IOException e) {
                throw new BpfException(BpfException.Kind.OTHER, "create " + pin.getParent(), 0, e.toString());
            }
            BpfException.check("pin the link (" + what + ") at " + pin, nat.bpf().bpf_obj_pin(link, pin.toString()));
        } finally {
            nat.libc().close(link);
        }
    }

    /** Detaches the link pinned at {@code pin} and removes the pin; false when there is none. */
    static boolean detach(Path pin) {
        if (!Files.exists(pin)) {
            return false;
        }
        Native nat = Native.get();
        int link = nat.bpf().bpf_obj_get(pin.toString());
        if (link >= 0) {
            try {
                nat.bpf().bpf_link_detach(link);
            } finally {
                nat.libc().close(link);
            }
        }
        deletePin(pin);
        return true;
    }

    static void deletePin(Path pin) {
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "remove " + pin, 0, e.toString());
        }
    }

    /** The program of the device link (tcx or XDP) pinned at {@code pin} while it is live on {@code ifindex}; 0 otherwise. */
    static int programId(Path pin, int ifindex) {
        if (ifindex == 0 || !Files.exists(pin)) {
            return 0;
        }
        Native nat = Native.get();
        int link = nat.bpf().bpf_obj_get(pin.toString());
        if (link < 0) {
            return 0;
        }
        try {
            int[] info = info(link);
            return info != null && info[1] == ifindex ? info[0] : 0;
        } finally {
            nat.libc().close(link);
        }
    }

    /**
     * struct bpf_link_info of a device link: type, id, prog_id, then (8-aligned) the tcx or xdp
     * member, both starting with the ifindex. Returns {prog_id, ifindex}; null when the info
     * cannot be read.
     */
    static int[] info(int link) {
        Native nat = Native.get();
        Pointer info = nat.allocate(64);
        Pointer len = nat.allocate(4);
        len.putInt(0, 64);
        if (nat.bpf().bpf_obj_get_info_by_fd(link, info, len) < 0) {
            return null;
        }
        return new int[] {info.getInt(8), info.getInt(16)};
    }
}
