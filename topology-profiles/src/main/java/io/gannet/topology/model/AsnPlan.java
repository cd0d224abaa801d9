package io.gannet.topology.model;

import io.gannet.topology.yaml.Location;
import java.util.Map;

/**
 * {@code spec.asn}: the scheme, its base and explicit overrides keyed by host name
 * (per-node) or rack name (per-rack). Null fields were missing or invalid (already reported).
 */
public record AsnPlan(AsnScheme scheme, Long base, Map<String, Located<Long>> overrides,
        Location at, Location schemeAt, Location baseAt) {
    public AsnPlan {
        overrides = Map.copyOf(overrides);
    }
}
