/**
 * Gannet pod networking: PodCIDR, node-local IPAM, fixed StatefulSet IPs, kernel routes, the CNI plugin.
 *
 * <p>{@link io.gannet.pod.NodeNetworking} composes the node's parts for {@code gannet run
 * --cni-socket}: {@code ipam} (addresses, one IPAM per block: an IPv4 block, an IPv6 block or
 * both, where each pod gets one address of each family), {@code routes} (kernel routes with protocol 201 on
 * their own thread), {@code wiring} (veth pairs, pod addresses and routes, the datapath on each
 * pod) and {@code cni} (the plugin's daemon side: CNI spec 1.1.0 over a Unix socket, one worker
 * thread). Each subpackage's package-info says what it owns and its threads.
 */
package io.gannet.pod;
