/**
 * How an L4LB host forwards VIP flows: DNAT to the backend the VIP's table picks (programmed
 * as the L4LB computed it) in the eBPF
 * datapath ({@code from_host}, conntrack keeps established flows on their backend) with
 * SNAT (nftables masquerade) for the return path and reverse NAT at the uplink's TC egress.
 * Called on the L4LB thread only.
 */
package io.gannet.l4lb.forward;
