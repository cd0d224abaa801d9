package io.gannet.bpf.lb;

import io.gannet.bpf.maps.BackendValue;
import io.gannet.bpf.maps.BackendValue6;
import io.gannet.bpf.maps.MaglevValue;
import io.gannet.bpf.maps.NatValue;
import io.gannet.bpf.maps.NatValue6;
import io.gannet.bpf.maps.RevNatValue;
import io.gannet.bpf.maps.RevNatValue6;
import io.gannet.bpf.maps.SrcRangeKey;
import io.gannet.bpf.maps.SrcRangeKey6;
import io.gannet.bpf.maps.SvcKey;
import io.gannet.bpf.maps.SvcKey6;
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
 * <p>IPv6 frontends go to maps of their own (dp_svc6, dp_backends6, dp_revnat6) with the same
 * steps; backend IDs and rev-NAT indexes come from one allocator for both families, so an ID
 * names one backend whichever map holds it, and a Maglev table in dp_maglev4 (keyed by rev-NAT
 * index) serves either family. A dual-stack Service is two frontends (one per clusterIP), each
 * with its own family's backends: changing one never rewrites the other. An IPv6 frontend SNATed
 * to a node address (externalTrafficPolicy Cluster, lib/nodeport6.h) has that address in
 * dp_snat6_src under its rev-NAT index, written before its master slot and removed after it; an
 * IPv4 externalIP or load-balancer IP SNATed to a node address (lib/nodeport.h) likewise in
 * dp_snat4_src.
 *
 * <p>{@link #restore} rebuilds this state from pinned maps on start, dropping orphans.
 * Not thread-safe: its owner ({@link io.gannet.bpf.Datapath}) serializes calls.
 */
public final class ServiceReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceReconciler.class);

    /** Name shown for a frontend re-adopted from pinned maps until a desired state names it. */
    public static final String RESTORED_NAME = "(restored from pinned maps)";

    private record BackendKey(int addr, Ipv6 addr6, int port, int proto) {
        static BackendKey of(Backend b, int proto) {
            return new BackendKey(b.addr(), b.addr6(), b.port(), proto);
        }

        Backend backend() {
            return new Backend(addr, port, addr6);
        }
    }

    /** A slot of a frontend in dp_svc4 or dp_svc6 (0: the master). */
    private record Slot(Frontend fe, int slot) {
        Slot withSlot(int s) {
            return new Slot(fe, s);
        }
    }

    /** A loadBalancerSourceRanges entry of the frontend with this rev-NAT index (dp_src_range4 or dp_src_range6). */
    private record RangeEntry(int revNat, SourceRange range) {}

    /**
     * What is programmed for one frontend. {@code weights} null: re-adopted from pinned maps
     * (weights and table unknown); {@code table}: the caller's Maglev table, or null when the
     * reconciler computed it from the backends and weights; {@code snat6}: an IPv6 frontend's
     * SNAT source; {@code snat4}: an IPv4 external frontend's (0: none).
     */
    private record Programmed(String name, int revNat, int flags, List<Integer> slotIds, int affinity, List<Integer> weights,
            List<SourceRange> ranges, MaglevTable table, Ipv6 snat6, int snat4) {}

    private final TypedMap<SvcKey, SvcValue> svc;
    private final TypedMap<Integer, BackendValue> backends;
    private final TypedMap<Integer, RevNatValue> revNat;
    private final TypedMap<Integer, MaglevValue> maglev;
    private final TypedMap<SrcRangeKey, Integer> srcRanges; // null: source ranges unsupported (old pins in tests)
    private final TypedMap<SvcKey6, SvcValue> svc6; // the IPv6 maps; null: IPv6 frontends refused (old pins in tests)
    private final TypedMap<Integer, BackendValue6> backends6;
    private final TypedMap<Integer, RevNatValue6> revNat6;
    private final TypedMap<Integer, NatValue6> snatSrc6; // dp_snat6_src; null: IPv6 SNAT refused
    private final TypedMap<SrcRangeKey6, Integer> srcRanges6; // dp_src_range6; null: IPv6 source ranges refused
    private final TypedMap<Integer, NatValue> snatSrc4; // dp_snat4_src; null: IPv4 SNAT of external frontends refused

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
        this(svc, backends, revNat, maglev, srcRanges, null, null, null);
    }

    /** With the IPv6 maps (dp_svc6, dp_backends6, dp_revnat6); null: IPv6 frontends are refused. */
    public ServiceReconciler(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revNat, TypedMap<Integer, MaglevValue> maglev,
            TypedMap<SrcRangeKey, Integer> srcRanges, TypedMap<SvcKey6, SvcValue> svc6,
            TypedMap<Integer, BackendValue6> backends6, TypedMap<Integer, RevNatValue6> revNat6) {
        this(svc, backends, revNat, maglev, srcRanges, svc6, backends6, revNat6, null, null);
    }

    /**
     * With dp_snat6_src (IPv6 external frontends SNATed to a node address) and dp_src_range6 (their
     * loadBalancerSourceRanges) too; null: refused.
     */
    public ServiceReconciler(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revNat, TypedMap<Integer, MaglevValue> maglev,
            TypedMap<SrcRangeKey, Integer> srcRanges, TypedMap<SvcKey6, SvcValue> svc6,
            TypedMap<Integer, BackendValue6> backends6, TypedMap<Integer, RevNatValue6> revNat6,
            TypedMap<Integer, NatValue6> snatSrc6, TypedMap<SrcRangeKey6, Integer> srcRanges6) {
        this(svc, backends, revNat, maglev, srcRanges, svc6, backends6, revNat6, snatSrc6, srcRanges6, null);
    }

    /**
     * With dp_snat4_src too (IPv4 externalIPs and load-balancer IPs SNATed to a node address,
     * lib/nodeport.h); null: refused.
     */
    public ServiceReconciler(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revNat, TypedMap<Integer, MaglevValue> maglev,
            TypedMap<SrcRangeKey, Integer> srcRanges, TypedMap<SvcKey6, SvcValue> svc6,
            TypedMap<Integer, BackendValue6> backends6, TypedMap<Integer, RevNatValue6> revNat6,
            TypedMap<Integer, NatValue6> snatSrc6, TypedMap<SrcRangeKey6, Integer> srcRanges6,
            TypedMap<Integer, NatValue> snatSrc4) {
        this.snatSrc4 = snatSrc4;
        this.snatSrc6 = snatSrc6;
        this.srcRanges6 = srcRanges6;
        this.srcRanges = srcRanges;
        this.svc6 = svc6;
        this.backends6 = backends6;
        this.revNat6 = revNat6;
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
        backends.forEach((id, b) -> adoptBackend(id, new BackendKey(b.addr(), null, b.port(), b.proto())));
        if (backends6 != null) {
            backends6.forEach((id, b) -> adoptBackend(id, new BackendKey(0, new Ipv6(b.addrHi(), b.addrLo()), b.port(), b.proto())));
        }
        Map<Integer, List<SourceRange>> pinnedRanges = new HashMap<>();
        if (srcRanges != null) {
            srcRanges.forEachSlow((k, v) -> pinnedRanges.computeIfAbsent(k.revNatIndex(), x -> new ArrayList<>())
                    .add(new SourceRange(k.addr(), k.prefixLength())));
        }
        if (srcRanges6 != null) {
            srcRanges6.forEachSlow((k, v) -> pinnedRanges.computeIfAbsent(k.revNatIndex(), x -> new ArrayList<>())
                    .add(SourceRange.of(new Ipv6(k.addrHi(), k.addrLo()), k.prefixLength())));
        }
        Map<Integer, Ipv6> pinnedSnat6 = new HashMap<>();
        if (snatSrc6 != null) {
            snatSrc6.forEach((idx, v) -> pinnedSnat6.put(idx, new Ipv6(v.addrHi(), v.addrLo())));
        }
        Map<Integer, Integer> pinnedSnat4 = new HashMap<>();
        if (snatSrc4 != null) {
            snatSrc4.forEach((idx, v) -> pinnedSnat4.put(idx, v.addr()));
        }
        Map<Slot, SvcValue> all = new LinkedHashMap<>();
        svc.forEach((k, v) -> all.put(new Slot(new Frontend(k.addr(), k.port(), Protocol.ofNumber(k.proto())), k.slot()), v));
        if (svc6 != null) {
            svc6.forEach((k, v) -> all.put(new Slot(Frontend.of(new Ipv6(k.addrHi(), k.addrLo()), k.port(),
                    Protocol.ofNumber(k.proto())), k.slot()), v));
        }
        List<Slot> orphans = new ArrayList<>();
        for (Map.Entry<Slot, SvcValue> e : all.entrySet()) {
            Slot k = e.getKey();
            if (k.slot() != 0) {
                SvcValue master = all.get(k.withSlot(0));
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
            Frontend fe = k.fe();
            // weights null: unknown after a restart; the first apply compares the pinned Maglev table
            programmed.put(fe, new Programmed(RESTORED_NAME, m.revNatIndex(), m.flags(), List.copyOf(ids),
                    (m.flags() & SvcValue.F_AFFINITY) != 0 ? m.backendId() : 0, null,
                    sortedRanges(pinnedRanges.getOrDefault(m.revNatIndex(), List.of())), null,
                    fe.ipv6() && (m.flags() & SvcValue.F_SNAT) != 0 ? pinnedSnat6.get(m.revNatIndex()) : null,
                    !fe.ipv6() && (m.flags() & SvcValue.F_SNAT) != 0 ? pinnedSnat4.getOrDefault(m.revNatIndex(), 0) : 0));
            usedRevNat.add(m.revNatIndex());
        }
        deleteSlots(orphans);
        // a rev-NAT index lives in the map of its frontend's family only
        Map<Integer, Boolean> revNatIpv6 = new HashMap<>();
        programmed.forEach((fe, p) -> revNatIpv6.put(p.revNat, fe.ipv6()));
        List<Integer> staleRevNat = new ArrayList<>();
        revNat.forEach((idx, v) -> {
            if (!Boolean.FALSE.equals(revNatIpv6.get(idx))) {
                staleRevNat.add(idx);
            }
        });
        revNat.deleteAll(staleRevNat);
        int stale = staleRevNat.size();
        if (revNat6 != null) {
            List<Integer> staleRevNat6 = new ArrayList<>();
            revNat6.forEach((idx, v) -> {
                if (!Boolean.TRUE.equals(revNatIpv6.get(idx))) {
                    staleRevNat6.add(idx);
                }
            });
            revNat6.deleteAll(staleRevNat6);
            stale += staleRevNat6.size();
        }
        if (snatSrc6 != null) {
            Set<Integer> snatUsers = new HashSet<>();
            programmed.values().forEach(p -> {
                if (p.snat6 != null) {
                    snatUsers.add(p.revNat);
                }
            });
            snatSrc6.deleteAll(pinnedSnat6.keySet().stream().filter(idx -> !snatUsers.contains(idx)).toList());
        }
        if (snatSrc4 != null) {
            Set<Integer> snatUsers = new HashSet<>();
            programmed.values().forEach(p -> {
                if (p.snat4 != 0) {
                    snatUsers.add(p.revNat);
                }
            });
            snatSrc4.deleteAll(pinnedSnat4.keySet().stream().filter(idx -> !snatUsers.contains(idx)).toList());
        }
        List<RangeEntry> staleRanges = new ArrayList<>();
        pinnedRanges.forEach((idx, rs) -> {
            if (!usedRevNat.contains(idx)) {
                rs.forEach(r -> staleRanges.add(new RangeEntry(idx, r)));
            }
        });
        deleteRanges(staleRanges);
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
                programmed.size(), backendIds.size(), orphans.size(), stale);
        return programmed.size();
    }

    private void adoptBackend(int id, BackendKey k) {
        backendIds.put(k, id);
        backendById.put(id, k);
        nextBackendId = Math.max(nextBackendId, Integer.toUnsignedLong(id) + 1);
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
                            bs.add(k.backend());
                        }
                    }
                    // kept as it is, with the caller's Maglev table if it gave one
                    want.put(e.getKey(), new ServiceSpec(p.name, e.getKey(), (p.flags & SvcValue.F_EXTERNAL) != 0,
                            (p.flags & SvcValue.F_MAGLEV) != 0 ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM, bs,
                            p.affinity, Map.of(), new ServiceSpec.Access((p.flags & SvcValue.F_NODEPORT) != 0,
                                    (p.flags & SvcValue.F_SNAT) != 0, p.ranges, p.snat6, p.snat4), p.table));
                }
            }
        }

        // 1. backends and rev-NAT entries
        for (ServiceSpec s : want.values()) {
            if (s.frontend().ipv6() && svc6 == null) {
                throw new IllegalStateException(s.name() + ": IPv6 frontends need the dp_svc6 maps");
            }
            if (s.access().snatSource6() != null && snatSrc6 == null) {
                throw new IllegalStateException(s.name() + ": IPv6 SNAT needs the dp_snat6_src map");
            }
            if (s.access().snatSource4() != 0 && snatSrc4 == null) {
                throw new IllegalStateException(s.name() + ": IPv4 SNAT of an external frontend needs the dp_snat4_src map");
            }
            MaglevTable t = s.maglevTable();
            if (t != null) {
                if (t.size() != maglevSize) {
                    throw new IllegalArgumentException(s.name() + ": a Maglev table of " + t.size()
                            + " entries, but this datapath's tables hold " + maglevSize);
                }
                t.requireNamedIn(new HashSet<>(s.backends()), s.name());
            }
        }
        Set<BackendKey> wantBackends = new HashSet<>();
        List<Map.Entry<Integer, BackendValue>> newBackends = new ArrayList<>();
        List<Map.Entry<Integer, BackendValue6>> newBackends6 = new ArrayList<>();
        for (ServiceSpec s : want.values()) {
            for (Backend b : s.backends()) {
                BackendKey k = BackendKey.of(b, s.frontend().protocol().number());
                wantBackends.add(k);
                if (!backendIds.containsKey(k)) {
                    int id = allocateBackendId();
                    backendIds.put(k, id);
                    backendById.put(id, k);
                    if (k.addr6 == null) {
                        newBackends.add(Map.entry(id, new BackendValue(k.addr, k.port, k.proto)));
                    } else {
                        newBackends6.add(Map.entry(id, new BackendValue6(k.addr6.hi(), k.addr6.lo(), k.port, k.proto)));
                    }
                }
            }
        }
        backends.putAll(newBackends);
        if (!newBackends6.isEmpty()) {
            backends6.putAll(newBackends6);
        }

        List<Map.Entry<Integer, RevNatValue>> newRevNat = new ArrayList<>();
        List<Map.Entry<Integer, RevNatValue6>> newRevNat6 = new ArrayList<>();
        List<Map.Entry<Slot, SvcValue>> slots = new ArrayList<>();
        List<Map.Entry<Slot, SvcValue>> masters = new ArrayList<>();
        List<Slot> staleSlots = new ArrayList<>();
        List<RangeEntry> newRanges = new ArrayList<>();
        List<RangeEntry> staleRangeKeys = new ArrayList<>();
        List<Map.Entry<Integer, NatValue6>> newSnat6 = new ArrayList<>();
        List<Integer> staleSnat6 = new ArrayList<>();
        List<Map.Entry<Integer, NatValue>> newSnat4 = new ArrayList<>();
        List<Integer> staleSnat4 = new ArrayList<>();
        int added = 0;
        int updated = 0;
        Map<Frontend, Programmed> next = new LinkedHashMap<>();
        for (ServiceSpec s : want.values()) {
            Frontend fe = s.frontend();
            Programmed old = programmed.get(fe);
            int rn;
            ServiceSpec.Access access = s.access();
            if (!access.sourceRanges().isEmpty() && (fe.ipv6() ? srcRanges6 : srcRanges) == null) {
                throw new IllegalStateException(s.name() + ": loadBalancerSourceRanges need the dp_src_range"
                        + (fe.ipv6() ? "6" : "4") + " map");
            }
            int flags = (s.external() ? SvcValue.F_EXTERNAL : 0)
                    | (s.algorithm() == ServiceSpec.Algorithm.MAGLEV ? SvcValue.F_MAGLEV : 0)
                    | (s.affinityTimeoutSeconds() > 0 ? SvcValue.F_AFFINITY : 0)
                    | (access.nodePort() ? SvcValue.F_NODEPORT : 0)
                    | (access.snat() ? SvcValue.F_SNAT : 0)
                    | (access.sourceRanges().isEmpty() ? 0 : SvcValue.F_SRC_RANGES);
            int rnFlags = access.nodePort() ? RevNatValue.F_NODEPORT : 0;
            boolean writeRevNat;
            if (old == null) {
                rn = allocateRevNat();
                writeRevNat = true;
            } else {
                rn = old.revNat;
                writeRevNat = (old.flags & SvcValue.F_NODEPORT) != (flags & SvcValue.F_NODEPORT);
            }
            if (writeRevNat && fe.ipv6()) {
                newRevNat6.add(Map.entry(rn, new RevNatValue6(fe.addr6().hi(), fe.addr6().lo(), fe.port(), rnFlags)));
            } else if (writeRevNat) {
                newRevNat.add(Map.entry(rn, new RevNatValue(fe.addr(), fe.port(), rnFlags)));
            }
            List<SourceRange> ranges = sortedRanges(access.sourceRanges());
            List<Backend> sorted = s.backends().stream().distinct().sorted().toList();
            List<Integer> ids = new ArrayList<>(sorted.size());
            for (Backend b : sorted) {
                ids.add(backendIds.get(BackendKey.of(b, fe.protocol().number())));
            }
            List<Integer> weights = sorted.stream().map(b -> s.weights().getOrDefault(b, 1)).toList();
            Ipv6 snat6 = fe.ipv6() ? access.snatSource6() : null;
            int snat4 = fe.ipv6() ? 0 : access.snatSource4();
            Programmed now = new Programmed(s.name(), rn, flags, List.copyOf(ids), s.affinityTimeoutSeconds(), weights, ranges,
                    s.maglevTable(), snat6, snat4);
            Ipv6 oldSnat6 = old == null ? null : old.snat6;
            if (snat6 != null && !snat6.equals(oldSnat6)) {
                newSnat6.add(Map.entry(rn, new NatValue6(snat6.hi(), snat6.lo(), 0))); // before the master names SNAT
            } else if (snat6 == null && oldSnat6 != null) {
                staleSnat6.add(rn); // after the master stops naming it
            }
            int oldSnat4 = old == null ? 0 : old.snat4;
            if (snat4 != 0 && snat4 != oldSnat4) {
                newSnat4.add(Map.entry(rn, new NatValue(snat4, 0))); // before the master names SNAT
            } else if (snat4 == 0 && oldSnat4 != 0) {
                staleSnat4.add(rn); // after the master stops naming it
            }
            next.put(fe, now);
            Slot master = new Slot(fe, 0);
            List<SourceRange> oldRanges = old == null ? List.of() : old.ranges;
            if (!oldRanges.equals(ranges)) {
                // ranges first (added before, removed after the master is written): a packet never sees the
                // flag without its ranges
                for (SourceRange r : ranges) {
                    if (!oldRanges.contains(r)) {
                        newRanges.add(new RangeEntry(rn, r));
                    }
                }
                for (SourceRange r : oldRanges) {
                    if (!ranges.contains(r)) {
                        staleRangeKeys.add(new RangeEntry(rn, r));
                    }
                }
            }
            boolean same = old != null && old.flags == flags && old.slotIds.equals(now.slotIds) && old.affinity == now.affinity
                    && oldRanges.equals(ranges) && Objects.equals(oldSnat6, snat6) && oldSnat4 == snat4
                    && ((flags & SvcValue.F_MAGLEV) == 0
                        || (old.weights != null ? weights.equals(old.weights) && Objects.equals(old.table, now.table)
                            : pinnedTableIs(rn, maglevIds(s, sorted, ids, weights))));
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
                maglev.put(rn, new MaglevValue(maglevIds(s, sorted, ids, weights)));
            } else if (old != null && (old.flags & SvcValue.F_MAGLEV) != 0) {
                maglev.delete(rn);
            }
            masters.add(Map.entry(master, SvcValue.master(ids.size(), rn, flags, s.affinityTimeoutSeconds())));
        }
        revNat.putAll(newRevNat);
        if (!newRevNat6.isEmpty()) {
            revNat6.putAll(newRevNat6);
        }
        if (!newSnat6.isEmpty()) {
            snatSrc6.putAll(newSnat6);
        }
        if (!newSnat4.isEmpty()) {
            snatSrc4.putAll(newSnat4);
        }
        for (RangeEntry e : newRanges) { // LPM tries take no batch updates
            if (e.range().ipv6()) {
                srcRanges6.put(key6(e), 1);
            } else {
                srcRanges.put(key4(e), 1);
            }
        }
        putSlots(slots);
        putSlots(masters);
        deleteSlots(staleSlots);
        deleteRanges(staleRangeKeys);
        if (!staleSnat6.isEmpty()) {
            snatSrc6.deleteAll(staleSnat6);
        }
        if (!staleSnat4.isEmpty()) {
            snatSrc4.deleteAll(staleSnat4);
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
            Slot master = new Slot(fe, 0);
            deleteSlots(List.of(master));
            List<Slot> keys = new ArrayList<>();
            for (int i = 1; i <= p.slotIds.size(); i++) {
                keys.add(master.withSlot(i));
            }
            deleteSlots(keys);
            if ((p.flags & SvcValue.F_MAGLEV) != 0) {
                maglev.delete(p.revNat);
            }
            if (fe.ipv6()) {
                revNat6.delete(p.revNat);
                if (p.snat6 != null) {
                    snatSrc6.delete(p.revNat);
                }
            } else {
                revNat.delete(p.revNat);
                if (p.snat4 != 0) {
                    snatSrc4.delete(p.revNat);
                }
            }
            deleteRanges(p.ranges.stream().map(r -> new RangeEntry(p.revNat, r)).toList());
            usedRevNat.remove(p.revNat);
        }
        programmed.clear();
        programmed.putAll(next);

        // 4. backends nobody references
        List<Integer> goneIds = new ArrayList<>();
        List<Integer> goneIds6 = new ArrayList<>();
        for (Map.Entry<BackendKey, Integer> e : backendIds.entrySet()) {
            if (!wantBackends.contains(e.getKey())) {
                (e.getKey().addr6 == null ? goneIds : goneIds6).add(e.getValue());
            }
        }
        backends.deleteAll(goneIds);
        if (!goneIds6.isEmpty()) {
            backends6.deleteAll(goneIds6);
        }
        for (Integer id : goneIds) {
            backendIds.remove(backendById.remove(id));
        }
        for (Integer id : goneIds6) {
            backendIds.remove(backendById.remove(id));
        }
        ApplyResult r = new ApplyResult(added, updated, removed, newBackends.size() + newBackends6.size(),
                goneIds.size() + goneIds6.size());
        if (r.changed()) {
            LOG.info("services reconciled: {}", r);
        }
        return r;
    }

    /** Writes slots into dp_svc4 or dp_svc6 by their frontend's family (batched per map). */
    private void putSlots(List<Map.Entry<Slot, SvcValue>> entries) {
        List<Map.Entry<SvcKey, SvcValue>> v4 = new ArrayList<>();
        List<Map.Entry<SvcKey6, SvcValue>> v6 = new ArrayList<>();
        for (Map.Entry<Slot, SvcValue> e : entries) {
            Slot k = e.getKey();
            if (k.fe().ipv6()) {
                v6.add(Map.entry(key6(k), e.getValue()));
            } else {
                v4.add(Map.entry(key4(k), e.getValue()));
            }
        }
        svc.putAll(v4);
        if (!v6.isEmpty()) {
            svc6.putAll(v6);
        }
    }

    private void deleteSlots(List<Slot> keys) {
        List<SvcKey> v4 = new ArrayList<>();
        List<SvcKey6> v6 = new ArrayList<>();
        for (Slot k : keys) {
            if (k.fe().ipv6()) {
                v6.add(key6(k));
            } else {
                v4.add(key4(k));
            }
        }
        svc.deleteAll(v4);
        if (!v6.isEmpty()) {
            svc6.deleteAll(v6);
        }
    }

    private static SvcKey key4(Slot k) {
        return new SvcKey(k.fe().addr(), k.fe().port(), k.slot(), k.fe().protocol().number());
    }

    private static SvcKey6 key6(Slot k) {
        Ipv6 a = k.fe().addr6();
        return new SvcKey6(a.hi(), a.lo(), k.fe().port(), k.slot(), k.fe().protocol().number());
    }

    private boolean pinnedTableIs(int revNatIndex, int[] table) {
        MaglevValue pinned = maglev.get(revNatIndex);
        return pinned != null && java.util.Arrays.equals(pinned.backendIds(), table);
    }

    /**
     * A Maglev frontend's table as backend IDs: the caller's {@link MaglevTable} if the spec has
     * one, else {@link Maglev#table} over its (sorted) backends and their weights.
     */
    private int[] maglevIds(ServiceSpec s, List<Backend> sorted, List<Integer> ids, List<Integer> weights) {
        if (s.maglevTable() != null) {
            Map<Backend, Integer> idOf = new HashMap<>();
            for (int i = 0; i < sorted.size(); i++) {
                idOf.put(sorted.get(i), ids.get(i));
            }
            return s.maglevTable().toIds(idOf::get);
        }
        return Maglev.table(sorted, ids.stream().mapToInt(Integer::intValue).toArray(),
                weights.stream().mapToInt(Integer::intValue).toArray(), maglevSize);
    }

    private static List<SourceRange> sortedRanges(List<SourceRange> rs) {
        return rs.stream().distinct().sorted((a, b) -> a.ipv6() != b.ipv6() ? Boolean.compare(a.ipv6(), b.ipv6())
                : a.prefixLength() != b.prefixLength() ? Integer.compare(a.prefixLength(), b.prefixLength())
                : a.ipv6() ? a.addr6().compareTo(b.addr6()) : Integer.compareUnsigned(a.addr(), b.addr())).toList();
    }

    private static SrcRangeKey key4(RangeEntry e) {
        return new SrcRangeKey(e.revNat(), e.range().addr(), e.range().prefixLength());
    }

    private static SrcRangeKey6 key6(RangeEntry e) {
        Ipv6 a = e.range().addr6();
        return new SrcRangeKey6(e.revNat(), a.hi(), a.lo(), e.range().prefixLength());
    }

    /** Deletes range entries from the trie of their family (a trie the datapath lacks holds none). */
    private void deleteRanges(List<RangeEntry> entries) {
        if (srcRanges != null) {
            srcRanges.deleteAll(entries.stream().filter(e -> !e.range().ipv6()).map(ServiceReconciler::key4).toList());
        }
        if (srcRanges6 != null) {
            srcRanges6.deleteAll(entries.stream().filter(e -> e.range().ipv6()).map(ServiceReconciler::key6).toList());
        }
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
                    bs.add(k.backend());
                }
            }
            out.add(new ServiceStatus(p.name, e.getKey(), (p.flags & SvcValue.F_EXTERNAL) != 0,
                    (p.flags & SvcValue.F_MAGLEV) != 0 ? ServiceSpec.Algorithm.MAGLEV : ServiceSpec.Algorithm.RANDOM,
                    p.revNat, List.copyOf(bs), p.affinity));
        }
        out.sort((a, b) -> {
            Frontend fa = a.frontend();
            Frontend fb = b.frontend();
            int c = fa.ipv6() != fb.ipv6() ? (fa.ipv6() ? 1 : -1)
                    : fa.ipv6() ? fa.addr6().compareTo(fb.addr6()) : Integer.compareUnsigned(fa.addr(), fb.addr());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.frontend().port(), b.frontend().port());
            return c != 0 ? c : a.frontend().protocol().compareTo(b.frontend().protocol());
        });
        return out;
    }

    /**
     * The entries each backend holds in a Maglev frontend's table as dp_maglev4 holds it (after a
     * restart, the earlier run's table), in backend order; empty for a frontend that is not
     * programmed, not Maglev, or has no table.
     */
    public Map<Backend, Integer> maglevEntries(Frontend fe) {
        Programmed p = programmed.get(fe);
        if (p == null || maglev == null || (p.flags & SvcValue.F_MAGLEV) == 0) {
            return Map.of();
        }
        MaglevValue v = maglev.get(p.revNat);
        if (v == null) {
            return Map.of();
        }
        Map<Integer, Integer> byId = new HashMap<>();
        for (int id : v.backendIds()) {
            byId.merge(id, 1, Integer::sum);
        }
        Map<Backend, Integer> out = new LinkedHashMap<>();
        for (int id : p.slotIds) {
            BackendKey k = backendById.get(id);
            if (k != null) {
                out.merge(k.backend(), byId.getOrDefault(id, 0), Integer::sum);
            }
        }
        return out;
    }

    /** The backend ID programmed for a backend of a protocol, or null (for tests and diagnostics). */
    public Integer backendId(Backend b, Protocol p) {
        return backendIds.get(BackendKey.of(b, p.number()));
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
