package io.gannet.bpf.policy;

import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.maps.DropEvent;
import io.gannet.bpf.maps.DropEvent6;
import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.maps.IpcacheKey6;
import io.gannet.bpf.maps.IpcacheValue;
import io.gannet.bpf.maps.Layout;
import io.gannet.bpf.maps.PolicyMapKey;
import io.gannet.bpf.maps.PolicyMapValue;
import io.gannet.bpf.maps.TypedMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy feature of the datapath, ingress and egress, IPv4 and IPv6: its maps (dp_policy4,
 * shared by both families as its keys name identities; dp_ipcache4 and dp_ipcache6; dp_policy_metrics,
 * dp_egress_metrics; dp_drop_events and dp_drop_events6), the endpoints' policy flags, and its
 * reconciler.
 * {@link io.gannet.bpf.Datapath#policyFeature()} hands it out, as services have theirs.
 *
 * <p>The feature speaks datapath terms: endpoints by their veth's ifindex, sources by security
 * identity number, entries as {@link IngressEntry} (for egress: destination identity and port). What a policy means (selectors, CIDRs,
 * entities) is compiled above it (netpolicy); the encoding of deny precedence and port ranges
 * into longest-prefix keys is {@link PolicyEncoding}.
 *
 * <p>Threads: every method is synchronized on this handle.
 */
public final class PolicyFeature {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyFeature.class);

    /** DP_EP_F_INGRESS_POLICY of lib/maps.h. */
    public static final int FLAG_INGRESS_POLICY = 0x01;
    /** DP_EP_F_EGRESS_POLICY of lib/maps.h. */
    public static final int FLAG_EGRESS_POLICY = 0x02;
    /** DP_POLICY_EGRESS_EP of lib/maps.h: set in the ep_id of an endpoint's egress entries. */
    public static final int EGRESS_EP = 0x80000000;

    private final PolicyReconciler reconciler;
    private final TypedMap<PolicyMapKey, PolicyMapValue> policy;
    private final BpfMap metrics;
    private final BpfMap egressMetrics;
    private final BpfMap dropEvents;
    private final BpfMap dropEvents6;
    private final int restored;

    /** The IPv6 maps: dp_ipcache6 and dp_drop_events6 (IPv6 entries share dp_policy4). */
    public record Ipv6Maps(TypedMap<IpcacheKey6, IpcacheValue> ipcache, BpfMap dropEvents) {}

    public PolicyFeature(TypedMap<PolicyMapKey, PolicyMapValue> policy, TypedMap<IpcacheKey, IpcacheValue> ipcache,
            TypedMap<Integer, EndpointValue> endpoints, TypedMap<Integer, Long> metrics, TypedMap<Integer, Long> egressMetrics,
            BpfMap dropEvents, Ipv6Maps v6) {
        checkSize("dp_drop_events", dropEvents, DropEvent.LAYOUT.size(), DropEvent.LAYOUT.cName());
        checkSize("dp_drop_events6", v6.dropEvents(), DropEvent6.LAYOUT.size(), DropEvent6.LAYOUT.cName());
        this.reconciler = new PolicyReconciler(policy, ipcache, v6.ipcache(), endpoints);
        this.policy = policy;
        this.metrics = metrics.raw();
        this.egressMetrics = egressMetrics.raw();
        this.dropEvents = dropEvents;
        this.dropEvents6 = v6.dropEvents();
        this.restored = reconciler.restore();
    }

    private static void checkSize(String name, BpfMap map, int size, String cName) {
        if (map.valueSize() != size) {
            throw new IllegalStateException(name + " values are " + map.valueSize() + " bytes, " + cName + " is " + size);
        }
    }

    /** Policy entries found in the pinned maps when the datapath opened. */
    public int restoredEntries() {
        return restored;
    }

    /** What one apply wrote and deleted. */
    public record Applied(int written, int deleted) {}

    /**
     * Makes endpoint {@code epId}'s entries and flag equal to the desired ones: {@code enforce}
     * false opens it (no policy selects it); true makes its ingress default deny except for
     * {@code entries}. Writes only what differs from what is programmed.
     */
    public synchronized Applied apply(int epId, boolean enforce, Collection<IngressEntry> entries) {
        try {
            PolicyReconciler.Change c = reconciler.apply(epId, enforce, entries);
            if (c.written() + c.deleted() > 0) {
                LOG.debug("policy of endpoint {}: {} entries written, {} deleted", epId, c.written(), c.deleted());
            }
            return new Applied(c.written(), c.deleted());
        } catch (RuntimeException e) {
            LOG.warn("applying the policy of endpoint {} failed, resynchronizing from the maps: {}", epId, e.getMessage());
            reconciler.restore();
            throw e;
        }
    }

    /**
     * The same for the endpoint's egress: {@code entries} name destination identities and
     * destination ports; {@code enforce} true makes its egress default deny except for them.
     */
    public synchronized Applied applyEgress(int epId, boolean enforce, Collection<IngressEntry> entries) {
        return apply(epId | EGRESS_EP, enforce, entries);
    }

    /** Removes an endpoint's entries, both directions (its pod is gone). */
    public synchronized Applied remove(int epId) {
        PolicyReconciler.Change c = reconciler.remove(epId);
        PolicyReconciler.Change e = reconciler.remove(epId | EGRESS_EP);
        return new Applied(c.written() + e.written(), c.deleted() + e.deleted());
    }

    /** Makes dp_ipcache4 equal to {@code desired} (IPv4 prefix -> identity), writing only changes. */
    public synchronized Applied applyIpcache(Map<IpcacheKey, Integer> desired) {
        PolicyReconciler.Change c = reconciler.applyIpcache(desired);
        return new Applied(c.written(), c.deleted());
    }

    /** Makes dp_ipcache6 equal to {@code desired} (IPv6 prefix -> identity), writing only changes. */
    public synchronized Applied applyIpcache6(Map<IpcacheKey6, Integer> desired) {
        PolicyReconciler.Change c = reconciler.applyIpcache6(desired);
        return new Applied(c.written(), c.deleted());
    }

    /** The flags {@link io.gannet.bpf.Datapath#attachPod} records for an endpoint attached now. */
    public synchronized int flagsFor(int epId) {
        return (reconciler.enforced(epId) ? FLAG_INGRESS_POLICY : 0) | (reconciler.enforced(epId | EGRESS_EP) ? FLAG_EGRESS_POLICY : 0);
    }

    /** Whether the endpoint's ingress is enforced. */
    public synchronized boolean enforced(int epId) {
        return reconciler.enforced(epId);
    }

    /** The programmed egress entries of an endpoint with their counters (keys carry {@link #EGRESS_EP}). */
    public synchronized Map<PolicyMapKey, PolicyMapValue> egressEntries(int epId) {
        return entries(epId | EGRESS_EP);
    }

    /** The programmed entries of an endpoint with their counters, read from dp_policy4. */
    public synchronized Map<PolicyMapKey, PolicyMapValue> entries(int epId) {
        Map<PolicyMapKey, PolicyMapValue> out = new LinkedHashMap<>();
        for (PolicyMapKey k : reconciler.programmed(epId).keySet()) {
            PolicyMapValue v = policy.get(k);
            if (v != null) {
                out.put(k, v);
            }
        }
        return out;
    }

    /** Packets decided per rule id over every endpoint's entries (per-policy verdict counters). */
    public synchronized Map<Integer, Long> packetsByRule() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (int ep : reconciler.endpointsWithEntries()) {
            for (PolicyMapKey k : reconciler.programmed(ep).keySet()) {
                PolicyMapValue v = policy.get(k);
                if (v != null && v.packets() > 0) {
                    out.merge(v.ruleId(), v.packets(), Long::sum);
                }
            }
        }
        return out;
    }

    /** Ingress outcome counters, summed over CPUs. */
    public synchronized Map<PolicyReason, Long> metrics() {
        return sum(metrics);
    }

    /** Egress outcome counters, summed over CPUs. */
    public synchronized Map<PolicyReason, Long> egressMetrics() {
        return sum(egressMetrics);
    }

    private static Map<PolicyReason, Long> sum(BpfMap map) {
        Map<PolicyReason, Long> out = new EnumMap<>(PolicyReason.class);
        for (PolicyReason r : PolicyReason.values()) {
            byte[] raw = map.lookupPerCpu(Layout.U32.encode(r.ordinal()));
            long sum = 0;
            if (raw != null) {
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 8) {
                    sum += b.getLong();
                }
            }
            out.put(r, sum);
        }
        return out;
    }

    /** Pops up to {@code max} drop events, oldest first (the queue holds 8192; older ones are counted lost). */
    public synchronized List<DropEvent> drainDrops(int max) {
        List<DropEvent> out = new ArrayList<>();
        while (out.size() < max) {
            byte[] raw = dropEvents.pop();
            if (raw == null) {
                break;
            }
            out.add(DropEvent.LAYOUT.decode(raw));
        }
        return out;
    }

    /** Pops up to {@code max} IPv6 drop events (dp_drop_events6), oldest first. */
    public synchronized List<DropEvent6> drainDrops6(int max) {
        List<DropEvent6> out = new ArrayList<>();
        while (out.size() < max) {
            byte[] raw = dropEvents6.pop();
            if (raw == null) {
                break;
            }
            out.add(DropEvent6.LAYOUT.decode(raw));
        }
        return out;
    }

    /** Entries written and deleted since open (reconciler work, for the recompute figures). */
    public synchronized long writes() {
        return reconciler.writes();
    }

    public synchronized long deletes() {
        return reconciler.deletes();
    }

    /** The ipcache as programmed. */
    public synchronized Map<IpcacheKey, Integer> ipcache() {
        return Map.copyOf(reconciler.ipcache());
    }

    /** The IPv6 ipcache as programmed. */
    public synchronized Map<IpcacheKey6, Integer> ipcache6() {
        return Map.copyOf(reconciler.ipcache6());
    }
}
