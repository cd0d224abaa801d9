/**
 * The output: a host's effective configuration ({@link io.gannet.topology.config.NodeConfig})
 * with one {@link io.gannet.topology.config.NeighborConfig} per switch session, BFD
 * parameters (RFC 5880), MD5 secrets (RFC 2385, never printed), and import/export policies as
 * plain data (ordered statements). Immutable records, safe to share between threads. The
 * agent maps these onto the BGP speaker's and BFD's own configuration types.
 */
package io.gannet.topology.config;
