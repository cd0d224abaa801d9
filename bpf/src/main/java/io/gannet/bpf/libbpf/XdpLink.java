package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * The XDP program of a device through an XDP bpf link (Linux 5.9+), pinned in bpffs as the tcx
 * links are ({@link TcxLink}): the attachment outlives the process that made it, the next process
 * replaces the program in place (bpf_link_update), and removing the pin, with no process holding
 * the link, detaches it ({@code gannet datapath reset}). The mode (native driver XDP or generic)
 * is fixed when the link is made, so it is part of the pin's name ({@code xdp-native-DEV},
 * {@code xdp-generic-DEV}): attaching in the other mode replaces the link.
 *
 * <p>libbpf 1.1's {@code bpf_link_create} takes the XDP mode in {@code bpf_link_create_opts.flags}
 * ({@link Opts.LinkCreate}).
 */
public final class XdpLink {
    static final int BPF_XDP = 37;

    private XdpLink() {}

    /** One device's XDP link under a links directory. */
    public record Attached(String device, boolean nativeMode, int programId) {}

    /** The pin of Gannet's XDP link on a device in a mode. */
    public static Path pin(Path linksDir, String ifname, boolean nativeMode) {
        return linksDir.resolve("xdp-" + (nativeMode ? "native-" : "generic-") + ifname);
    }

    /**
     * Attaches {@code prog} as the device's XDP program through the link pinned under
     * {@code linksDir} (its program replaced in place when the link is live on the device in this
     * mode; a link of the other mode is detached first). Returns the attached program's ID.
     */
    public static int attach(String ifname, BpfProgram prog, boolean nativeMode, Path linksDir) {
        int ifindex = Tc.ifindex(ifname);
        PinnedLink.detach(pin(linksDir, ifname, !nativeMode));
        Path pin = pin(linksDir, ifname, nativeMode);
        if (!PinnedLink.updateInPlace(pin, prog, link -> {
            int[] info = PinnedLink.info(link);
            return info != null && info[1] == ifindex;
        })) {
            Pointer opts = Opts.alloc(Opts.LinkCreate.SIZE_TO_FLAGS);
            opts.putInt(Opts.LinkCreate.FLAGS, nativeMode ? Xdp.FLAGS_DRV_MODE : Xdp.FLAGS_SKB_MODE);
            int link = Native.get().bpf().bpf_link_create(prog.fd(), ifindex, BPF_XDP, opts);
            PinnedLink.pin(link, pin, "attach " + prog.name() + " to " + ifname + " (XDP, "
                    + (nativeMode ? "native" : "generic") + ")");
        }
        return PinnedLink.programId(pin, ifindex);
    }

    /** Detaches Gannet's XDP link from the device, either mode; false when there was none. */
    public static boolean detach(String ifname, Path linksDir) {
        return PinnedLink.detach(pin(linksDir, ifname, true)) | PinnedLink.detach(pin(linksDir, ifname, false));
    }

    /** Every XDP link pinned under {@code linksDir}, with its program's ID (0: its device is gone). */
    public static List<Attached> attached(Path linksDir) {
        List<Attached> out = new ArrayList<>();
        if (!Files.isDirectory(linksDir)) {
            return out;
        }
        try (java.util.stream.Stream<Path> s = Files.list(linksDir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                boolean nativeMode = name.startsWith("xdp-native-");
                if (!nativeMode && !name.startsWith("xdp-generic-")) {
                    continue;
                }
                String dev = name.substring(nativeMode ? "xdp-native-".length() : "xdp-generic-".length());
                out.add(new Attached(dev, nativeMode, PinnedLink.programId(p, Native.get().libc().if_nametoindex(dev))));
            }
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.OTHER, "list " + linksDir, 0, e.toString());
        }
        return out;
    }
}
