/**
 * The node's kernel routes, written over rtnetlink with Gannet's own protocol number
 * ({@link io.gannet.pod.routes.KernelRoutes#PROTOCOL}, 201, shown as {@code proto 201} by
 * {@code ip route}): one host route per pod to its veth, an unreachable route for the rest of
 * each of the node's pod blocks (one per family), and the routes BGP imports (best path or ECMP set as one RTA_MULTIPATH
 * route per prefix).
 *
 * <p>Threads: {@link io.gannet.pod.routes.KernelRoutes} owns one thread, {@code gannet-routes};
 * sources (the CNI worker, the BGP feed on the speaker loop) hand it changes through a queue and
 * never wait. It coalesces changes for {@link io.gannet.pod.routes.KernelRoutes.Options#batchWindow}
 * (default 5 ms) and writes them as one netlink batch, so a burst of UPDATEs becomes few system
 * calls and the last change reaches the kernel within the window plus the batch's write time.
 *
 * <p>Ownership: only routes with protocol 201 in the configured table are ever changed or
 * deleted; other daemons' routes (BIRD, FRR, static, kernel) are never touched. On start the
 * table is reconciled: Gannet routes nobody wants any more are removed — BGP-sourced ones only
 * once the RIB has re-converged ({@link io.gannet.pod.routes.KernelRoutes#bgpConverged}), so a
 * graceful restart keeps forwarding on the old routes meanwhile.
 */
package io.gannet.pod.routes;
