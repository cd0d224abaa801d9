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
 * Nothing here is killed by name: processes by the pids recorded or by the lab's namespaces.
 *
 * <p>Threads: none of its own; callers use one lab from one thread.
 */
package io.gannet.lab;
