package io.gannet.bpf.lb;

import io.gannet.bpf.maps.BackendValue;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.maps.BackendValue6;
import io.gannet.bpf.maps.RevNatValue6;
import io.gannet.bpf.maps.SvcKey6;
import io.gannet.bpf.maps.MaglevValue;
import io.gannet.bpf.maps.NatValue;
import io.gannet.bpf.maps.RevNatValue;
import io.gannet.bpf.maps.SrcRangeKey;
import io.gannet.bpf.maps.SvcKey;
import io.gannet.bpf.maps.SvcValue;
import io.gannet.bpf.maps.TypedMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services feature of the datapath: its maps (dp_svc4, dp_backends4, dp_revnat4,
 * dp_maglev4, dp_snat4_src, and for IPv6 frontends dp_svc6, dp_backends6, dp_revnat6) and its
 * reconciler. {@link io.gannet.bpf.Datapath#services()} hands it out;
 * policy and SNAT get handles of their own, so no class grows with every feature.
 *
 * <p>This is also the API an L4LB host uses to program a VIP: one {@link ServiceSpec} per
 * {@code VIP:port/protocol} with {@code external = true} (translated on host devices) and
 * {@link ServiceSpec.Algorithm#MAGLEV} (every host picks the same backend for a flow).
 *
 * <p>Threads: every method is synchronized on this handle; callers may come from any thread.
 */
public final class ServicesFeature {
    private static final Logger LOG = LoggerFactory.getLogger(ServicesFeature.class);

    private final ServiceReconciler reconciler;
    private final TypedMap<CtKey, CtEntry> ct;
    private final TypedMap<CtKey6, CtEntry> ct6; // null: no IPv6 maps
    private final int restored;

    public ServicesFeature(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revnat, TypedMap<Integer, MaglevValue> maglev, TypedMap<CtKey, CtEntry> ct) {
        this(svc, backends, revnat, maglev, null, ct);
    }

    /** With dp_src_range4 (loadBalancerSourceRanges); null when the maps predate it. */
    public ServicesFeature(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revnat, TypedMap<Integer, MaglevValue> maglev,
            TypedMap<SrcRangeKey, Integer> srcRanges, TypedMap<CtKey, CtEntry> ct) {
        this(svc, backends, revnat, maglev, srcRanges, ct, null);
    }

    /** The IPv4 and IPv6 service maps (lib/lb.h, lib/lb6.h); {@code v6} null: IPv6 frontends are refused. */
    public ServicesFeature(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revnat, TypedMap<Integer, MaglevValue> maglev,
            TypedMap<SrcRangeKey, Integer> srcRanges, TypedMap<CtKey, CtEntry> ct, Ipv6Maps v6) {
        this(svc, backends, revnat, maglev, srcRanges, ct, v6, null);
    }

    /**
     * With dp_snat4_src ({@code snatSource4}: IPv4 externalIPs and load-balancer IPs SNATed to a
     * node address, lib/nodeport.h); null: refused.
     */
    public ServicesFeature(TypedMap<SvcKey, SvcValue> svc, TypedMap<Integer, BackendValue> backends,
            TypedMap<Integer, RevNatValue> revnat, TypedMap<Integer, MaglevValue> maglev,
            TypedMap<SrcRangeKey, Integer> srcRanges, TypedMap<CtKey, CtEntry> ct, Ipv6Maps v6,
            TypedMap<Integer, NatValue> snatSource4) {
        this.reconciler = v6 == null
                ? new ServiceReconciler(svc, backends, revnat, maglev, srcRanges, null, null, null, null, null, snatSource4)
                : new ServiceReconciler(svc, backends, revnat, maglev, srcRanges, v6.svc(), v6.backends(), v6.revnat(),
                        v6.snatSource(), v6.srcRanges(), snatSource4);
        this.ct = ct;
        this.ct6 = v6 == null ? null : v6.ct();
        this.restored = reconciler.restore(highestBackendIdInConntrack());
    }

    /**
     * dp_svc6, dp_backends6, dp_revnat6, dp_ct6, dp_snat6_src and dp_src_range6 (the last two null:
     * IPv6 SNAT and source ranges refused).
     */
    public record Ipv6Maps(TypedMap<SvcKey6, SvcValue> svc, TypedMap<Integer, BackendValue6> backends,
            TypedMap<Integer, RevNatValue6> revnat, TypedMap<CtKey6, CtEntry> ct,
            TypedMap<Integer, io.gannet.bpf.maps.NatValue6> snatSource,
            TypedMap<io.gannet.bpf.maps.SrcRangeKey6, Integer> srcRanges) {
        public Ipv6Maps(TypedMap<SvcKey6, SvcValue> svc, TypedMap<Integer, BackendValue6> backends,
                TypedMap<Integer, RevNatValue6> revnat, TypedMap<CtKey6, CtEntry> ct) {
            this(svc, backends, revnat, ct, null, null);
        }
    }

    /** Entries of each Maglev table (the datapath's table size). */
    public int maglevTableSize() {
        return reconciler.maglevTableSize();
    }

    /** Frontends found in the pinned maps when the datapath opened. */
    public int restoredFrontends() {
        return restored;
    }

    /** Makes the service maps equal to {@code desired}; idempotent. See {@link #apply(List, boolean)}. */
    public synchronized ApplyResult apply(List<ServiceSpec> desired) {
        return apply(desired, false);
    }

    /**
     * Makes the service maps equal to {@code desired} (with {@code keepUnlisted}: adds and
     * updates only, keeping frontends {@code desired} does not name). If the kernel refuses a
     * write midway (a full map, say), the reconciler re-reads the maps before rethrowing, so
     * the next call starts from what is really there.
     */
    public synchronized ApplyResult apply(List<ServiceSpec> desired, boolean keepUnlisted) {
        try {
            return reconciler.apply(desired, keepUnlisted);
        } catch (RuntimeException e) {
            LOG.warn("applying {} services failed, resynchronizing from the maps: {}", desired.size(), e.getMessage());
            reconciler.restore(highestBackendIdInConntrack());
            throw e;
        }
    }

    /** What is programmed, one entry per frontend, sorted by frontend. */
    public synchronized List<ServiceStatus> status() {
        return reconciler.status();
    }

    /** Entries per backend in a Maglev frontend's table as the datapath holds it ({@link ServiceReconciler#maglevEntries}). */
    public synchronized Map<Backend, Integer> maglevEntries(Frontend fe) {
        return reconciler.maglevEntries(fe);
    }

    /** The backend ID programmed for a backend of a protocol, or null (tests, diagnostics). */
    public synchronized Integer backendId(Backend b, Protocol p) {
        return reconciler.backendId(b, p);
    }

    private long highestBackendIdInConntrack() {
        long[] highest = {0};
        ct.forEach((k, e) -> highest[0] = Math.max(highest[0], Integer.toUnsignedLong(e.backendId())));
        if (ct6 != null) {
            // one ID space for both families: an IPv6 flow's backend ID is never given to a new backend either
            ct6.forEach((k, e) -> highest[0] = Math.max(highest[0], Integer.toUnsignedLong(e.backendId())));
        }
        return highest[0];
    }
}
