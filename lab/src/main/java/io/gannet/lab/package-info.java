/**
 * Whole fabrics in network namespaces with real switches, shared by {@code gannet lab}, the
 * demo and the daemon tests.
 *
 * <p>{@link io.gannet.linux.NetworkNamespace} creates and removes namespaces; {@link io.gannet.lab.Fabric}
 * is the tests' one-bridge fabric of FRR bgpd switches; {@link io.gannet.lab.FrrSwitch} (bgpd only),
 * {@link io.gannet.lab.FrrRoutingSwitch} (zebra, bfdd and bgpd: it forwards by what BGP learned)
 * and {@link io.gannet.lab.BirdSwitch} run real switch daemons with their own sockets, pid files and
 * logs. {@link io.gannet.lab.Lab} builds a profile's fabric for {@code gannet lab up}, records every
 * namespace, process and directory it creates in the lab's state file before creating it, and
 * removes exactly those on {@code down}, even after an {@code up} that crashed half way.
 * {@link io.gannet.lab.LabStore} is the lab's etcd, the nodes' one cluster store;
 * {@link io.gannet.lab.LabWorkloads} and {@link io.gannet.lab.LabL4lb} the pods, Service, policy
 * and VIP the summary checks. {@link io.gannet.lab.ScaleRun} is {@code gannet lab scale}: many
 * {@link io.gannet.lab.ScaleNode}s (light BGP nodes on real sockets) against one core.
 * Nothing here is killed by name: processes by the pids recorded or by the lab's namespaces.
 *
 * <p>Threads: none of its own, except the scale run's (a virtual thread per node session, a keepalive
 * timer, a platform thread inside the nodes' namespace for sockets and the listener);
 * callers use one lab from one thread.
 */
package io.gannet.lab;
