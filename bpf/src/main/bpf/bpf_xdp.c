/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * XDP program for a host device, attached by Datapath.attachHostXdp in front of from_host:
 * the externalIP DNAT / reverse NAT fast path (lib/xdp_lb.h); everything else continues to
 * from_host at TC.
 */
#include "lib/xdp_lb.h"

SEC("xdp")
int xdp_from_host(struct xdp_md *ctx)
{
	return dp_xdp_process(ctx);
}

char _license[] SEC("license") = "Dual BSD/GPL";
