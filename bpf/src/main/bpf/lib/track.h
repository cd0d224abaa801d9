/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stage: connection tracking for every flow a pod sends or receives that no service
 * translated (translated flows are tracked by lib/lb.h as NAT pairs). One DP_CT_PLAIN entry
 * per flow, keyed by the originator's tuple; a packet of the other direction finds it by the
 * reversed tuple. TCP and UDP by their ports, ICMP echo by its identifier (a request's tuple
 * has it as source port, its reply's as destination port: the reversed tuple matches), SCTP
 * by its ports and any other protocol by its address pair (ports 0), with UDP's lifetime.
 * Lifetimes are those of lib/conntrack.h. Ingress policy (lib/policy.h) lets a packet of a
 * tracked flow pass (replies of allowed connections, replies to the pod's own); SNAT will read
 * these entries too.
 *
 * Runs on pod attach points only: tracking every packet of the host's own traffic is not
 * the datapath's business.
 */
#ifndef DP_TRACK_H
#define DP_TRACK_H

#include "parse.h"
#include "maps.h"
#include "conntrack.h"
#include "remap.h"

/*
 * Finds the flow's entry in either direction and refreshes it. ctx->ct_hit says the packet
 * belongs to a known flow: always for a reply (the entry is keyed by the other side, the
 * originator); for the originator's direction only once the policy stage of this path let the
 * flow through (DP_CT_F_INGRESS_OK on to_pod, "ingress" set; DP_CT_F_EGRESS_OK on from_pod),
 * because another local pod's from_pod records its outgoing flows in the same map before the
 * packet reaches this pod, and a flow egress policy dropped keeps no mark.
 */
static __always_inline int dp_track_lookup(struct dp_ctx *ctx, int ingress)
{
	struct dp_ct_key k = {};
	struct dp_ct_entry *e;

	if (dp_no_flow(ctx) || ctx->translated)
		return DP_CONTINUE;
	dp_ct_key_of(&k, &ctx->t, DP_CT_PLAIN);
	e = dp_ct_lookup(&k, ctx->now);
	if (e) {
		dp_ct_touch(e, ctx->t.proto, ctx->seen, ctx->now);
		ctx->ct_fwd = 1;
		if (e->flags & (ingress ? DP_CT_F_INGRESS_OK : DP_CT_F_EGRESS_OK))
			ctx->ct_hit = 1;
		if (!ingress && (e->flags & DP_CT_F_REMAPPED))
			ctx->remap = 1; /* lib/remap.h: the pod's flow leaves with another port */
		return DP_CONTINUE;
	}
	dp_ct_key_reply_of(&k, &ctx->t, DP_CT_PLAIN);
	e = dp_ct_lookup(&k, ctx->now);
	if (e) {
		dp_ct_touch(e, ctx->t.proto, ctx->seen, ctx->now);
		ctx->ct_hit = 1;
	}
	return DP_CONTINUE;
}

/*
 * Records a flow dp_track_lookup did not find, in its originator's direction, marked
 * DP_CT_F_INGRESS_OK on the ingress path or DP_CT_F_EGRESS_OK on the egress path (the policy
 * stage before this one let it through), also when it exists already without the mark
 * (recorded by the other pod's to_pod for a Service flow's tuple, or before egress policy was
 * enforced). On the egress path a new flow whose tuple a live Service flow holds on the wire
 * is remapped (lib/remap.h).
 */
static __always_inline int dp_track_create(struct dp_ctx *ctx, int ingress)
{
	struct dp_ct_key k = {};
	struct dp_ct_entry n = {};
	struct dp_ct_entry *e;

	if (dp_no_flow(ctx) || ctx->translated || ctx->ct_hit)
		return DP_CONTINUE;
	dp_ct_key_of(&k, &ctx->t, DP_CT_PLAIN);
	if (ctx->ct_fwd) {
		e = bpf_map_lookup_elem(&dp_ct4, &k);
		if (e) {
			e->flags |= ingress ? DP_CT_F_INGRESS_OK : DP_CT_F_EGRESS_OK;
			if (!ingress && !(e->flags & DP_CT_F_REMAPPED) && dp_remap_new(ctx, e) < 0)
				return dp_drop(DP_DROP_SNAT_PORTS);
			return DP_CONTINUE;
		}
	}
	n.created = ctx->now;
	n.seen = ctx->seen;
	n.flags = ingress ? DP_CT_F_INGRESS_OK : DP_CT_F_EGRESS_OK;
	n.expires = ctx->now + dp_ct_lifetime(ctx->t.proto, ctx->seen);
	if (!ingress && dp_remap_new(ctx, &n) < 0)
		return dp_drop(DP_DROP_SNAT_PORTS);
	bpf_map_update_elem(&dp_ct4, &k, &n, BPF_ANY);
	dp_count(DP_CT_NEW_PLAIN);
	return DP_CONTINUE;
}

#endif
