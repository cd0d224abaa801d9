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
 * An error about a request SNATed to the node (externalTrafficPolicy Cluster: sent to the node
 * address, quoting node:port -> backend) goes on to the client: the quoted source back to the
 * client's address and port (dp_snat6 under the flow's CT_REPLY key), the outer destination the
 * client, sent on by FIB redirect, as lib/lb.h's dp_stage_icmp_revnat does for IPv4.
 *
 * Not done: errors about replies on pod devices (a pod client's path); quotes behind extension
 * headers.
 */
#ifndef DP_ICMP6_H
#define DP_ICMP6_H

#include "lb6.h"

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

static __always_inline int dp_stage_icmp6_revnat(struct dp_ctx *ctx)
{
	struct ipv6hdr inner;
	__be16 ports[2];
	struct dp_ct6_key k = {};
	struct dp_ct_entry *ct;
	struct dp_revnat6 *rn;
	__be32 svc_addr[4], old[4], quoted_src[4], client[4] = {};
	__be16 svc_port, client_port = 0;
	__u32 inner_off;
	__u16 idx;
	int snat = 0, redirect = 0;

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
	if (ct->flags & DP_CT_F_SNAT) {
		/* SNATed to the node (externalTrafficPolicy Cluster): the client is under the same key */
		struct dp_nat6 *nat = bpf_map_lookup_elem(&dp_snat6, &k);

		if (nat) {
			dp_addr6_copy(client, nat->addr);
			client_port = nat->port;
			snat = 1;
		}
	}
	/* quoted destination address and port back to the service's */
	dp_addr6_copy(old, k.saddr);
	if (dp_icmp6_quote_addr(ctx, inner_off + offsetof(struct ipv6hdr, daddr), old, svc_addr) < 0 ||
	    dp_icmp6_quote_port(ctx, inner_off + sizeof(inner) + 2, ports[1], svc_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	/* quoted source: the node address and port it left with, back to the client's */
	dp_addr6_copy(quoted_src, k.daddr);
	if (snat) {
		dp_addr6_copy(old, quoted_src);
		if (dp_icmp6_quote_addr(ctx, inner_off + offsetof(struct ipv6hdr, saddr), old, client) < 0 ||
		    dp_icmp6_quote_port(ctx, inner_off + sizeof(inner), ports[0], client_port) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
	}
	/* an error from the backend itself comes from the service address */
	if (dp_addr6_eq(ctx->t6.saddr, k.saddr)) {
		if (dp_rewrite_addr6(ctx->skb, &ctx->p, 1, ctx->t6.saddr, svc_addr) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_addr6_copy(ctx->t6.saddr, svc_addr);
	}
	/* sent to the node address: on to the client, past the local delivery it was addressed to */
	if (snat && dp_addr6_eq(ctx->t6.daddr, quoted_src)) {
		if (dp_rewrite_addr6(ctx->skb, &ctx->p, 0, ctx->t6.daddr, client) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_addr6_copy(ctx->t6.daddr, client);
		redirect = ctx->where == DP_FROM_POD || ctx->where == DP_FROM_HOST;
	}
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return redirect ? dp_redirect_fib6(ctx) : DP_CONTINUE;
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
