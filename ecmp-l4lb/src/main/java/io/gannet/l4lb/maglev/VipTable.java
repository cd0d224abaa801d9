package io.gannet.l4lb.maglev;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Maglev;
import io.gannet.l4lb.model.WeightedBackend;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A VIP's Maglev table as a pure function of its healthy backends and their weights, and
 * the table's fingerprint: the same backend set gives the same table and fingerprint on
 * every host, so comparing fingerprints across LB hosts shows divergence at a glance.
 *
 * <p>The table itself comes from the datapath's {@link Maglev} (one implementation: what is
 * fingerprinted here is what the datapath programs). Entries hold 1-based indexes into
 * {@link #backends()} (0 = no backend), not the per-host backend IDs of the datapath, so the
 * fingerprint does not depend on the order in which a host learned its backends.
 *
 * @param backends the table's backends in their stable order (address, then port)
 * @param entries  the table: 1-based index into {@code backends} per entry
 * @param fingerprint 64-bit FNV-1a over the backends, their weights and the entries, as 16 hex digits
 */
public record VipTable(List<WeightedBackend> backends, int[] entries, String fingerprint) {

    /** The fingerprint of an empty table (no healthy backend). */
    public static final String EMPTY = "0000000000000000";

    /** Builds the table of size {@code m} (prime) from the backends with weight > 0 or not. */
    public static VipTable build(List<WeightedBackend> healthy, int m) {
        if (!BigInteger.valueOf(m).isProbablePrime(30)) {
            throw new IllegalArgumentException("Maglev table size " + m + " is not prime");
        }
        List<WeightedBackend> sorted = healthy.stream().distinct().sorted().toList();
        int n = sorted.size();
        List<Backend> bs = new ArrayList<>(n);
        int[] ids = new int[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            bs.add(sorted.get(i).backend());
            ids[i] = i + 1;
            weights[i] = sorted.get(i).weight();
        }
        int[] table = Maglev.table(bs, ids, weights, m);
        return new VipTable(sorted, table, n == 0 || table[0] == 0 ? EMPTY : fingerprint(sorted, table));
    }

    /** Entries per backend (index 0 = backends().get(0)), for balance checks and {@code show vips}. */
    public int[] counts() {
        int[] c = new int[backends.size()];
        for (int e : entries) {
            if (e > 0) {
                c[e - 1]++;
            }
        }
        return c;
    }

    /** The backend at a table entry, or null. */
    public Backend at(int entry) {
        int v = entries[entry];
        return v == 0 ? null : backends.get(v - 1).backend();
    }

    private static String fingerprint(List<WeightedBackend> sorted, int[] table) {
        long h = 0xcbf29ce484222325L;
        for (WeightedBackend b : sorted) {
            for (byte x : (b.backend() + "*" + b.weight() + ";").getBytes(StandardCharsets.US_ASCII)) {
                h = (h ^ (x & 0xff)) * 0x100000001b3L;
            }
        }
        for (int e : table) {
            h = (h ^ (e & 0xff)) * 0x100000001b3L;
            h = (h ^ ((e >>> 8) & 0xff)) * 0x100000001b3L;
        }
        return String.format("%016x", h);
    }
}
