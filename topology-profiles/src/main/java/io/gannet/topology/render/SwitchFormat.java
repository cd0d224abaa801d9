package io.gannet.topology.render;

/** Configuration dialects {@code render --switch} writes. */
public enum SwitchFormat { FRR, BIRD }
