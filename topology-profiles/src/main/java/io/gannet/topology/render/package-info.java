/**
 * Text output: a host's configuration as YAML or JSON (MD5 shown as its reference), and the
 * switch end of the host sessions as FRR 8 bgpd or BIRD 2 configuration, derived from the
 * hosts' own neighbor entries so both ends always agree. Pure functions; no threads.
 */
package io.gannet.topology.render;
