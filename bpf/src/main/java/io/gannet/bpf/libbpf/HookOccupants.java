package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Pointer;

/**
 * Finds BPF programs someone else attached to a device's TC hook — another CNI (Cilium,
 * Calico eBPF) or a tool — so Gannet can refuse to share the hook unless told to coexist:
 * <ul>
 *   <li>tcx programs (Linux 6.6+) other than Gannet's own, through BPF_PROG_QUERY on
 *       BPF_TCX_INGRESS/EGRESS (libbpf's {@code bpf_prog_query}); an older kernel answers
 *       EINVAL: none;</li>
 *   <li>cls_bpf filters on the clsact qdisc other than Gannet's (handle 0x6761), from
 *       {@code tc filter show} (iproute2): libbpf has no call that lists filters.</li>
 * </ul>
 * Other filter kinds (u32, flower, matchall) are not programs of a datapath and are ignored.
 * Runs in the calling thread's network namespace.
 */
public final class HookOccupants {
    private HookOccupants() {}

    /**
     * A description of every foreign BPF program on the hook, empty when none.
     *
     * @param own the program of Gannet's own tcx link on this hook (0: none), which is not foreign
     */
    public static List<String> foreign(String ifname, Tc.Direction dir, int own) {
        List<String> out = new ArrayList<>();
        int ifindex = Native.get().libc().if_nametoindex(ifname);
        if (ifindex == 0) {
            return out;
        }
        Pointer flags = Native.get().allocate(4);
        Pointer ids = Native.get().allocate(4 * 64);
        Pointer cnt = Native.get().allocate(4);
        cnt.putInt(0, 64);
        int ret = Native.get().bpf().bpf_prog_query(ifindex, TcxLink.attachType(dir), 0, flags, ids, cnt);
        if (ret == 0) {
            for (int i = 0; i < Math.min(64, cnt.getInt(0)); i++) {
                int id = ids.getInt(4L * i);
                if (id != own) {
                    out.add("tcx program id " + Integer.toUnsignedString(id));
                }
            }
        }
        String side = dir == Tc.Direction.INGRESS ? "ingress" : "egress";
        for (String line : tcFilters(ifname, side)) {
            String l = line.trim();
            if (l.contains(" bpf ") && l.contains("handle 0x") && !l.contains("handle 0x" + Integer.toHexString(Tc.HANDLE) + " ")) {
                out.add("tc filter: " + l);
            }
        }
        return out;
    }

    private static List<String> tcFilters(String ifname, String side) {
        try {
            Process p = new ProcessBuilder("tc", "filter", "show", "dev", ifname, side).redirectErrorStream(true).start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return p.exitValue() == 0 ? text.lines().toList() : List.of();
        } catch (IOException e) {
            throw new BpfException(BpfException.Kind.MISSING_LIBRARY, "tc filter show dev " + ifname, 0,
                    "cannot run tc (iproute2) to look for other programs on the hook: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
