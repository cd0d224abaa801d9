package io.gannet.topology.model;

import io.gannet.topology.net.Cidr;
import io.gannet.topology.yaml.Location;

/**
 * {@code spec.fixedIPPools[]}: a named pool StatefulSet pods take fixed IPs from (reserved in
 * the cluster store per namespace/StatefulSet/ordinal; the node running the pod announces the
 * host route).
 */
public record FixedIpPool(String name, Cidr cidr, Location at) {}
