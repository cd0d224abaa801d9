package io.gannet.l4lb.maglev;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Maglev;
import io.gannet.bpf.lb.MaglevTable;
import io.gannet.l4lb.model.WeightedBackend;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A VIP's lookup table as a pure function of its configured backends, their weights and which
 * of them are healthy, and the table's fingerprint: the same inputs give the same table and
 * fingerprint on every host, so comparing fingerprints across LB hosts shows divergence at a
 * glance.
 *
 * <p>Two tiers, so that a health flap moves only the flows of the backend that flapped:
 * <ol>
 *   <li><b>Maglev over the configured backends</b> (weight > 0, healthy or not): the
 *       datapath's own {@link Maglev#table} (one implementation). This tier changes only when
 *       the Service's backend set or weights change, and then it moves what Maglev moves.</li>
 *   <li><b>Failover by weighted rendezvous hashing</b> (highest random weight, Thaler and
 *       Ravishankar 1998): each entry whose Maglev owner is not healthy goes to the healthy
 *       backend (weight > 0) with the highest score {@code -weight / ln(u)}, {@code u} in (0, 1)
 *       a hash of (entry, backend name). A backend wins an entry with probability weight /
 *       (sum of the healthy weights), and whether it wins depends only on the entry and the
 *       healthy set, so: a backend that fails moves exactly the entries it held (its Maglev
 *       share and whatever it had taken over), nothing else; when it recovers the table is
 *       again what it was before it failed. All healthy: plain Maglev.</li>
 * </ol>
 * Cost: one Maglev build (~M ln M) plus (entries of unhealthy backends) x (healthy backends)
 * hashes; logarithms only when the healthy backends have more than one weight, one per
 * weight per failed-over entry ({@link StrictMath#log}: the same bits on every JVM and CPU).
 *
 * <p>Entries hold 1-based indexes into {@link #backends()} (0 = no backend), not the per-host
 * backend IDs of the datapath, so the fingerprint does not depend on the order in which a
 * host learned its backends; {@link #toMaglevTable()} is what the datapath programs.
 *
 * @param backends    the configured backends in their stable order (address, then port), weight 0 included
 * @param healthy     those of {@code backends} that are healthy
 * @param entries     the table: 1-based index into {@code backends} per entry; only healthy backends
 *                    with weight > 0 appear; all 0 when there is none
 * @param fingerprint 64-bit FNV-1a over the backends, their weights, their health and the entries, as
 *                    16 hex digits; {@link #EMPTY} when no backend is healthy
 */
public record VipTable(List<WeightedBackend> backends, Set<Backend> healthy, int[] entries, String fingerprint, SlotPlan plan) {

    /** The fingerprint of an empty table (no healthy backend with weight > 0). */
    public static final String EMPTY = "0000000000000000";

    public VipTable {
        backends = List.copyOf(backends);
        healthy = Set.copyOf(healthy);
    }

    /** The table of size {@code m} (prime) with every configured backend healthy: plain weighted Maglev. */
    public static VipTable build(List<WeightedBackend> backends, int m) {
        Set<Backend> all = new HashSet<>();
        backends.forEach(b -> all.add(b.backend()));
        return build(backends, all, m);
    }

    /**
     * The table of size {@code m} (prime): Maglev over {@code configured} (weight 0 takes no
     * entries), then the entries of backends not in {@code healthy} failed over to healthy ones.
     */
    public static VipTable build(List<WeightedBackend> configured, Set<Backend> healthy, int m) {
        return build(configured, SlotPlan.fresh(configured), healthy, m);
    }

    /**
     * The table of size {@code m} (prime) over agreed slots: Maglev over {@code plan}'s slots
     * (each a backend's permutation, held by a configured backend or empty), then the entries of
     * empty slots and of holders not in {@code healthy} failed over to healthy holders. {@code plan}
     * must be {@code plan.next(configured)} or {@link SlotPlan#fresh}: every configured backend with
     * weight > 0 holds a slot of its weight.
     */
    public static VipTable build(List<WeightedBackend> configured, SlotPlan plan, Set<Backend> healthy, int m) {
        if (!BigInteger.valueOf(m).isProbablePrime(30)) {
            throw new IllegalArgumentException("Maglev table size " + m + " is not prime");
        }
        List<WeightedBackend> sorted = normalize(configured);
        Set<Backend> up = healthyOf(sorted, healthy);
        int n = sorted.size();
        Map<Backend, Integer> index = new HashMap<>();
        boolean[] isUp = new boolean[n];
        int candidates = 0;
        for (int i = 0; i < n; i++) {
            WeightedBackend b = sorted.get(i);
            index.put(b.backend(), i);
            isUp[i] = up.contains(b.backend());
            if (b.weight() > 0 && isUp[i]) {
                candidates++;
            }
        }
        List<SlotPlan.Slot> slots = plan.slots();
        int k = slots.size();
        byte[][] seeds = new byte[k][];
        int[] ids = new int[k];
        int[] weights = new int[k];
        int[] holderOf = new int[k]; // slot -> 1-based backend index, 0 = empty
        boolean[] holds = new boolean[n];
        for (int j = 0; j < k; j++) {
            SlotPlan.Slot s = slots.get(j);
            Integer i = s.holder() == null ? null : index.get(s.holder());
            if (s.holder() != null && (i == null || sorted.get(i).weight() != s.weight())) {
                throw new IllegalArgumentException("slot " + s.name() + " is held by " + s.holder()
                        + ", which is not configured with weight " + s.weight());
            }
            seeds[j] = s.seed();
            ids[j] = j + 1;
            weights[j] = s.weight();
            holderOf[j] = i == null ? 0 : i + 1;
            if (i != null) {
                holds[i] = true;
            }
        }
        for (int i = 0; i < n; i++) {
            if (sorted.get(i).weight() > 0 && !holds[i]) {
                throw new IllegalArgumentException(sorted.get(i).backend() + " is configured but holds no slot");
            }
        }
        if (candidates == 0) {
            return new VipTable(sorted, up, new int[m], EMPTY, plan);
        }
        int[] table = Maglev.fill(seeds, ids, weights, m);
        boolean down = false;
        for (int e = 0; e < m; e++) {
            int b = holderOf[table[e] - 1]; // every entry is filled: at least one slot
            table[e] = b;
            down |= b == 0 || !isUp[b - 1];
        }
        if (down) {
            failOver(table, sorted, isUp);
        }
        return new VipTable(sorted, up, table, fingerprint(sorted, isUp, table, plan), plan);
    }

    /** Whether this table is what {@link #build(List, Set, int)} gives for these inputs (to skip a rebuild). */
    public boolean builtFrom(List<WeightedBackend> configured, Set<Backend> healthy, int m) {
        return builtFrom(configured, SlotPlan.fresh(configured), healthy, m);
    }

    /** Whether this table is what {@link #build(List, SlotPlan, Set, int)} gives for these inputs (to skip a rebuild). */
    public boolean builtFrom(List<WeightedBackend> configured, SlotPlan plan, Set<Backend> healthy, int m) {
        if (m != entries.length || !plan.equals(this.plan)) {
            return false;
        }
        List<WeightedBackend> sorted = normalize(configured);
        return sorted.equals(backends) && healthyOf(sorted, healthy).equals(this.healthy);
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

    /** The table as the datapath programs it (through {@code ServiceSpec.withMaglevTable}). */
    public MaglevTable toMaglevTable() {
        return new MaglevTable(backends.stream().map(WeightedBackend::backend).toList(), entries);
    }

    /** Equal backends, health and entries (the record's own equals would compare the array's identity). */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof VipTable t && fingerprint.equals(t.fingerprint) && backends.equals(t.backends)
                && healthy.equals(t.healthy) && Arrays.equals(entries, t.entries) && plan.equals(t.plan);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return "VipTable[" + entries.length + " entries, " + healthy.size() + "/" + backends.size() + " backends healthy, "
                + plan + ", " + fingerprint + "]";
    }

    private static List<WeightedBackend> normalize(List<WeightedBackend> configured) {
        return configured.stream().distinct().sorted().toList();
    }

    private static Set<Backend> healthyOf(List<WeightedBackend> sorted, Set<Backend> healthy) {
        Set<Backend> up = new HashSet<>();
        for (WeightedBackend b : sorted) {
            if (healthy.contains(b.backend())) {
                up.add(b.backend());
            }
        }
        return up;
    }

    /**
     * Tier 2: every entry whose owner is not healthy goes to the healthy backend (weight > 0)
     * with the highest score -w / ln(u). Within one weight the highest u wins (the score grows
     * with u), so the scan compares 64-bit hashes per weight and takes one logarithm per
     * distinct weight; ties go to the earlier backend (and the earlier weight), so the result
     * never depends on anything but the inputs.
     */
    private static void failOver(int[] table, List<WeightedBackend> sorted, boolean[] isUp) {
        int n = sorted.size();
        int[] cand = new int[n];
        long[] seed = new long[n];
        int[] group = new int[n];
        int[] groupWeight = new int[n];
        int c = 0;
        int groups = 0;
        for (int i = 0; i < n; i++) {
            WeightedBackend b = sorted.get(i);
            if (!isUp[i] || b.weight() == 0) {
                continue;
            }
            int g = 0;
            while (g < groups && groupWeight[g] != b.weight()) {
                g++;
            }
            if (g == groups) {
                groupWeight[groups++] = b.weight();
            }
            cand[c] = i;
            seed[c] = nameHash(b.backend().toString());
            group[c] = g;
            c++;
        }
        long[] best = new long[groups];
        int[] bestK = new int[groups];
        for (int e = 0; e < table.length; e++) {
            int owner = table[e] - 1; // -1: an empty slot's entry
            if (owner >= 0 && isUp[owner]) {
                continue;
            }
            long salt = mix(e * 0x9e3779b97f4a7c15L + 0x632be59bd9b4e019L);
            int winner;
            if (groups == 1) {
                long top = 0;
                winner = -1;
                for (int k = 0; k < c; k++) {
                    long x = mix(seed[k] ^ salt);
                    if (winner < 0 || Long.compareUnsigned(x, top) > 0) {
                        top = x;
                        winner = k;
                    }
                }
            } else {
                Arrays.fill(bestK, -1);
                for (int k = 0; k < c; k++) {
                    long x = mix(seed[k] ^ salt);
                    int g = group[k];
                    if (bestK[g] < 0 || Long.compareUnsigned(x, best[g]) > 0) {
                        best[g] = x;
                        bestK[g] = k;
                    }
                }
                winner = -1;
                double top = 0;
                for (int g = 0; g < groups; g++) {
                    double u = ((best[g] >>> 11) + 0.5) * 0x1.0p-53; // in (0, 1)
                    double score = -groupWeight[g] / StrictMath.log(u);
                    if (winner < 0 || score > top) {
                        top = score;
                        winner = bestK[g];
                    }
                }
            }
            table[e] = cand[winner] + 1;
        }
    }

    /** 64-bit FNV-1a of a backend's name ("10.1.0.5:8080"), finalized (Maglev's own hash, seed 0): its rendezvous seed. */
    private static long nameHash(String name) {
        return Maglev.hash(name.getBytes(StandardCharsets.US_ASCII), 0);
    }

    private static long mix(long h) {
        return Maglev.mix(h);
    }

    private static String fingerprint(List<WeightedBackend> sorted, boolean[] isUp, int[] table, SlotPlan plan) {
        long h = 0xcbf29ce484222325L;
        if (!plan.plain()) { // plain Maglev's fingerprint is what it was before slots were agreed
            for (byte x : plan.encode().getBytes(StandardCharsets.US_ASCII)) {
                h = (h ^ (x & 0xff)) * 0x100000001b3L;
            }
        }
        for (int i = 0; i < sorted.size(); i++) {
            WeightedBackend b = sorted.get(i);
            for (byte x : (b.backend() + "*" + b.weight() + (isUp[i] ? "+" : "-") + ";").getBytes(StandardCharsets.US_ASCII)) {
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
