package io.gannet.topology.render;

/** Configuration dialects {@code render --switch} writes: FRR's bgpd, BIRD 2, or a profile Gannet runs the switch from. */
public enum SwitchFormat { FRR, BIRD, GANNET }
