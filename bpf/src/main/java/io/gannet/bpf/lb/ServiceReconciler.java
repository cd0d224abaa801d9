package io.gannet.bpf.lb;

import io.gannet.bpf.maps.BackendValue;
import io.gannet.bpf.maps.MaglevValue;
import io.gannet.bpf.maps.RevNatValue;
import io.gannet.bpf.maps.SrcRangeKey;
import io.gannet.bpf.maps.SvcKey;
import io.gannet.bpf.maps.SvcValue;
import io.gannet.bpf.maps.TypedMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the service maps equal to a desired list of {@link ServiceSpec}s: idempotent
 * update, delete and prune, in an order that never shows the datapath a half-written
 * service (Cilium's bpf_reconciler):
 * <ol>
 *   <li>new backends (batch) and rev-NAT entries of new frontends (batch);</li>
 *   <li>backend slots (batch), then Maglev tables, then master slots (batch), so a master's
 *       count never points at a missing slot;</li>
 *   <li>slots beyond a shrunk count; removed frontends (master first); then backends no
 *       frontend references any more.</li>
 * </ol>
 * Backend IDs are stable per (address, port, protocol) and never reused while the agent
 * runs (they grow from the highest ID found in the maps), so a conntrack entry keeps
 * pointing at its backend while that backend survives, and at nothing once it is gone.
 *
 * <p>{@link #restore} rebuilds this state from pinned maps on start, dropping orphans.
 * Not thread-safe: its owner ({@link io.gannet.bpf.Datapath}) serializes calls.
 */
public final class ServiceReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceReconciler.class);

    /** Name shown for a frontend re-adopted from pinned maps until a desired state names it. */
    public static final String RESTORED_NAME = "(restored from pinned maps)";

    private record BackendKey(int addr, int port, int proto) {}

    /** What is programmed for one frontend. */
    private record Programmed(String name, int revNat, int flags, List<Integer> slotIds, int affinity, List<Integer> weights,
            List<SourceRange> ranges) {}

    private final TypedMap<SvcKey, SvcValue> svc;
    private final TypedMap<Integer, BackendValue> backends;
    private final TypedMap<Integer, RevNatValue> revNat;
    private final TypedMap<Integer, MaglevValue> maglev;
    private final TypedMap<SrcRangeKey, Integer> srcRanges; // null: source ranges unsupported (old pins in tests)

    private final Map<BackendKey, Integer> backendIds = new HashMap<>();
    private final Map<Integer, BackendKey> backendById = new HashMap<>();
    private final Map<Frontend, Programmed> programmed = new LinkedHashMap<>();
    private final Set<Integer> usedRevNat = new HashSet<>();
    private long nextBackendId = 1;
    private int nextRevNat = 1;
    private final int maglevSize;

    public ServiceReconciler(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revNat, TypedMap<Integer, MaglevValue> maglev) {
        this(svc, backends, revNat, maglev, null);
    }

    public ServiceReconciler(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revNat, TypedMap<Integer, MaglevValue> maglev,
            TypedMap<SrcRangeKey, Integer> srcRanges) {
        this.srcRanges = srcRanges;
        this.svc = svc;
        this.backends = backends;
        this.revNat = revNat;
        this.maglev = maglev;
        // The datapath's table size: its dp_maglev4 values hold exactly this many entries.
        this.maglevSize = maglev == null ? MaglevValue.DEFAULT_M : maglev.raw().valueSize() / 4;
    }

    /** Entries of each Maglev table this datapath holds (the size the agent loaded it with). */
    public int maglevTableSize() {
        return maglevSize;
    }

    /**
     * Re-adopts what pinned maps hold (after an agent restart); returns the frontends found.
     * {@code highestIdInConntrack} is the largest backend ID a live conntrack entry still
     * names: new IDs start above it, so a removed backend's flows never land on a new one.
     */
    public int restore(long highestIdInConntrack) {
        nextBackendId = Math.max(1, highestIdInConntrack + 1);
        backendIds.clear();
        backendById.clear();
        programmed.clear();
        usedRevNat.clear();
        backends.forEach((id, b) -> {
            BackendKey k = new BackendKey(b.addr(), b.port(), b.proto());
            backendIds.put(k, id);
            backendById.put(id, k);
            nextBackendId = Math.max(nextBackendId, Integer.toUnsignedLong(id) + 1);
        });
        Map<Integer, List<SourceRange>> pinnedRanges = new HashMap<>();
        if (srcRanges != null) {
            srcRanges.forEachSlow((k, v) -> pinnedRanges.computeIfAbsent(k.revNatIndex(), x -> new ArrayList<>())
                    .add(new SourceRange(k.addr(), k.prefixLength())));
        }
        Map<SvcKey, SvcValue> all = svc.snapshot();
        List<SvcKey> orphans = new ArrayList<>();
        for (Map.Entry<SvcKey, SvcValue> e : all.entrySet()) {
            SvcKey k = e.getKey();
            if (k.slot() != 0) {
                SvcValue master = all.get(k.master());
                if (master == null || k.slot() > master.count()) {
                    orphans.add(k);
                }
                continue;
            }
            SvcValue m = e.getValue();
            List<Integer> ids = new ArrayList<>();
            for (int s = 1; s <= m.count(); s++) {
                SvcValue slot = all.get(k.withSlot(s));
                ids.add(slot == null ? 0 : slot.backendId());
            }
            Frontend fe = new Frontend(k.addr(), k.port(), Protocol.ofNumber(k.proto()));
            // weights null: unknown after a restart; the first apply compares the pinned Maglev table
            programmed.put(fe, new Programmed(RESTORED_NAME, m.revNatIndex(), m.flags(), List.copyOf(ids),
                    (m.flags() & SvcValue.F_AFFINITY) != 0 ? m.backendId() : 0, null,
                    sortedRanges(pinnedRanges.getOrDefault(m.revNatIndex(), List.of()))));
            usedRevNat.add(m.revNatIndex());
        }
        svc.deleteAll(orphans);
        List<Integer> staleRevNat = new ArrayList<>();
        revNat.forEach((idx, v) -> {
            if (!usedRevNat.contains(idx)) {
                staleRevNat.add(idx);
            }
        });
        revNat.deleteAll(staleRevNat);
        List<SrcRangeKey> staleRanges = new ArrayList<>();
        pinnedRanges.forEach((idx, rs) -> {
            if (!usedRevNat.contains(idx)) {
                rs.forEach(r -> staleRanges.add(new SrcRangeKey(idx, r.addr(), r.prefixLength())));
            }
        });
        if (srcRanges != null) {
            srcRanges.deleteAll(staleRanges);
        }
        // Maglev tables of frontends that are gone or no longer use Maglev (keys only: a
        // batch read of 64 KiB values would be wasteful)
        Set<Integer> maglevUsers = new HashSet<>();
        for (Programmed p : programmed.values()) {
            if ((p.flags & SvcValue.F_MAGLEV) != 0) {
                maglevUsers.add(p.revNat);
            }
        }
        List<Integer> staleTables = new ArrayList<>();
        byte[] k = maglev.raw().nextKey(null);
        while (k != null) {
            int idx = io.gannet.bpf.maps.Layout.U32.decode(k);
            if (!maglevUsers.contains(idx)) {
                staleTables.add(idx);
            }
            k = maglev.raw().nextKey(k);
        }
        maglev.deleteAll(staleTables);
        LOG.info("restored {} frontends and {} backends from pinned maps (pruned {} orphan slots, {} rev-NAT entries)",
                programmed.size(), backendIds.size(), orphans.size(), staleRevNat.size());
        return programmed.size();
    }

    public ApplyResult apply(List<ServiceSpec> desired) {
        return apply(desired, false);
    }

    /**
     * Like {@link #apply(List)}; with {@code keepUnlisted} frontends the maps hold that
     * {@code desired} does not name are kept as they are instead of removed (the desired
     * state is known to be incomplete: a Service file that has not parsed since start-up).
     */
    public ApplyResult apply(List<ServiceSpec> desired, boolean keepUnlisted) {
        Map<Frontend, ServiceSpec> want = new LinkedHashMap<>();
        for (ServiceSpec s : desired) {
            ServiceSpec prev = want.putIfAbsent(s.frontend(), s);
            if (prev != null) {
                LOG.warn("frontend {} defined twice ({} and {}): keeping {}", s.frontend(), prev.name(), s.name(), prev.name());
            }
        }
        if (keepUnlisted) {
            for (Map.Entry<Frontend, Programmed> e : programmed.entrySet()) {
                if (!want.containsKey(e.getKey())) {
                    Programmed p = e.getValue();
                    List<Backend> bs = new ArrayList<>();
                    for (int id : p.slotIds) {
                        BackendKey k = backendById.get(id);
                        if (k != null) {
                            bs.add(new Backend(k.addr, k.port));
                        }
                    }
                    want.put(e.getKey(), new ServiceSpec(p.name, e.getKey(), (p.flags & SvcValue.F_EXTERNAL) != 0,
                            (p.flags & SvcValue.F_MAGLEV) != 0 ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM, bs,
                            p.affinity, Map.of(), new ServiceSpec.Access((p.flags & SvcValue.F_NODEPORT) != 0,
                                    (p.flags & SvcValue.F_SNAT) != 0, p.ranges)));
                }
            }
        }

        // 1. backends and rev-NAT entries
        Set<BackendKey> wantBackends = new HashSet<>();
        List<Map.Entry<Integer, BackendValue>> newBackends = new ArrayList<>();
        for (ServiceSpec s : want.values()) {
            for (Backend b : s.backends()) {
                BackendKey k = new BackendKey(b.addr(), b.port(), s.frontend().protocol().number());
                wantBackends.add(k);
                if (!backendIds.containsKey(k)) {
                    int id = allocateBackendId();
                    backendIds.put(k, id);
                    backendById.put(id, k);
                    newBackends.add(Map.entry(id, new BackendValue(k.addr, k.port, k.proto)));
                }
            }
        }
        backends.putAll(newBackends);

        List<Map.Entry<Integer, RevNatValue>> newRevNat = new ArrayList<>();
        List<Map.Entry<SvcKey, SvcValue>> slots = new ArrayList<>();
        List<Map.Entry<SvcKey, SvcValue>> masters = new ArrayList<>();
        List<SvcKey> staleSlots = new ArrayList<>();
        List<Map.Entry<SrcRangeKey, Integer>> newRanges = new ArrayList<>();
        List<SrcRangeKey> staleRangeKeys = new ArrayList<>();
        int added = 0;
        int updated = 0;
        Map<Frontend, Programmed> next = new LinkedHashMap<>();
        for (ServiceSpec s : want.values()) {
            Frontend fe = s.frontend();
            Programmed old = programmed.get(fe);
            int rn;
            ServiceSpec.Access access = s.access();
            if (!access.sourceRanges().isEmpty() && srcRanges == null) {
                throw new IllegalStateException(s.name() + ": loadBalancerSourceRanges need the dp_src_range4 map");
            }
            int flags = (s.external() ? SvcValue.F_EXTERNAL : 0)
                    | (s.algorithm() == ServiceSpec.Algorithm.MAGLEV ? SvcValue.F_MAGLEV : 0)
                    | (s.affinityTimeoutSeconds() > 0 ? SvcValue.F_AFFINITY : 0)
                    | (access.nodePort() ? SvcValue.F_NODEPORT : 0)
                    | (access.snat() ? SvcValue.F_SNAT : 0)
                    | (access.sourceRanges().isEmpty() ? 0 : SvcValue.F_SRC_RANGES);
            RevNatValue rnValue = new RevNatValue(fe.addr(), fe.port(), access.nodePort() ? RevNatValue.F_NODEPORT : 0);
            if (old == null) {
                rn = allocateRevNat();
                newRevNat.add(Map.entry(rn, rnValue));
            } else {
                rn = old.revNat;
                if ((old.flags & SvcValue.F_NODEPORT) != (flags & SvcValue.F_NODEPORT)) {
                    newRevNat.add(Map.entry(rn, rnValue));
                }
            }
            List<SourceRange> ranges = sortedRanges(access.sourceRanges());
            List<Backend> sorted = s.backends().stream().distinct().sorted().toList();
            List<Integer> ids = new ArrayList<>(sorted.size());
            for (Backend b : sorted) {
                ids.add(backendIds.get(new BackendKey(b.addr(), b.port(), fe.protocol().number())));
            }
            List<Integer> weights = sorted.stream().map(b -> s.weights().getOrDefault(b, 1)).toList();
            Programmed now = new Programmed(s.name(), rn, flags, List.copyOf(ids), s.affinityTimeoutSeconds(), weights, ranges);
            next.put(fe, now);
            SvcKey master = new SvcKey(fe.addr(), fe.port(), 0, fe.protocol().number());
            List<SourceRange> oldRanges = old == null ? List.of() : old.ranges;
            if (!oldRanges.equals(ranges)) {
                // ranges first (added before, removed after the master is written): a packet never sees the
                // flag without its ranges
                for (SourceRange r : ranges) {
                    if (!oldRanges.contains(r)) {
                        newRanges.add(Map.entry(new SrcRangeKey(rn, r.addr(), r.prefixLength()), 1));
                    }
                }
                for (SourceRange r : oldRanges) {
                    if (!ranges.contains(r)) {
                        staleRangeKeys.add(new SrcRangeKey(rn, r.addr(), r.prefixLength()));
                    }
                }
            }
            boolean same = old != null && old.flags == flags && old.slotIds.equals(now.slotIds) && old.affinity == now.affinity
                    && oldRanges.equals(ranges)
                    && ((flags & SvcValue.F_MAGLEV) == 0 || weights.equals(old.weights)
                        || (old.weights == null && pinnedTableIs(rn, sorted, ids, weights)));
            if (same) {
                continue;
            }
            if (old == null) {
                added++;
            } else {
                updated++;
            }
            for (int i = 0; i < ids.size(); i++) {
                Integer prev = old != null && i < old.slotIds.size() ? old.slotIds.get(i) : null;
                if (!Objects.equals(prev, ids.get(i))) {
                    slots.add(Map.entry(master.withSlot(i + 1), SvcValue.slot(ids.get(i))));
                }
            }
            if (old != null) {
                for (int i = ids.size(); i < old.slotIds.size(); i++) {
                    staleSlots.add(master.withSlot(i + 1));
                }
            }
            if ((flags & SvcValue.F_MAGLEV) != 0) {
                int[] idArray = ids.stream().mapToInt(Integer::intValue).toArray();
                int[] weightArray = weights.stream().mapToInt(Integer::intValue).toArray();
                maglev.put(rn, new MaglevValue(Maglev.table(sorted, idArray, weightArray, maglevSize)));
            } else if (old != null && (old.flags & SvcValue.F_MAGLEV) != 0) {
                maglev.delete(rn);
            }
            masters.add(Map.entry(master, SvcValue.master(ids.size(), rn, flags, s.affinityTimeoutSeconds())));
        }
        revNat.putAll(newRevNat);
        for (Map.Entry<SrcRangeKey, Integer> e : newRanges) {
            srcRanges.put(e.getKey(), e.getValue()); // LPM tries take no batch updates
        }
        svc.putAll(slots);
        svc.putAll(masters);
        svc.deleteAll(staleSlots);
        if (srcRanges != null) {
            srcRanges.deleteAll(staleRangeKeys);
        }

        // 3. removed frontends: master first, so no packet sees a count without slots
        int removed = 0;
        for (Map.Entry<Frontend, Programmed> e : programmed.entrySet()) {
            if (next.containsKey(e.getKey())) {
                continue;
            }
            removed++;
            Frontend fe = e.getKey();
            Programmed p = e.getValue();
            SvcKey master = new SvcKey(fe.addr(), fe.port(), 0, fe.protocol().number());
            svc.delete(master);
            List<SvcKey> keys = new ArrayList<>();
            for (int i = 1; i <= p.slotIds.size(); i++) {
                keys.add(master.withSlot(i));
            }
            svc.deleteAll(keys);
            if ((p.flags & SvcValue.F_MAGLEV) != 0) {
                maglev.delete(p.revNat);
            }
            revNat.delete(p.revNat);
            if (srcRanges != null) {
                srcRanges.deleteAll(p.ranges.stream().map(r -> new SrcRangeKey(p.revNat, r.addr(), r.prefixLength())).toList());
            }
            usedRevNat.remove(p.revNat);
        }
        programmed.clear();
        programmed.putAll(next);

        // 4. backends nobody references
        List<Integer> goneIds = new ArrayList<>();
        for (Map.Entry<BackendKey, Integer> e : backendIds.entrySet()) {
            if (!wantBackends.contains(e.getKey())) {
                goneIds.add(e.getValue());
            }
        }
        backends.deleteAll(goneIds);
        for (Integer id : goneIds) {
            backendIds.remove(backendById.remove(id));
        }
        ApplyResult r = new ApplyResult(added, updated, removed, newBackends.size(), goneIds.size());
        if (r.changed()) {
            LOG.info("services reconciled: {}", r);
        }
        return r;
    }

    private boolean pinnedTableIs(int revNatIndex, List<Backend> sorted, List<Integer> ids, List<Integer> weights) {
        MaglevValue pinned = maglev.get(revNatIndex);
        return pinned != null && java.util.Arrays.equals(pinned.backendIds(), Maglev.table(sorted,
                ids.stream().mapToInt(Integer::intValue).toArray(),
                weights.stream().mapToInt(Integer::intValue).toArray(), maglevSize));
    }

    private static List<SourceRange> sortedRanges(List<SourceRange> rs) {
        return rs.stream().distinct().sorted((a, b) -> a.prefixLength() != b.prefixLength()
                ? Integer.compare(a.prefixLength(), b.prefixLength()) : Integer.compareUnsigned(a.addr(), b.addr())).toList();
    }

    /** The programmed frontends with their backends, sorted by frontend. */
    public List<ServiceStatus> status() {
        List<ServiceStatus> out = new ArrayList<>();
        for (Map.Entry<Frontend, Programmed> e : programmed.entrySet()) {
            Programmed p = e.getValue();
            List<Backend> bs = new ArrayList<>();
            for (int id : p.slotIds) {
                BackendKey k = backendById.get(id);
                if (k != null) {
                    bs.add(new Backend(k.addr, k.port));
                }
            }
            out.add(new ServiceStatus(p.name, e.getKey(), (p.flags & SvcValue.F_EXTERNAL) != 0,
                    (p.flags & SvcValue.F_MAGLEV) != 0 ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM,
                    p.revNat, List.copyOf(bs), p.affinity));
        }
        out.sort((a, b) -> {
            int c = Integer.compareUnsigned(a.frontend().addr(), b.frontend().addr());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.frontend().port(), b.frontend().port());
            return c != 0 ? c : a.frontend().protocol().compareTo(b.frontend().protocol());
        });
        return out;
    }

    /** The backend ID programmed for a backend of a protocol, or null (for tests and diagnostics). */
    public Integer backendId(Backend b, Protocol p) {
        return backendIds.get(new BackendKey(b.addr(), b.port(), p.number()));
    }

    private int allocateBackendId() {
        long id = nextBackendId++;
        if (id > 0xffffffffL) {
            throw new IllegalStateException("backend IDs exhausted; restart the agent with fresh maps");
        }
        return (int) id;
    }

    private int allocateRevNat() {
        for (int tries = 0; tries < 65535; tries++) {
            int candidate = nextRevNat;
            nextRevNat = nextRevNat == 65535 ? 1 : nextRevNat + 1;
            if (usedRevNat.add(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("more than 65535 frontends: rev-NAT indexes exhausted");
    }
}
