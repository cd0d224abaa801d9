/**
 * How an L4LB host forwards VIP flows: DNAT to the Maglev-chosen backend in the eBPF
 * datapath ({@code from_host}, conntrack keeps established flows on their backend) with
 * SNAT (nftables masquerade) for the return path and reverse NAT at the uplink's TC egress.
 * Called on the L4LB thread only.
 */
package io.gannet.l4lb.forward;
