/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ICMPv6 errors about translated IPv6 flows (RFC 4443: destination unreachable, Packet Too Big
 * for path MTU discovery, time exceeded, parameter problem), the IPv6 twin of lib/lb.h's
 * dp_stage_icmp_revnat. An error on its way back to the client quotes the packet as the
 * backend side saw it (client -> backend); the quoted destination address and port go back to
 * the service's, and the outer source too when the error comes from the backend itself, so the
 * client's stack matches the error to its socket (a Packet Too Big lowers its path MTU).
 *
 * The ICMPv6 checksum covers the IPv6 pseudo-header and the whole message (RFC 4443 2.3): the
 * quoted changes are folded in with bpf_csum_diff / bpf_l4_csum_replace, the outer source with
 * BPF_F_PSEUDO_HDR. The quoted TCP/UDP checksum is left alone (receivers do not check it), as
 * for IPv4.
 *
 * On host devices, an error about a reply of an external frontend's flow (a router on the way to
 * a client outside the node sends it to the frontend address, quoting frontend -> client: the
 * Packet Too Big that path MTU discovery of a backend's large answers needs) goes the other way,
 * to the backend (dp_stage_icmp6_to_backend): the quote becomes the reply as the backend sent it
 * (backend -> client, or -> node:port for a SNATed flow), the outer destination the backend, and
 * the packet is sent on by FIB redirect.
 *
 * Not done: errors about a SNATed flow's request (sent to the node address, quoting
 * node:port -> backend) are not sent on to the client (IPv4 does not either); errors about
 * replies on pod devices (a pod client's path); quotes behind extension headers.
 */
#ifndef DP_ICMP6_H
#define DP_ICMP6_H

#include "lb6.h"

static __always_inline int dp_stage_icmp6_revnat(struct dp_ctx *ctx)
{
	struct ipv6hdr inner;
	__be16 ports[2];
	struct dp_ct6_key k = {};
	struct dp_ct_entry *ct;
	struct dp_revnat6 *rn;
	__be32 svc_addr[4];
	__be32 old_daddr[4];
	__be16 svc_port, old_dport;
	__u32 inner_off;
	__s64 diff;
	__u16 idx;

	if (!ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	inner_off = ctx->p.l4_off + sizeof(struct dp_icmp6_hdr);
	if (bpf_skb_load_bytes(ctx->skb, inner_off, &inner, sizeof(inner)) < 0 ||
	    (inner.nexthdr != IPPROTO_TCP && inner.nexthdr != IPPROTO_UDP) ||
	    bpf_skb_load_bytes(ctx->skb, inner_off + sizeof(inner), ports, sizeof(ports)) < 0)
		return DP_CONTINUE;
	/* the quoted packet went client -> backend: its flow's CT_REPLY key is backend -> client */
	__builtin_memcpy(k.saddr, &inner.daddr, 16);
	__builtin_memcpy(k.daddr, &inner.saddr, 16);
	k.sport = ports[1];
	k.dport = ports[0];
	k.proto = inner.nexthdr;
	k.dir = DP_CT_REPLY;
	ct = dp_ct6_lookup(&k, ctx->now);
	if (!ct)
		return DP_CONTINUE;
	idx = ct->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat6, &idx);
	if (!rn)
		return DP_CONTINUE;
	dp_addr6_copy(svc_addr, rn->addr);
	svc_port = rn->port;
	dp_addr6_copy(old_daddr, k.saddr);
	old_dport = ports[1];
	/* quoted destination address and port, and the ICMPv6 checksum over both */
	diff = bpf_csum_diff(old_daddr, 16, svc_addr, 16, 0);
	if (diff < 0 || bpf_l4_csum_replace(ctx->skb, ctx->p.csum_off, 0, (__u64)diff, 0) < 0 ||
	    bpf_skb_store_bytes(ctx->skb, inner_off + offsetof(struct ipv6hdr, daddr), svc_addr, 16, 0) < 0 ||
	    bpf_l4_csum_replace(ctx->skb, ctx->p.csum_off, old_dport, svc_port, 2) < 0 ||
	    bpf_skb_store_bytes(ctx->skb, inner_off + sizeof(inner) + 2, &svc_port, 2, 0) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	/* an error from the backend itself comes from the service address */
	if (ctx->t6.saddr[0] == old_daddr[0] && ctx->t6.saddr[1] == old_daddr[1] && ctx->t6.saddr[2] == old_daddr[2] &&
	    ctx->t6.saddr[3] == old_daddr[3]) {
		if (dp_rewrite_addr6(ctx->skb, &ctx->p, 1, ctx->t6.saddr, svc_addr) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_addr6_copy(ctx->t6.saddr, svc_addr);
	}
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return DP_CONTINUE;
}

/* Rewrites 16 quoted address bytes at off and folds the change into the ICMPv6 checksum. */
static __always_inline int dp_icmp6_quote_addr(struct dp_ctx *ctx, __u32 off, __be32 *old_addr, __be32 *new_addr)
{
	__s64 diff = bpf_csum_diff(old_addr, 16, new_addr, 16, 0);

	if (diff < 0 || bpf_l4_csum_replace(ctx->skb, ctx->p.csum_off, 0, (__u64)diff, 0) < 0)
		return -1;
	return bpf_skb_store_bytes(ctx->skb, off, new_addr, 16, 0);
}

/* Rewrites a quoted port at off and folds the change into the ICMPv6 checksum. */
static __always_inline int dp_icmp6_quote_port(struct dp_ctx *ctx, __u32 off, __be16 old_port, __be16 new_port)
{
	if (bpf_l4_csum_replace(ctx->skb, ctx->p.csum_off, old_port, new_port, 2) < 0)
		return -1;
	return bpf_skb_store_bytes(ctx->skb, off, &new_port, 2, 0);
}

static __always_inline int dp_stage_icmp6_to_backend(struct dp_ctx *ctx)
{
	struct ipv6hdr inner;
	__be16 ports[2];
	struct dp_ct6_key k = {};
	struct dp_ct_entry *ct;
	struct dp_backend6 *be;
	__be32 be_addr[4], to_addr[4], old[4];
	__be16 be_port, to_port;
	__u32 inner_off, backend_id;

	if (!ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	inner_off = ctx->p.l4_off + sizeof(struct dp_icmp6_hdr);
	if (bpf_skb_load_bytes(ctx->skb, inner_off, &inner, sizeof(inner)) < 0 ||
	    (inner.nexthdr != IPPROTO_TCP && inner.nexthdr != IPPROTO_UDP) ||
	    bpf_skb_load_bytes(ctx->skb, inner_off + sizeof(inner), ports, sizeof(ports)) < 0)
		return DP_CONTINUE;
	/* the quoted reply went frontend -> client: its flow's CT_EGRESS key is client -> frontend */
	__builtin_memcpy(k.saddr, &inner.daddr, 16);
	__builtin_memcpy(k.daddr, &inner.saddr, 16);
	k.sport = ports[1];
	k.dport = ports[0];
	k.proto = inner.nexthdr;
	k.dir = DP_CT_EGRESS;
	ct = dp_ct6_lookup(&k, ctx->now);
	if (!ct)
		return DP_CONTINUE;
	backend_id = ct->backend_id;
	be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
	if (!be)
		return DP_CONTINUE;
	dp_addr6_copy(be_addr, be->addr);
	be_port = be->port;
	/* the reply as the backend sent it went to the client, or to the node address and port of a SNATed flow */
	dp_addr6_copy(to_addr, k.saddr);
	to_port = k.sport;
	if (ct->flags & DP_CT_F_SNAT) {
		struct dp_nat6 *nat = bpf_map_lookup_elem(&dp_snat6, &k);

		if (!nat)
			return DP_CONTINUE;
		dp_addr6_copy(to_addr, nat->addr);
		to_port = nat->port;
	}
	dp_addr6_copy(old, k.daddr);
	if (dp_icmp6_quote_addr(ctx, inner_off + offsetof(struct ipv6hdr, saddr), old, be_addr) < 0 ||
	    dp_icmp6_quote_port(ctx, inner_off + sizeof(inner), ports[0], be_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	dp_addr6_copy(old, k.saddr);
	if (dp_icmp6_quote_addr(ctx, inner_off + offsetof(struct ipv6hdr, daddr), old, to_addr) < 0 ||
	    dp_icmp6_quote_port(ctx, inner_off + sizeof(inner) + 2, ports[1], to_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	/* to the backend: its stack matches the error to its socket */
	if (dp_rewrite_addr6(ctx->skb, &ctx->p, 0, ctx->t6.daddr, be_addr) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	dp_addr6_copy(ctx->t6.daddr, be_addr);
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return dp_redirect_fib6(ctx);
}

#endif
