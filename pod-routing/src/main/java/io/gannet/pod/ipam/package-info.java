/**
 * Node-local pod IPAM: addresses of the node's block (its PodCIDR) for pod attachments, and
 * fixed StatefulSet IPs claimed through {@link io.gannet.pod.ipam.FixedIpClaims}.
 *
 * <p>Entry point {@link io.gannet.pod.ipam.NodeIpam}: {@code allocate(AllocationRequest)} ->
 * {@link io.gannet.pod.ipam.Assignment} (address, prefix length, gateway), {@code release(containerId, ifName)}
 * (idempotent), {@code lookup}, {@code list}, {@code usage}, operator {@code reserve}/{@code releaseAddress}.
 * Errors are {@link io.gannet.pod.ipam.IpamException} with a {@code Reason}.
 *
 * <p>No store round trip per pod: the cluster agrees only on the node's block and on fixed IPs;
 * the addresses inside the block are this node's business and live in an append-only journal
 * under the state dir (see {@code IpamJournal} for the format and its crash behaviour).
 *
 * <p>Threads: thread safe behind one lock per {@code NodeIpam}; the CNI plugin's calls arrive on
 * control-API threads.
 */
package io.gannet.pod.ipam;
