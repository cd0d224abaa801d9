package io.gannet.topology.model;

import io.gannet.topology.net.Cidr;
import io.gannet.topology.yaml.Location;

/** {@code spec.podCIDRPool}: where PodCIDRs come from and how long each one is (24 or 25). */
public record PodCidrPool(Cidr cidr, Integer prefixLength, Location at, Location cidrAt, Location lengthAt) {}
