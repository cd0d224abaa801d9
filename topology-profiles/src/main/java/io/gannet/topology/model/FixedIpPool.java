package io.gannet.topology.model;

import io.gannet.topology.net.Cidr;
import io.gannet.topology.yaml.Location;

/**
 * {@code spec.fixedIPPools[]}: a named pool StatefulSet pods take fixed IPs from (reserved in
 * the cluster store per namespace/StatefulSet/ordinal; the node running the pod announces the
 * host route). IPv4 or IPv6: a pod takes its fixed IP of each family from the profile's first
 * pool of that family, so a dual-stack pod has one of each.
 */
public record FixedIpPool(String name, Cidr cidr, Location at) {}
