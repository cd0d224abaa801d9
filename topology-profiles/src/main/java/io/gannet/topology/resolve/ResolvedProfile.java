package io.gannet.topology.resolve;

import io.gannet.topology.model.SwitchSpec;
import io.gannet.topology.model.TopologyProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A profile whose every host is resolved. Only built when the profile has no errors, so
 * every field it exposes is non-null and consistent.
 */
public final class ResolvedProfile {
    private final TopologyProfile profile;
    private final Map<String, EffectiveHost> hosts;
    private final Map<String, SwitchSpec> switches;
    private final Map<String, Long> switchAsn;

    ResolvedProfile(TopologyProfile profile, List<EffectiveHost> hosts, Map<String, Long> switchAsn) {
        this.profile = profile;
        Map<String, EffectiveHost> h = new LinkedHashMap<>();
        hosts.forEach(e -> h.put(e.name(), e));
        this.hosts = java.util.Collections.unmodifiableMap(h);
        Map<String, SwitchSpec> s = new LinkedHashMap<>();
        profile.switches().forEach(sw -> s.put(sw.name(), sw));
        this.switches = java.util.Collections.unmodifiableMap(s);
        this.switchAsn = Map.copyOf(switchAsn);
    }

    public TopologyProfile profile() {
        return profile;
    }

    public Map<String, EffectiveHost> hosts() {
        return hosts;
    }

    public Optional<EffectiveHost> host(String name) {
        return Optional.ofNullable(hosts.get(name));
    }

    public Map<String, SwitchSpec> switches() {
        return switches;
    }

    public Optional<SwitchSpec> switchNamed(String name) {
        return Optional.ofNullable(switches.get(name));
    }

    /** The switch's AS: its own {@code asn}, or the data center's AS in an ibgp-core profile. */
    public long switchAsn(String switchName) {
        return switchAsn.get(switchName);
    }

    /** Hosts that peer with {@code switchName}, in inventory order. */
    public List<EffectiveHost> hostsOf(String switchName) {
        List<EffectiveHost> out = new ArrayList<>();
        for (EffectiveHost h : hosts.values()) {
            for (SwitchSpec s : h.uplinks()) {
                if (s.name().equals(switchName)) {
                    out.add(h);
                    break;
                }
            }
        }
        return out;
    }
}
