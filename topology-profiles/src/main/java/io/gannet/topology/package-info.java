/**
 * Topology profiles: one YAML file describes a data-center fabric (racks, switches, hosts,
 * pools, timers, BFD, communities, MD5 references, policies) and every host derives its own
 * configuration from it. {@link io.gannet.topology.TopologyProfiles#load} is the entry
 * point; {@link io.gannet.topology.LoadedProfile} renders hosts
 * ({@link io.gannet.topology.config.NodeConfig}) and switches (FRR, BIRD) and diffs profiles.
 *
 * <p>Data flows through the sub-packages in this order: {@code yaml} (text -> located tree)
 * -> {@code bind} (tree -> typed model, structural problems) -> {@code validate} (cross
 * checks) -> {@code resolve} (ASN scheme, PodCIDR allocation, uplinks, defaults, secrets)
 * -> {@code config} (the per-host output) -> {@code render} and {@code diff}.
 *
 * <p>Depends on nothing of Gannet's. Everything is immutable after loading; loading is
 * single-threaded and a loaded profile can be shared between threads. Bad content never
 * throws: it becomes {@code file:line:column} problems.
 */
package io.gannet.topology;
