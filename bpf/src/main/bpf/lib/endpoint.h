/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stage: pod source check. A pod (behind the host-side veth whose ifindex keys
 * dp_endpoints) may only send from the address it was given at attach time.
 */
#ifndef DP_ENDPOINT_H
#define DP_ENDPOINT_H

#include "parse.h"
#include "maps.h"

static __always_inline int dp_stage_source_check(struct dp_ctx *ctx)
{
	__u32 ifindex = ctx->skb->ingress_ifindex;
	struct dp_endpoint *ep = bpf_map_lookup_elem(&dp_endpoints, &ifindex);

	if (ep && ep->pod_addr != ctx->t.saddr)
		return dp_drop(DP_DROP_SPOOFED);
	return DP_CONTINUE;
}

#endif
