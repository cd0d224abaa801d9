package io.gannet.topology.model;

import io.gannet.topology.net.Cidr;
import io.gannet.topology.yaml.Location;
import java.util.List;

/**
 * {@code spec.masquerade}: whether pod traffic to destinations outside the cluster leaves a
 * node with the node's address (SNAT masquerade). Off by default: on premises pod addresses
 * are routed. Never masqueraded, besides {@code nonMasqueradeCidrs}: the PodCIDR pool, every
 * host's PodCIDR and every host's address ({@link io.gannet.topology.LoadedProfile#masqueradeExclusions()}).
 */
public record MasqueradeSettings(boolean enabled, List<Located<Cidr>> nonMasqueradeCidrs, Location at) {
    public static final MasqueradeSettings OFF = new MasqueradeSettings(false, List.of(), null);

    public MasqueradeSettings {
        nonMasqueradeCidrs = List.copyOf(nonMasqueradeCidrs);
    }
}
