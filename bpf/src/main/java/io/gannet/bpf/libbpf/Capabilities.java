package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the process's effective capabilities (CapEff in /proc/self/status) before any
 * bpf(2) call, so a missing capability is reported as such rather than as a kernel that
 * "lacks" every probed feature (libbpf's probes answer "unsupported" on EPERM).
 *
 * <p>Loading TC programs and maps needs CAP_BPF (Linux >= 5.8; CAP_SYS_ADMIN before, and
 * still accepted) and CAP_NET_ADMIN (networking program types, netlink TC attach).
 */
public final class Capabilities {
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_BPF = 39;

    private Capabilities() {}

    /** Missing capabilities for a CapEff hex mask, as names an operator can grant. */
    public static List<String> missing(long capEff) {
        List<String> out = new ArrayList<>();
        if (!has(capEff, CAP_BPF) && !has(capEff, CAP_SYS_ADMIN)) {
            out.add("CAP_BPF (or CAP_SYS_ADMIN)");
        }
        if (!has(capEff, CAP_NET_ADMIN)) {
            out.add("CAP_NET_ADMIN");
        }
        return out;
    }

    private static boolean has(long mask, int cap) {
        return (mask & (1L << cap)) != 0;
    }

    /** CapEff of this process, or -1 when /proc is unreadable (then nothing is asserted). */
    public static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Throws {@link BpfException.Kind#PERMISSION} naming what to grant. */
    public static void require() {
        long eff = effective();
        if (eff == -1) {
            return;
        }
        List<String> miss = missing(eff);
        if (!miss.isEmpty()) {
            throw new BpfException(BpfException.Kind.PERMISSION, "capability check", 1,
                    "the agent lacks " + String.join(" and ", miss)
                            + ": run it as root or grant them (systemd AmbientCapabilities=CAP_BPF CAP_NET_ADMIN CAP_PERFMON,"
                            + " Kubernetes securityContext.capabilities.add)");
        }
    }
}
