package io.gannet.bpf.policy;

import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.maps.IpcacheKey6;
import io.gannet.bpf.maps.IpcacheValue;
import io.gannet.bpf.maps.PolicyMapKey;
import io.gannet.bpf.maps.PolicyMapValue;
import io.gannet.bpf.maps.TypedMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes desired ingress and egress policy into dp_policy4, dp_ipcache4, dp_ipcache6 and the endpoints'
 * policy flags, per endpoint and direction (an endpoint's egress entries live under its
 * ifindex with {@link PolicyFeature#EGRESS_EP} set) and by difference: applying one endpoint's entries touches only the keys of that
 * endpoint that changed (O(changes)), so a rule change among thousands of endpoints costs the
 * endpoints it selects.
 *
 * <p>Order keeps the datapath closed while it changes: a newly enforced endpoint gets its
 * entries before its flag; a changed policy writes new and changed keys before deleting stale
 * ones (a stale allow lives a few microseconds longer, a new deny is there at once); an endpoint
 * that leaves enforcement loses its flag before its entries.
 *
 * <p>{@link #restore} re-reads the pinned maps, so an agent that restarts diffs against what is
 * really programmed and leaves unchanged entries (and their counters) alone.
 *
 * <p>Threads: not thread-safe; {@link PolicyFeature} serializes calls.
 */
final class PolicyReconciler {
    private final TypedMap<PolicyMapKey, PolicyMapValue> policy;
    private final TypedMap<IpcacheKey, IpcacheValue> ipcache;
    private final TypedMap<IpcacheKey6, IpcacheValue> ipcache6;
    private final TypedMap<Integer, EndpointValue> endpoints;
    private final Map<Integer, Map<PolicyMapKey, PolicyEncoding.Verdict>> programmed = new HashMap<>();
    private final Set<Integer> enforced = new HashSet<>();
    private final Map<IpcacheKey, Integer> ipcacheProgrammed = new HashMap<>();
    private final Map<IpcacheKey6, Integer> ipcache6Programmed = new HashMap<>();
    private long writes;
    private long deletes;

    PolicyReconciler(TypedMap<PolicyMapKey, PolicyMapValue> policy, TypedMap<IpcacheKey, IpcacheValue> ipcache,
            TypedMap<IpcacheKey6, IpcacheValue> ipcache6, TypedMap<Integer, EndpointValue> endpoints) {
        this.policy = policy;
        this.ipcache = ipcache;
        this.ipcache6 = ipcache6;
        this.endpoints = endpoints;
    }

    /** Reads what the pinned maps hold; returns the number of policy entries found. */
    int restore() {
        programmed.clear();
        ipcacheProgrammed.clear();
        ipcache6Programmed.clear();
        enforced.clear();
        int[] n = {0};
        policy.forEachSlow((k, v) -> {
            programmed.computeIfAbsent(k.epId(), x -> new HashMap<>()).put(k, new PolicyEncoding.Verdict(v.deny(), v.ruleId()));
            n[0]++;
        });
        ipcache.forEachSlow((k, v) -> ipcacheProgrammed.put(k, v.identity()));
        ipcache6.forEachSlow((k, v) -> ipcache6Programmed.put(k, v.identity()));
        endpoints.forEach((ifindex, v) -> {
            if ((v.flags() & PolicyFeature.FLAG_INGRESS_POLICY) != 0) {
                enforced.add(ifindex);
            }
            if ((v.flags() & PolicyFeature.FLAG_EGRESS_POLICY) != 0) {
                enforced.add(ifindex | PolicyFeature.EGRESS_EP);
            }
        });
        return n[0];
    }

    /** What one apply did. */
    record Change(int written, int deleted) {}

    Change apply(int epId, boolean enforce, Collection<IngressEntry> entries) {
        Map<PolicyMapKey, PolicyEncoding.Verdict> desired = enforce ? PolicyEncoding.encode(epId, entries) : Map.of();
        Map<PolicyMapKey, PolicyEncoding.Verdict> current = programmed.getOrDefault(epId, Map.of());
        if (!enforce) {
            setFlag(epId, false);
        }
        int written = 0;
        for (Map.Entry<PolicyMapKey, PolicyEncoding.Verdict> e : desired.entrySet()) {
            if (!e.getValue().equals(current.get(e.getKey()))) {
                policy.put(e.getKey(), new PolicyMapValue(e.getValue().ruleId(), e.getValue().deny(), 0, 0));
                written++;
            }
        }
        List<PolicyMapKey> stale = new ArrayList<>();
        for (PolicyMapKey k : current.keySet()) {
            if (!desired.containsKey(k)) {
                stale.add(k);
            }
        }
        policy.deleteAll(stale);
        if (desired.isEmpty()) {
            programmed.remove(epId);
        } else {
            programmed.put(epId, new HashMap<>(desired));
        }
        if (enforce) {
            setFlag(epId, true);
        }
        writes += written;
        deletes += stale.size();
        return new Change(written, stale.size());
    }

    /** Forgets an endpoint that is gone (its veth deleted): its entries are removed. */
    Change remove(int epId) {
        Map<PolicyMapKey, PolicyEncoding.Verdict> current = programmed.remove(epId);
        enforced.remove(epId);
        if (current == null) {
            return new Change(0, 0);
        }
        policy.deleteAll(new ArrayList<>(current.keySet()));
        deletes += current.size();
        return new Change(0, current.size());
    }

    boolean enforced(int epId) {
        return enforced.contains(epId);
    }

    /**
     * The flag is kept here too, so an endpoint attached after its policy was applied starts
     * enforced. {@code keyEp} is the ifindex (ingress) or the ifindex with
     * {@link PolicyFeature#EGRESS_EP} (egress).
     */
    private void setFlag(int keyEp, boolean on) {
        if (on) {
            enforced.add(keyEp);
        } else {
            enforced.remove(keyEp);
        }
        int ifindex = keyEp & ~PolicyFeature.EGRESS_EP;
        int flag = (keyEp & PolicyFeature.EGRESS_EP) != 0 ? PolicyFeature.FLAG_EGRESS_POLICY : PolicyFeature.FLAG_INGRESS_POLICY;
        EndpointValue v = endpoints.get(ifindex);
        if (v == null) {
            return; // not attached yet: Datapath.attachPod asks flagsFor
        }
        int flags = on ? v.flags() | flag : v.flags() & ~flag;
        if (flags != v.flags()) {
            endpoints.put(ifindex, new EndpointValue(v.podAddr(), flags));
        }
    }

    /** Makes dp_ipcache4 equal to {@code desired}; returns {written, deleted}. */
    Change applyIpcache(Map<IpcacheKey, Integer> desired) {
        int written = 0;
        for (Map.Entry<IpcacheKey, Integer> e : desired.entrySet()) {
            if (!e.getValue().equals(ipcacheProgrammed.get(e.getKey()))) {
                ipcache.put(e.getKey(), new IpcacheValue(e.getValue()));
                written++;
            }
        }
        List<IpcacheKey> stale = new ArrayList<>();
        for (IpcacheKey k : ipcacheProgrammed.keySet()) {
            if (!desired.containsKey(k)) {
                stale.add(k);
            }
        }
        ipcache.deleteAll(stale);
        ipcacheProgrammed.clear();
        ipcacheProgrammed.putAll(desired);
        return new Change(written, stale.size());
    }

    /** Makes dp_ipcache6 equal to {@code desired}, as {@link #applyIpcache} does for IPv4. */
    Change applyIpcache6(Map<IpcacheKey6, Integer> desired) {
        int written = 0;
        for (Map.Entry<IpcacheKey6, Integer> e : desired.entrySet()) {
            if (!e.getValue().equals(ipcache6Programmed.get(e.getKey()))) {
                ipcache6.put(e.getKey(), new IpcacheValue(e.getValue()));
                written++;
            }
        }
        List<IpcacheKey6> stale = new ArrayList<>();
        for (IpcacheKey6 k : ipcache6Programmed.keySet()) {
            if (!desired.containsKey(k)) {
                stale.add(k);
            }
        }
        ipcache6.deleteAll(stale);
        ipcache6Programmed.clear();
        ipcache6Programmed.putAll(desired);
        return new Change(written, stale.size());
    }

    Map<IpcacheKey6, Integer> ipcache6() {
        return ipcache6Programmed;
    }

    Map<PolicyMapKey, PolicyEncoding.Verdict> programmed(int epId) {
        return programmed.getOrDefault(epId, Map.of());
    }

    Set<Integer> endpointsWithEntries() {
        return programmed.keySet();
    }

    Map<IpcacheKey, Integer> ipcache() {
        return ipcacheProgrammed;
    }

    long writes() {
        return writes;
    }

    long deletes() {
        return deletes;
    }
}
