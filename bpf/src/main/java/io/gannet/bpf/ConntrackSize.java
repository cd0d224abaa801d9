package io.gannet.bpf;

import io.gannet.bpf.libbpf.BpfException;
import io.gannet.bpf.libbpf.BpfMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The size of the conntrack table (dp_ct4, and dp_snat4 with it, which holds at most one
 * rewrite per conntrack entry; dp_ct6, IPv6 Service flows, gets the same size), and its change
 * on an upgrade or a new setting.
 *
 * <p>Sized from the node's memory as Cilium sizes its tables (a share of it, 0.25% by default):
 * MemTotal x 0.0025 / 432 bytes, rounded down to a power of two, between 65,536 and 4,194,304:
 * 131,072 on a 24 GiB host, 65,536 on a 4 GiB one, 262,144 on 64 GiB. 432 bytes is what one
 * entry of all four tables costs, preallocated LRU hashes with the kernel's overhead (memlock of
 * {@code bpftool map create ... type lru_hash} at 65,536 entries): dp_ct4 96, dp_snat4 88, dp_ct6
 * 120, dp_snat6 128. (Before, the share counted the IPv4 tables only, so the IPv6 ones came on top.)
 *
 * <p>A pinned table of another size cannot be re-used by the programs: {@link #carry} reads its
 * entries, unpins it, and after the new programs created the new table, writes them in (an LRU
 * table smaller than the old one keeps what fits), so established flows keep their NAT state.
 * Until the pods' programs are replaced, they write the old table: a flow started in that
 * moment is judged again as new.
 */
public final class ConntrackSize {
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackSize.class);

    public static final int MIN = 65_536;
    public static final int MAX = 4_194_304;
    /** DP_CT_MAX in lib/maps.h: what the objects are compiled with. */
    public static final int COMPILED = 262_144;
    static final List<String> MAPS = List.of("dp_ct4", "dp_snat4", "dp_ct6", "dp_snat6");
    private static final double SHARE = 0.0025;
    private static final int BYTES_PER_ENTRY = 432;

    private ConntrackSize() {}

    /** The size for this node's memory (/proc/meminfo MemTotal); the compiled size when unknown. */
    public static int auto() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return forMemory(kib * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return COMPILED;
    }

    static int forMemory(long bytes) {
        long n = (long) (bytes * SHARE / BYTES_PER_ENTRY);
        long p = Long.highestOneBit(Math.max(1, n));
        return (int) Math.max(MIN, Math.min(MAX, p));
    }

    /** The max_entries each object's maps get (every object declares both maps). */
    static Map<String, Integer> overrides(int entries) {
        return Map.of("dp_ct4", entries, "dp_snat4", entries, "dp_ct6", entries, "dp_snat6", entries);
    }

    /** Entries read from pinned tables of another size, to be written into the new ones. */
    record Carried(Map<String, List<byte[][]>> entries, int from) {
        static final Carried NONE = new Carried(Map.of(), 0);
    }

    /** Before the objects load: a pinned table of another size is read and unpinned. */
    static Carried unpinResized(Path mapsDir, int entries) {
        Map<String, List<byte[][]>> out = new java.util.HashMap<>();
        int from = 0;
        for (String name : MAPS) {
            Path pin = mapsDir.resolve(name);
            if (!Files.exists(pin)) {
                continue;
            }
            try (BpfMap m = BpfMap.openPinnedAsIs(pin.toString())) {
                if (m == null || m.maxEntries() == entries) {
                    continue;
                }
                from = m.maxEntries();
                List<byte[][]> kv = new ArrayList<>();
                m.forEachBatch(4096, (k, v) -> kv.add(new byte[][] {k, v}));
                out.put(name, kv);
            }
            try {
                Files.delete(pin);
            } catch (IOException e) {
                throw new BpfException(BpfException.Kind.OTHER, "unpin " + pin, 0, e.toString());
            }
        }
        return out.isEmpty() ? Carried.NONE : new Carried(out, from);
    }

    /** After the objects load: the carried entries go into the new tables. */
    static void carry(Carried c, Map<String, BpfMap> tables, int entries) {
        if (c.entries().isEmpty()) {
            return;
        }
        int n = 0;
        for (Map.Entry<String, List<byte[][]>> e : c.entries().entrySet()) {
            BpfMap m = tables.get(e.getKey());
            for (byte[][] kv : e.getValue()) {
                m.update(kv[0], kv[1], BpfMap.BPF_ANY);
            }
            n += e.getKey().equals("dp_ct4") ? e.getValue().size() : 0;
        }
        LOG.info("conntrack table resized from {} to {} entries; {} entries carried over", c.from(), entries, n);
    }
}
