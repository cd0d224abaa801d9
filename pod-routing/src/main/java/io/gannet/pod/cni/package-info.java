/**
 * The daemon side of the CNI plugin (CNI spec 1.1.0: ADD, DEL, CHECK, VERSION, GC, STATUS;
 * results for cniVersion 0.3.1 to 1.1.0; chained configurations with {@code prevResult}).
 *
 * <p>{@code /opt/cni/bin/gannet} (pod-routing/src/main/c/gannet-cni.c) is a thin client: it
 * forwards the runtime's CNI_* environment and stdin over {@link io.gannet.pod.cni.CniServer}'s
 * Unix socket ({@link io.gannet.pod.cni.CniWire} describes the framing) and prints the answer
 * with its exit code; VERSION it answers itself, and a daemon it cannot reach is CNI error 11
 * ("try again later"). {@link io.gannet.pod.cni.CniBackend} validates the request (every field
 * of the network configuration and of CNI_ARGS is either implemented or refused with error 2,
 * naming it), allocates one address from each of the node's blocks ({@link
 * io.gannet.pod.ipam.NodeIpam} per block, IPv4 first; all or none), wires the pod through
 * {@link io.gannet.pod.wiring.PodNetwork} and answers a CNI result or error JSON.
 *
 * <p>Threads: one acceptor thread; each connection is read and answered on a virtual thread;
 * every request runs on the single {@code gannet-cni} worker, the owner of the registry and the
 * pod wiring, so requests for the same container never race.
 */
package io.gannet.pod.cni;
