/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Source port remap of a pod's flow whose tuple on the wire another live flow holds (why this
 * happens: DP_CT_REMAP_OUT in lib/maps.h). A Service flow that comes second is remapped by
 * lib/lb.h, as a SNAT to the pod's own address. This file remaps an untranslated flow that
 * comes second, a pod's direct connection to a backend it is already talking to through a
 * Service from the same source port:
 *
 *  - dp_remap_new (dp_track_create, from_pod): a new TCP connection (SYN) or UDP flow whose
 *    reply tuple (remote -> pod:port) a live Service flow's CT_REPLY half holds gets a free
 *    port of DP_SNAT_PORT_MIN..MAX (dp_snat_port: random tries; none free drops the packet,
 *    DP_DROP_SNAT_PORTS), a REMAP_OUT and a REMAP_IN entry with their dp_snat4 rewrites, and
 *    DP_CT_F_REMAPPED on its DP_CT_PLAIN entry;
 *  - dp_stage_remap_out (from_pod, last stage): a packet of a flagged flow leaves with the
 *    new port;
 *  - dp_stage_remap_in (to_pod, before conntrack and policy): a reply to pod:new port gets
 *    the pod's own port back, so every later stage sees the flow as the pod does.
 *
 * The pair is masquerade's (dp_masq_pair_create, dp_masq_pair_keep in lib/masq.h): each packet
 * keeps the other half alive, as for NAT pairs; the entries carry DP_CT_F_SNAT,
 * so the agent's conntrack sweep removes their dp_snat4 halves with them. Conntrack and policy
 * key the flow by the pod's tuple: only the wire differs. An ICMP error quoting a remapped
 * packet gets the pod's port back in its quote on to_pod (dp_stage_nat_icmp_error, lib/masq.h).
 */
#ifndef DP_REMAP_H
#define DP_REMAP_H

#include "masq.h"

/* Records the remap of a new flow, or leaves it alone; -1 when no port is free. */
static __always_inline int dp_remap_new(struct dp_ctx *ctx, struct dp_ct_entry *plain)
{
	struct dp_ct_key ok = {};
	struct dp_ct_key ik = {};
	struct dp_backend remote = {};
	__be16 port;

	if (dp_no_ports(ctx) || (ctx->t.proto == IPPROTO_TCP && !(ctx->seen & DP_CT_SEEN_SYN)))
		return 0;
	dp_ct_key_reply_of(&ik, &ctx->t, DP_CT_REPLY);
	if (!dp_ct_lookup(&ik, ctx->now))
		return 0;
	remote.addr = ctx->t.daddr;
	remote.port = ctx->t.dport;
	if (dp_snat_port(ctx, ctx->t.saddr, &remote, &port) < 0)
		return -1;
	dp_ct_key_of(&ok, &ctx->t, DP_CT_REMAP_OUT);
	ik.dport = port;
	ik.dir = DP_CT_REMAP_IN;
	dp_masq_pair_create(ctx, &ok, &ik, ctx->t.saddr, port);
	plain->flags |= DP_CT_F_REMAPPED;
	ctx->remap = 1;
	dp_count(DP_CT_PORT_REMAP);
	return 0;
}

static __always_inline int dp_stage_remap_out(struct dp_ctx *ctx)
{
	struct dp_ct_key ok = {};
	struct dp_ct_key ik = {};
	struct dp_ct_entry *e;
	struct dp_nat *nat;

	if (!ctx->remap)
		return DP_CONTINUE;
	dp_ct_key_of(&ok, &ctx->t, DP_CT_REMAP_OUT);
	e = dp_ct_lookup(&ok, ctx->now);
	nat = e ? bpf_map_lookup_elem(&dp_snat4, &ok) : 0;
	if (!nat) {
		ctx->remap = 0; /* the remap expired: the flow goes on with its own port */
		return DP_CONTINUE;
	}
	dp_ct_key_reply_of(&ik, &ctx->t, DP_CT_REMAP_IN);
	ik.dport = nat->port;
	dp_masq_pair_keep(ctx, e, &ik, ctx->t.saddr, ctx->t.sport);
	if (dp_rewrite_port(ctx->skb, &ctx->p, 1, ctx->t.sport, nat->port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.sport = nat->port;
	return DP_CONTINUE;
}

static __always_inline int dp_stage_remap_in(struct dp_ctx *ctx)
{
	struct dp_ct_key ik = {};
	struct dp_ct_key ok = {};
	struct dp_ct_entry *e;
	struct dp_nat *nat;

	if (dp_no_ports(ctx) || ctx->translated || bpf_ntohs(ctx->t.dport) < DP_SNAT_PORT_MIN)
		return DP_CONTINUE;
	dp_ct_key_of(&ik, &ctx->t, DP_CT_REMAP_IN);
	e = dp_ct_lookup(&ik, ctx->now);
	nat = e ? bpf_map_lookup_elem(&dp_snat4, &ik) : 0;
	if (!nat)
		return DP_CONTINUE;
	dp_ct_key_reply_of(&ok, &ctx->t, DP_CT_REMAP_OUT);
	ok.sport = nat->port;
	dp_masq_pair_keep(ctx, e, &ok, ctx->t.daddr, ctx->t.dport);
	if (dp_rewrite_port(ctx->skb, &ctx->p, 0, ctx->t.dport, nat->port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.dport = nat->port;
	ctx->remap = 1;
	return DP_CONTINUE;
}

#endif
