/**
 * Wiring one pod attachment: a veth pair whose host side has a predictable name ({@link
 * io.gannet.pod.wiring.HostVethName}), the pod side created directly in the pod's namespace,
 * the pod's address (/32 or /128), a permanent neighbour entry for the gateway pointing at the
 * host side's MAC, routes in the pod (gateway on-link, default via the gateway), the host route
 * to the pod ({@link io.gannet.pod.routes.KernelRoutes}) and the datapath attached through
 * {@link io.gannet.pod.wiring.PodDatapath}. Attachments are recorded in {@link
 * io.gannet.pod.wiring.PodRegistry} so DEL, CHECK and GC work after a daemon restart.
 *
 * <p>Threads: {@link io.gannet.pod.wiring.PodNetwork} is called from one thread, the CNI worker.
 */
package io.gannet.pod.wiring;
