package io.gannet.bpf.lb;

import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.TypedMap;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes expired conntrack entries. The programs already ignore an entry past its
 * {@code expires} second and the LRU map evicts under pressure; this sweep returns the
 * memory of quiet flows and keeps map walks short. Expiry per state is set by the
 * programs (lib/conntrack.h): TCP SYN / established / closing timeouts, UDP idle timeout.
 */
public final class CtGarbageCollector {
    private final TypedMap<CtKey, CtEntry> ct;
    private final TypedMap<CtKey, io.gannet.bpf.maps.NatValue> snat;
    private final Clock clock;
    private TypedMap<io.gannet.bpf.maps.CtKey6, CtEntry> ct6; // dp_ct6, or null
    private TypedMap<io.gannet.bpf.maps.CtKey6, io.gannet.bpf.maps.NatValue6> snat6; // dp_snat6, or null

    public CtGarbageCollector(TypedMap<CtKey, CtEntry> ct, Clock clock) {
        this(ct, null, clock);
    }

    /**
     * @param snat dp_snat4: a SNATed half (NodePort, hairpin, masquerade) is keyed like its
     *             conntrack entry and goes with it; null = conntrack only
     */
    public CtGarbageCollector(TypedMap<CtKey, CtEntry> ct, TypedMap<CtKey, io.gannet.bpf.maps.NatValue> snat, Clock clock) {
        this.ct = ct;
        this.snat = snat;
        this.clock = clock;
    }

    /** Sweeps dp_ct6 (IPv6 Service flows) too. */
    public CtGarbageCollector withIpv6(TypedMap<io.gannet.bpf.maps.CtKey6, CtEntry> table) {
        return withIpv6(table, null);
    }

    /** Sweeps dp_ct6 and the dp_snat6 half of every expired SNATed IPv6 entry (lib/nodeport6.h). */
    public CtGarbageCollector withIpv6(TypedMap<io.gannet.bpf.maps.CtKey6, CtEntry> table,
            TypedMap<io.gannet.bpf.maps.CtKey6, io.gannet.bpf.maps.NatValue6> snat) {
        this.ct6 = table;
        this.snat6 = snat;
        return this;
    }

    /** One sweep; returns how many entries were deleted. */
    public int sweep() {
        long now = clock.monotonicSeconds();
        List<CtKey> expired = new ArrayList<>();
        List<CtKey> snatted = new ArrayList<>();
        ct.forEach((k, e) -> {
            if (e.expires() < now) {
                expired.add(k);
                if ((e.flags() & CtEntry.F_SNAT) != 0) {
                    snatted.add(k);
                }
            }
        });
        ct.deleteAll(expired);
        if (snat != null) {
            snat.deleteAll(snatted);
        }
        int n = expired.size();
        if (ct6 != null) {
            List<io.gannet.bpf.maps.CtKey6> expired6 = new ArrayList<>();
            List<io.gannet.bpf.maps.CtKey6> snatted6 = new ArrayList<>();
            ct6.forEach((k, e) -> {
                if (e.expires() < now) {
                    expired6.add(k);
                    if ((e.flags() & CtEntry.F_SNAT) != 0) {
                        snatted6.add(k);
                    }
                }
            });
            ct6.deleteAll(expired6);
            if (snat6 != null) {
                snat6.deleteAll(snatted6);
            }
            n += expired6.size();
        }
        return n;
    }
}
