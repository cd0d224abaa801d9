package io.gannet.bpf.libbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Probes the running kernel (libbpf_probe_*) for what the datapath uses, instead of
 * assuming this machine's kernel. Everything probed exists since Linux 5.10, the oldest
 * kernel Gannet supports; batch map operations need 5.6.
 */
public final class KernelFeatures {
    static final int PROG_SCHED_CLS = 3;
    static final int PROG_XDP = 6;
    static final int MAP_HASH = 1;
    static final int MAP_ARRAY = 2;
    static final int MAP_PERCPU_ARRAY = 6;
    static final int MAP_LRU_HASH = 9;

    /** Helpers (enum bpf_func_id) the TC programs call. */
    private static final int[][] HELPERS = {
        {5, 0}, // ktime_get_ns
        {7, 0}, // get_prandom_u32
        {9, 0}, // skb_store_bytes
        {10, 0}, // l3_csum_replace
        {11, 0}, // l4_csum_replace
        {23, 0}, // redirect
        {28, 0}, // csum_diff
        {38, 0}, // skb_change_tail
    };
    private static final String[] HELPER_NAMES = {
        "bpf_ktime_get_ns", "bpf_get_prandom_u32", "bpf_skb_store_bytes", "bpf_l3_csum_replace",
        "bpf_l4_csum_replace", "bpf_redirect", "bpf_csum_diff", "bpf_skb_change_tail",
    };

    private KernelFeatures() {}

    /** What the probe found; {@link #missing} is empty on a usable kernel. */
    public record Report(String kernelRelease, boolean xdp, List<String> missing) {}

    public static Report probe() {
        LibBpf bpf = Native.get().bpf();
        List<String> missing = new ArrayList<>();
        if (bpf.libbpf_probe_bpf_prog_type(PROG_SCHED_CLS, null) != 1) {
            missing.add("program type BPF_PROG_TYPE_SCHED_CLS (CONFIG_NET_CLS_BPF)");
        }
        int[] maps = {MAP_HASH, MAP_ARRAY, MAP_PERCPU_ARRAY, MAP_LRU_HASH};
        String[] mapNames = {"BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_ARRAY", "BPF_MAP_TYPE_PERCPU_ARRAY", "BPF_MAP_TYPE_LRU_HASH"};
        for (int i = 0; i < maps.length; i++) {
            if (bpf.libbpf_probe_bpf_map_type(maps[i], null) != 1) {
                missing.add("map type " + mapNames[i]);
            }
        }
        for (int i = 0; i < HELPERS.length; i++) {
            if (bpf.libbpf_probe_bpf_helper(PROG_SCHED_CLS, HELPERS[i][0], null) != 1) {
                missing.add("helper " + HELPER_NAMES[i] + " for TC programs");
            }
        }
        String release = release();
        int[] v = version(release);
        if (v[0] < 5 || (v[0] == 5 && v[1] < 10)) {
            missing.add("Linux >= 5.10 (running " + release + ")");
        }
        boolean xdp = bpf.libbpf_probe_bpf_prog_type(PROG_XDP, null) == 1;
        return new Report(release, xdp, List.copyOf(missing));
    }

    /** Throws {@link BpfException.Kind#KERNEL_TOO_OLD} naming every missing feature. */
    public static Report require() {
        Report r = probe();
        if (!r.missing().isEmpty()) {
            throw new BpfException(BpfException.Kind.KERNEL_TOO_OLD, "kernel feature probe", 0,
                    "kernel " + r.kernelRelease() + " lacks " + String.join(", ", r.missing())
                            + "; Gannet's datapath needs Linux >= 5.10 with BPF and cls_bpf enabled");
        }
        return r;
    }

    static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version", "0.0");
        }
    }

    /** Major and minor of a release string like "6.1.0-18-amd64"; 0.0 when unparsable. */
    public static int[] version(String release) {
        String[] parts = release.split("[.-]");
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (RuntimeException e) {
            return new int[] {0, 0};
        }
    }
}
