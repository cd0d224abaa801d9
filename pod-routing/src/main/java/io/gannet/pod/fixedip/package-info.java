/**
 * Fixed StatefulSet IPs held in the cluster store, and the handover protocol that moves one
 * between nodes without two ever announcing it: {@link io.gannet.pod.fixedip.FixedIpRegistry}.
 */
package io.gannet.pod.fixedip;
