package io.gannet.topology.model;

import io.gannet.topology.yaml.Location;

/** A value and where the profile wrote it. */
public record Located<T>(T value, Location at) {}
