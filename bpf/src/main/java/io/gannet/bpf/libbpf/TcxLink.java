package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program on a device's TC hook through a tcx link (Linux 6.6+): no qdisc, several programs
 * in order on one hook, and a program that answers TCX_NEXT (TC_ACT_UNSPEC) passes the packet
 * on to the next tcx program and then to the classic clsact filters, so whoever else uses the
 * hook keeps working. libbpf 1.1 (Debian 12) has no tcx API; the link is made with the raw
 * {@code bpf_link_create} (attach types BPF_TCX_INGRESS/EGRESS, target the ifindex).
 *
 * <p>The link is pinned in bpffs, so the attachment outlives the process that made it, and
 * the next process replaces the program in place (bpf_link_update). A device deleted and made
 * again (a pod's veth of the same name) leaves a link that no longer has a device (ifindex 0
 * in its info): it is replaced by a new one. Removing the pin, with no process holding the
 * link, detaches it.
 */
public final class TcxLink {
    static final int BPF_TCX_INGRESS = 46;
    static final int BPF_TCX_EGRESS = 47;
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;

    private TcxLink() {}

    static int attachType(Tc.Direction dir) {
        return dir == Tc.Direction.INGRESS ? BPF_TCX_INGRESS : BPF_TCX_EGRESS;
    }

    /**
     * Attaches {@code prog} to {@code ifindex}'s hook through the link pinned at {@code pin}
     * (replaced in place when it is live on that device). Returns false, changing nothing, when
     * the kernel has no tcx (before 6.6: EINVAL for the attach type).
     */
    static boolean attach(BpfProgram prog, int ifindex, Tc.Direction dir, Path pin) {
        if (PinnedLink.updateInPlace(pin, prog, link -> {
            int[] info = PinnedLink.info(link);
            return info != null && info[1] == ifindex; // else on another device, or its device is gone
        })) {
            return true;
        }
        int link = Native.get().bpf().bpf_link_create(prog.fd(), ifindex, attachType(dir), null);
        if (link == -EINVAL || link == -EOPNOTSUPP) {
            return false;
        }
        PinnedLink.pin(link, pin, "attach " + prog.name() + " to ifindex " + ifindex + " " + dir + " (tcx)");
        return true;
    }

    /** Detaches the link pinned at {@code pin} and removes the pin; false when there is none. */
    static boolean detach(Path pin) {
        return PinnedLink.detach(pin);
    }

    /**
     * Removes the pins of tcx links under {@code linksDir} whose device is gone (a pod deleted
     * while no agent ran): such a link attaches nothing and only holds its program. Returns how
     * many.
     */
    public static int sweepDefunct(Path linksDir) {
        if (!Files.isDirectory(linksDir)) {
            return 0;
        }
        int n = 0;
        try (java.util.stream.Stream<Path> s = Files.list(linksDir)) {
            for (Path pin : s.filter(p -> p.getFileName().toString().startsWith("tc-")).toList()) {
                Native nat = Native.get();
                int link = nat.bpf().bpf_obj_get(pin.toString());
                if (link < 0) {
                    continue;
                }
                int[] info;
                try {
                    info = PinnedLink.info(link);
                } finally {
                    nat.libc().close(link);
                }
                if (info != null && info[1] == 0) {
                    PinnedLink.deletePin(pin);
                    n++;
                }
            }
        } catch (IOException e) {
            return n;
        }
        return n;
    }
}
