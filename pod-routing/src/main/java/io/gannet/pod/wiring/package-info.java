/**
 * Wiring one pod attachment: a veth pair whose host side has a predictable name ({@link
 * io.gannet.pod.wiring.HostVethName}), the pod side created directly in the pod's namespace,
 * each of the pod's addresses (a /32, a /128 without duplicate address detection, or one of
 * each on a dual-stack node) with a permanent neighbour entry for its gateway pointing at the
 * host side's MAC and routes in the pod (gateway on-link, default via the gateway), the host
 * route to each address ({@link io.gannet.pod.routes.KernelRoutes}; for IPv6 also a permanent
 * neighbour entry with the pod's MAC) and the datapath attached through {@link
 * io.gannet.pod.wiring.PodDatapath} with the pod's IPv4 address (its IPv6 address for an IPv6-only pod). Attachments are recorded in {@link
 * io.gannet.pod.wiring.PodRegistry} so DEL, CHECK and GC work after a daemon restart.
 *
 * <p>Threads: {@link io.gannet.pod.wiring.PodNetwork} is called from one thread, the CNI worker.
 */
package io.gannet.pod.wiring;
