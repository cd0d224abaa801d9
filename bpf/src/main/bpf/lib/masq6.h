/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IPv6 SNAT masquerade of pod traffic leaving the node (the profile's spec.masquerade on a
 * dual-stack or IPv6 node), the IPv6 twin of lib/masq.h with maps of its own (dp_masq6,
 * dp_nomasq6) so the IPv4 maps keep their layouts and pins:
 *
 *  - dp_stage_masq6 (to_host, TC egress): an IPv6 TCP, UDP or ICMPv6 echo request packet from
 *    the IPv6 pod pool to a destination outside dp_nomasq6 (the pool, node CIDRs, the profile's
 *    IPv6 nonMasqueradeCIDRs), on a device with a dp_masq6 entry, leaves with the device's node
 *    IPv6 address. A new flow keeps its port (echo: its identifier) when the reply tuple
 *    (remote -> node:port) is free, else tries DP_MASQ_RETRIES random ports of
 *    DP_SNAT_PORT_MIN..MAX, counted in dp_masq_retries as for IPv4; none free: dropped
 *    (DP_DROP_MASQ_PORTS). Replies of connections a remote opened to the pod (a DP_CT_PLAIN
 *    dp_ct6 entry, lib/track6.h) and echo replies stay untranslated.
 *  - dp_stage_masq6_reply (from_host, TC ingress): a packet to node:port that matches a
 *    CT_MASQ_IN dp_ct6 entry goes back to the pod address and port; the kernel forwards it to
 *    the pod's veth.
 *  - dp_stage_masq6_icmp_error (from_host): an ICMPv6 error (RFC 4443: destination unreachable,
 *    Packet Too Big, time exceeded, parameter problem) sent to the node address, quoting a
 *    masqueraded packet (node:port -> remote, TCP, UDP or an echo request), goes to the pod: the
 *    quoted source back to the pod address and port, the outer destination the pod.
 *
 * State: as IPv4's, two dp_ct6 entries per flow (CT_MASQ_OUT keyed by the pod's tuple,
 * CT_MASQ_IN by the reply's) with DP_CT_F_SNAT and conntrack's lifetimes (ICMPv6 echo gets
 * UDP's), and their rewrites in dp_snat6 under the same keys, so CtGarbageCollector collects
 * both; each packet keeps the other half alive (an LRU-evicted half is re-created). The port
 * space is shared with IPv6 service SNAT (dp_nat6_port_taken, lib/nodeport6.h). Non-first
 * fragments follow their first fragment (dp_frag6, dp_stage_fragments6).
 *
 * The keys and the node and pod addresses live in a per-CPU scratch area of their own
 * (dp_scratch_masq6), not on the stack: from_host's frame is near BPF's 512 bytes, and lib/lb6.h's
 * dp_scratch6 is taken by dp_frag6_record while these are in use.
 */
#ifndef DP_MASQ6_H
#define DP_MASQ6_H

#include "masq.h"
#include "lb6.h"
#include "icmp6.h"

struct dp_masq6_scratch {
	struct dp_ct6_key ok;        /* CT_MASQ_OUT: pod -> remote */
	struct dp_ct6_key ik;        /* CT_MASQ_IN: remote -> node:port */
	struct dp_ct_entry e;
	struct dp_nat6 v;
	struct dp_nomasq6_key nk;
	struct ipv6hdr inner;        /* the packet an ICMPv6 error quotes */
	__be32 node[4];
	__be32 pod[4];
	__be32 old[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dp_masq6_scratch);
} dp_scratch_masq6 SEC(".maps");

static __always_inline struct dp_masq6_scratch *dp_masq6_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&dp_scratch_masq6, &zero);
}

static __always_inline int dp_masq6_in_pool(const __be32 *a, const struct dp_masq6 *m)
{
	return (a[0] & m->pool_mask[0]) == m->pool_addr[0] && (a[1] & m->pool_mask[1]) == m->pool_addr[1] &&
	       (a[2] & m->pool_mask[2]) == m->pool_addr[2] && (a[3] & m->pool_mask[3]) == m->pool_addr[3];
}

/* TCP/UDP port or ICMPv6 echo identifier (at offset 4; the ICMPv6 checksum has no port in its pseudo-header). */
static __always_inline int dp_masq6_rewrite_port(struct dp_ctx *ctx, int is_src, __be16 old_port, __be16 new_port)
{
	if (!ctx->icmp_echo)
		return dp_rewrite_port(ctx->skb, &ctx->p, is_src, old_port, new_port);
	if (old_port == new_port)
		return 0;
	if (bpf_l4_csum_replace(ctx->skb, ctx->p.csum_off, old_port, new_port, 2) < 0)
		return -1;
	return bpf_skb_store_bytes(ctx->skb, ctx->p.l4_off + offsetof(struct dp_icmp6_hdr, data), &new_port, 2, 0);
}

/* A port for a new flow whose reply key is s->ik (dport to fill): its own when free, else random ones. */
static __always_inline int dp_masq6_port(struct dp_ctx *ctx, struct dp_ct6_key *ik, __be16 own, __be16 *out)
{
	__u32 range = DP_SNAT_PORT_MAX - DP_SNAT_PORT_MIN + 1;
	int i;

	ik->dport = own;
	if (!dp_nat6_port_taken(ik, ctx->now)) {
		*out = own;
		dp_masq_count_tries(0);
		return 0;
	}
	for (i = 0; i < DP_MASQ_RETRIES; i++) {
		ik->dport = bpf_htons((__u16)(DP_SNAT_PORT_MIN + bpf_get_prandom_u32() % range));
		if (!dp_nat6_port_taken(ik, ctx->now)) {
			*out = ik->dport;
			dp_masq_count_tries(i + 1);
			return 0;
		}
	}
	dp_masq_count_tries(DP_MASQ_RETRIES + 1);
	return -1;
}

/* One dp_snat6 half (lib/nodeport6.h's dp_snat6_put with its value in the scratch area). */
static __always_inline void dp_masq6_snat_put(struct dp_masq6_scratch *s, const struct dp_ct6_key *k, const __be32 *addr,
					      __be16 port)
{
	__builtin_memset(&s->v, 0, sizeof(s->v));
	dp_addr6_copy(s->v.addr, addr);
	s->v.port = port;
	bpf_map_update_elem(&dp_snat6, k, &s->v, BPF_ANY);
}

/* Makes sure the other dp_snat6 half exists with this rewrite (re-created if the LRU evicted it). */
static __always_inline void dp_masq6_snat_keep(struct dp_masq6_scratch *s, const struct dp_ct6_key *k, const __be32 *addr,
					       __be16 port)
{
	struct dp_nat6 *n = bpf_map_lookup_elem(&dp_snat6, k);

	if (!n || n->port != port || !dp_addr6_eq(n->addr, addr))
		dp_masq6_snat_put(s, k, addr, port);
}

/* A new flow's two halves (s->ok, s->ik with its port) and their dp_snat6 rewrites. */
static __always_inline void dp_masq6_pair_create(const struct dp_ctx *ctx, struct dp_masq6_scratch *s, __be16 port)
{
	__builtin_memset(&s->e, 0, sizeof(s->e));
	s->e.created = ctx->now;
	s->e.seen = ctx->seen;
	s->e.flags = DP_CT_F_SNAT;
	s->e.expires = ctx->now + dp_ct_lifetime(ctx->t6.proto, ctx->seen);
	bpf_map_update_elem(&dp_ct6, &s->ok, &s->e, BPF_ANY);
	bpf_map_update_elem(&dp_ct6, &s->ik, &s->e, BPF_ANY);
	dp_masq6_snat_put(s, &s->ok, s->node, port);
	dp_masq6_snat_put(s, &s->ik, ctx->t6.saddr, ctx->t6.sport);
}

static __always_inline int dp_stage_masq6(struct dp_ctx *ctx)
{
	struct dp_masq6_scratch *s;
	struct dp_ct_entry *ct;
	struct dp_nat6 *nat = 0;
	struct dp_masq6 *m;
	__u32 ifindex;
	__be16 port;

	if (ctx->later_frag || ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	if (ctx->icmp_echo == DP_ICMP_ECHO_REPLY)
		return dp_masq_pass(ctx); /* the pod answers someone who reached it */
	ifindex = ctx->skb->ifindex;
	m = bpf_map_lookup_elem(&dp_masq6, &ifindex);
	if (!m || !dp_masq6_in_pool(ctx->t6.saddr, m))
		return dp_masq_pass(ctx);
	s = dp_masq6_scratch_get();
	if (!s)
		return DP_CONTINUE;
	dp_addr6_copy(s->node, m->node_addr);
	s->nk.prefixlen = 128;
	dp_addr6_copy(s->nk.addr, ctx->t6.daddr);
	if (bpf_map_lookup_elem(&dp_nomasq6, &s->nk))
		return dp_masq_pass(ctx);

	dp_ct6_key_of(&s->ok, &ctx->t6, DP_CT_MASQ_OUT);
	s->ok.pad = 0;
	dp_addr6_copy(s->ik.saddr, ctx->t6.daddr);
	dp_addr6_copy(s->ik.daddr, s->node);
	s->ik.sport = ctx->t6.dport;
	s->ik.proto = ctx->t6.proto;
	s->ik.dir = DP_CT_MASQ_IN;
	s->ik.pad = 0;
	ct = dp_ct6_lookup(&s->ok, ctx->now);
	if (ct)
		nat = bpf_map_lookup_elem(&dp_snat6, &s->ok);
	if (ct && nat && dp_addr6_eq(nat->addr, s->node)) {
		port = nat->port;
		s->ik.dport = port;
		dp_ct_touch(ct, ctx->t6.proto, ctx->seen, ctx->now);
		dp_ct6_keep_half(&s->ik, ct);
		dp_masq6_snat_keep(s, &s->ik, ctx->t6.saddr, ctx->t6.sport);
	} else {
		if (!ctx->icmp_echo) {
			/* a reply of a connection a remote opened to the pod: the pod's address stays */
			dp_ct6_reply_key(&s->ok, &ctx->t6, ctx->t6.daddr, ctx->t6.dport, DP_CT_PLAIN);
			if (dp_ct6_lookup(&s->ok, ctx->now))
				return DP_CONTINUE;
			dp_ct6_key_of(&s->ok, &ctx->t6, DP_CT_MASQ_OUT);
		}
		if (dp_masq6_port(ctx, &s->ik, ctx->t6.sport, &port) < 0)
			return dp_drop(DP_DROP_MASQ_PORTS);
		dp_masq6_pair_create(ctx, s, port);
		dp_count(DP_NAT_MASQ);
	}
	dp_frag6_record(ctx, s->node, 0, 0);
	if (dp_rewrite_addr6(ctx->skb, &ctx->p, 1, ctx->t6.saddr, s->node) < 0 ||
	    dp_masq6_rewrite_port(ctx, 1, ctx->t6.sport, port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	dp_addr6_copy(ctx->t6.saddr, s->node);
	ctx->t6.sport = port;
	ctx->translated = 1;
	return DP_CONTINUE;
}

static __always_inline int dp_stage_masq6_reply(struct dp_ctx *ctx)
{
	struct dp_masq6_scratch *s;
	struct dp_ct_entry *ct;
	struct dp_nat6 *nat;
	__be16 pod_port, old_port;

	if (ctx->later_frag || ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	if (ctx->icmp_echo == DP_ICMP_ECHO_REQUEST)
		return dp_masq_pass(ctx); /* someone pings the node or a pod */
	s = dp_masq6_scratch_get();
	if (!s)
		return DP_CONTINUE;
	dp_ct6_key_of(&s->ik, &ctx->t6, DP_CT_MASQ_IN);
	s->ik.pad = 0;
	ct = dp_ct6_lookup(&s->ik, ctx->now);
	if (!ct)
		return dp_masq_pass(ctx);
	nat = bpf_map_lookup_elem(&dp_snat6, &s->ik);
	if (!nat)
		return dp_masq_pass(ctx);
	dp_addr6_copy(s->pod, nat->addr);
	pod_port = nat->port;
	dp_addr6_copy(s->ok.saddr, s->pod);
	dp_addr6_copy(s->ok.daddr, ctx->t6.saddr);
	s->ok.sport = pod_port;
	s->ok.dport = ctx->t6.sport;
	s->ok.proto = ctx->t6.proto;
	s->ok.dir = DP_CT_MASQ_OUT;
	s->ok.pad = 0;
	dp_ct_touch(ct, ctx->t6.proto, ctx->seen, ctx->now);
	dp_ct6_keep_half(&s->ok, ct);
	dp_masq6_snat_keep(s, &s->ok, ctx->t6.daddr, ctx->t6.dport);
	dp_frag6_record(ctx, 0, s->pod, 0);
	old_port = ctx->t6.dport;
	if (dp_rewrite_addr6(ctx->skb, &ctx->p, 0, ctx->t6.daddr, s->pod) < 0 ||
	    dp_masq6_rewrite_port(ctx, 0, old_port, pod_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	dp_addr6_copy(ctx->t6.daddr, s->pod);
	ctx->t6.dport = pod_port;
	ctx->translated = 1;
	dp_count(DP_NAT_MASQ_REPLY);
	return DP_CONTINUE;
}

static __always_inline int dp_stage_masq6_icmp_error(struct dp_ctx *ctx)
{
	struct dp_masq6_scratch *s;
	struct dp_nat6 *nat;
	__be16 ports[2];
	__u32 inner_off, port_off;
	__be16 pod_port;

	if (!ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	s = dp_masq6_scratch_get();
	if (!s)
		return DP_CONTINUE;
	inner_off = ctx->p.l4_off + sizeof(struct dp_icmp6_hdr);
	if (bpf_skb_load_bytes(ctx->skb, inner_off, &s->inner, sizeof(s->inner)) < 0 ||
	    !dp_addr6_eq((const __be32 *)&s->inner.saddr, ctx->t6.daddr))
		return DP_CONTINUE;
	port_off = inner_off + sizeof(struct ipv6hdr);
	if (s->inner.nexthdr == IPPROTO_TCP || s->inner.nexthdr == IPPROTO_UDP) {
		if (bpf_skb_load_bytes(ctx->skb, port_off, ports, sizeof(ports)) < 0)
			return DP_CONTINUE;
	} else if (s->inner.nexthdr == DP_IPPROTO_ICMPV6) {
		/* a quoted echo request: type, code, checksum, identifier; the identifier plays the source port */
		__u8 type;

		if (bpf_skb_load_bytes(ctx->skb, port_off, &type, 1) < 0 || type != DP_ICMP6_ECHO_REQUEST)
			return DP_CONTINUE;
		port_off += offsetof(struct dp_icmp6_hdr, data);
		if (bpf_skb_load_bytes(ctx->skb, port_off, &ports[0], 2) < 0)
			return DP_CONTINUE;
		ports[1] = 0;
	} else {
		return DP_CONTINUE;
	}
	/* the quoted packet went node:port -> remote: its flow's MASQ_IN key is remote -> node:port */
	__builtin_memcpy(s->ik.saddr, &s->inner.daddr, 16);
	__builtin_memcpy(s->ik.daddr, &s->inner.saddr, 16);
	s->ik.sport = ports[1];
	s->ik.dport = ports[0];
	s->ik.proto = s->inner.nexthdr;
	s->ik.dir = DP_CT_MASQ_IN;
	s->ik.pad = 0;
	if (!dp_ct6_lookup(&s->ik, ctx->now))
		return DP_CONTINUE;
	nat = bpf_map_lookup_elem(&dp_snat6, &s->ik);
	if (!nat)
		return DP_CONTINUE;
	dp_addr6_copy(s->pod, nat->addr);
	pod_port = nat->port;
	dp_addr6_copy(s->old, s->ik.daddr);
	if (dp_icmp6_quote_addr(ctx, inner_off + offsetof(struct ipv6hdr, saddr), s->old, s->pod) < 0 ||
	    dp_icmp6_quote_port(ctx, port_off, ports[0], pod_port) < 0 ||
	    dp_rewrite_addr6(ctx->skb, &ctx->p, 0, ctx->t6.daddr, s->pod) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	dp_addr6_copy(ctx->t6.daddr, s->pod);
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return DP_CONTINUE;
}

#endif
