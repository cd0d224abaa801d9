package io.gannet.topology.diff;

import io.gannet.topology.config.NodeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-host differences between two profiles: hosts added, removed, and the
 * {@link NodeConfigDiff} of each host present in both whose configuration changed.
 */
public record ProfileDiff(List<NodeConfig> addedHosts, List<NodeConfig> removedHosts, Map<String, NodeConfigDiff> changedHosts) {

    public ProfileDiff {
        addedHosts = List.copyOf(addedHosts);
        removedHosts = List.copyOf(removedHosts);
        changedHosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(changedHosts));
    }

    public boolean isEmpty() {
        return addedHosts.isEmpty() && removedHosts.isEmpty() && changedHosts.isEmpty();
    }

    public static ProfileDiff between(List<NodeConfig> before, List<NodeConfig> after) {
        Map<String, NodeConfig> old = new LinkedHashMap<>();
        before.forEach(n -> old.put(n.name(), n));
        List<NodeConfig> added = new ArrayList<>();
        Map<String, NodeConfigDiff> changed = new LinkedHashMap<>();
        for (NodeConfig n : after) {
            NodeConfig o = old.remove(n.name());
            if (o == null) {
                added.add(n);
                continue;
            }
            NodeConfigDiff d = NodeConfigDiff.between(o, n);
            if (!d.isEmpty()) {
                changed.put(n.name(), d);
            }
        }
        return new ProfileDiff(added, new ArrayList<>(old.values()), changed);
    }
}
