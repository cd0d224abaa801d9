/**
 * Gannet pod networking: PodCIDR, node-local IPAM, fixed StatefulSet IPs, kernel routes, the CNI plugin.
 * <p>
 * Skeleton: the module exists so the reactor and the module graph are fixed; its issue fills it in.
 */
package io.gannet.pod;
