/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * XDP program for a host device, attached by Datapath.attachHostXdp in front of from_host:
 * the external frontends' DNAT / reverse NAT fast path, IPv4 (lib/xdp_lb.h) and IPv6
 * (lib/xdp_lb6.h); everything else continues to from_host at TC.
 */
#include "lib/xdp_lb6.h"

SEC("xdp")
int xdp_from_host(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return dp_xdp_process4(eth, data_end);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return dp_xdp_process6(eth, data_end);
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
