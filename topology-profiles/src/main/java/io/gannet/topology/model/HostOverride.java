package io.gannet.topology.model;

import io.gannet.topology.yaml.Location;

/** {@code spec.overrides.<host>}: settings where one host differs from the profile. */
public record HostOverride(String host, BgpSettings bgp, BfdSettings bfd, CommunitySettings communities,
        PolicySpec policies, Location at) {}
