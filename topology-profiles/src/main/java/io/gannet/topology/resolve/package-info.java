/**
 * Resolution of a valid profile into per-host facts: AS numbers from the scheme (RFC 6996
 * private range), PodCIDRs from the pool (explicit first, then lowest free block in
 * inventory order), uplinks (rack leaves plus rack-less cores), merged settings with the
 * defaults in {@link io.gannet.topology.resolve.Defaults}, and MD5 references read at render
 * time by a {@link io.gannet.topology.resolve.SecretResolver}. Pure functions of the profile
 * (and the secret source); no threads.
 */
package io.gannet.topology.resolve;
