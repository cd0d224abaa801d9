package io.gannet.topology.model;

import io.gannet.topology.yaml.Location;

/** {@code spec.inventory.racks[]}. */
public record Rack(String name, Location at) {}
