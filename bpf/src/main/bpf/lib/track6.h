/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stages: connection tracking of IPv6 flows a pod sends or receives that no service translated
 * (TCP, UDP, ICMPv6 echo, SCTP and any other protocol), lib/track.h's IPv4 tracking in dp_ct6
 * (translated IPv6 flows are lib/lb6.h's NAT pairs in the same map). One DP_CT_PLAIN entry per
 * flow, keyed by the originator's tuple; a packet of the other direction finds it by the
 * reversed tuple. Lifetimes and flags are lib/track.h's: DP_CT_F_EGRESS_OK when from_pod let
 * the flow out, DP_CT_F_INGRESS_OK when to_pod let it in, so IPv6 policy (lib/policy.h, between
 * the lookup and the creation) and SNAT read them as the IPv4 ones read dp_ct4. An established
 * flow costs one lookup (its originator's packets) or two (its replies). No tuple remap
 * (lib/remap.h is IPv4's).
 *
 * Runs on pod attach points only.
 */
#ifndef DP_TRACK6_H
#define DP_TRACK6_H

#include "parse.h"
#include "maps.h"
#include "conntrack.h"
#include "lb6.h"

/*
 * lib/track.h's dp_track_lookup for IPv6: a flow nothing translated finds its entry (ctx->ct_fwd,
 * and ctx->ct_hit once this direction's policy let it through: DP_CT_F_INGRESS_OK on to_pod,
 * DP_CT_F_EGRESS_OK on from_pod) or its reply's (ctx->ct_hit), and refreshes it. TCP and UDP by
 * their ports, ICMPv6 echo by its identifier (a request's source port, its reply's destination
 * port: the reversed tuple matches), SCTP by its ports, any other protocol by its address pair.
 */
static __always_inline int dp_track6_lookup(struct dp_ctx *ctx, int ingress)
{
	__u8 ok = ingress ? DP_CT_F_INGRESS_OK : DP_CT_F_EGRESS_OK;
	union dp_scratch6 *u;
	struct dp_scratch6_ct *s;
	struct dp_ct_entry *e;

	if (dp_no_flow(ctx) || ctx->translated)
		return DP_CONTINUE;
	u = dp_scratch6_get(); /* lib/lb6.h: the key and entry off the stack */
	if (!u)
		return DP_CONTINUE;
	s = &u->ct;
	dp_ct6_key_of(&s->k, &ctx->t6, DP_CT_PLAIN);
	s->k.pad = 0;
	e = dp_ct6_lookup(&s->k, ctx->now);
	if (e) {
		dp_ct_touch(e, ctx->t6.proto, ctx->seen, ctx->now);
		ctx->ct_fwd = 1;
		if (e->flags & ok)
			ctx->ct_hit = 1;
		return DP_CONTINUE;
	}
	dp_ct6_reply_key(&s->k, &ctx->t6, ctx->t6.daddr, ctx->t6.dport, DP_CT_PLAIN);
	e = dp_ct6_lookup(&s->k, ctx->now);
	if (e) {
		dp_ct_touch(e, ctx->t6.proto, ctx->seen, ctx->now);
		ctx->ct_hit = 1;
	}
	return DP_CONTINUE;
}

/*
 * lib/track.h's dp_track_create for IPv6, after the policy stage let the packet through: a new
 * flow gets a DP_CT_PLAIN entry keyed by its originator, marked for this direction; an entry the
 * other program made (a flow between two local pods) gets this direction's mark. A packet policy
 * dropped never gets here, so its retransmission is judged again.
 */
static __always_inline int dp_track6_create(struct dp_ctx *ctx, int ingress)
{
	__u8 ok = ingress ? DP_CT_F_INGRESS_OK : DP_CT_F_EGRESS_OK;
	union dp_scratch6 *u;
	struct dp_scratch6_ct *s;
	struct dp_ct_entry *e;

	if (dp_no_flow(ctx) || ctx->translated || ctx->ct_hit)
		return DP_CONTINUE;
	u = dp_scratch6_get();
	if (!u)
		return DP_CONTINUE;
	s = &u->ct;
	dp_ct6_key_of(&s->k, &ctx->t6, DP_CT_PLAIN);
	s->k.pad = 0;
	if (ctx->ct_fwd) {
		e = bpf_map_lookup_elem(&dp_ct6, &s->k);
		if (e) {
			e->flags |= ok;
			return DP_CONTINUE;
		}
	}
	s->n.backend_id = 0;
	s->n.rev_nat_index = 0;
	s->n.created = ctx->now;
	s->n.seen = ctx->seen;
	s->n.flags = ok;
	s->n.expires = ctx->now + dp_ct_lifetime(ctx->t6.proto, ctx->seen);
	bpf_map_update_elem(&dp_ct6, &s->k, &s->n, BPF_ANY);
	dp_count(DP_CT_NEW_PLAIN);
	return DP_CONTINUE;
}

#endif
