/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SNAT masquerade of pod traffic leaving the node (the profile's spec.masquerade), on host
 * devices:
 *
 *  - dp_stage_masq (to_host, TC egress: the packet is routed, skb->ifindex is the device it
 *    leaves by): a packet from the pod pool to a destination outside dp_nomasq4 (the pod
 *    pool, the node CIDRs, the profile's nonMasqueradeCIDRs), on a device with a dp_masq4
 *    entry, leaves with the device's node address. A new flow keeps its source port (ICMP
 *    echo: its identifier) when the reply tuple (remote -> node:port) is free, else tries up
 *    to DP_MASQ_RETRIES random ports of DP_SNAT_PORT_MIN..MAX (Cilium tries 32-128); the
 *    number of tries is counted in dp_masq_retries (a histogram), and a flow that finds none
 *    is dropped (DP_DROP_MASQ_PORTS). Replies of connections into a pod (a DP_CT_PLAIN entry
 *    keyed by the remote originator) and echo replies are never masqueraded: pod addresses
 *    stay routable for whoever connects to them.
 *  - dp_stage_masq_reply (from_host, TC ingress): a packet to node:port that matches a
 *    CT_MASQ_IN entry goes back to the pod address and port; the kernel then routes it to
 *    the pod's veth (the destination is a pod: forwarding, no martian).
 *
 * State: two dp_ct4 entries per flow (CT_MASQ_OUT keyed by the pod's tuple, CT_MASQ_IN by
 * the reply's), with conntrack's lifetimes (ICMP echo gets UDP's), so they expire and are
 * collected with conntrack (CtGarbageCollector deletes the dp_snat4 halves with them); dp_snat4
 * holds the rewrite under the same two keys. As for NAT pairs (lib/lb.h), each packet keeps
 * the other half alive. NodePort SNAT shares the port space (dp_nat_port_taken).
 *
 * Non-first fragments follow their first fragment through dp_frag4. ICMP errors about a
 * masqueraded TCP/UDP flow (PMTUD's fragmentation needed, port unreachable, ...) go back to the
 * pod (dp_stage_nat_icmp_error, from_host), and so do those quoting a masqueraded echo request
 * (dp_stage_masq_icmp_echo_error).
 */
#ifndef DP_MASQ_H
#define DP_MASQ_H

#include "lb.h"

/* Rewrites the flow's port: TCP/UDP source or destination port, or the ICMP echo identifier
 * (one field for both directions; the ICMP checksum has no pseudo-header). */
static __always_inline int dp_masq_rewrite_port(struct dp_ctx *ctx, int is_src, __be16 old_port, __be16 new_port)
{
	if (!ctx->icmp_echo)
		return dp_rewrite_port(ctx->skb, &ctx->p, is_src, old_port, new_port);
	if (old_port == new_port)
		return 0;
	if (bpf_l4_csum_replace(ctx->skb, ctx->p.l4_off + offsetof(struct icmphdr, checksum), old_port, new_port, 2) < 0)
		return -1;
	return bpf_skb_store_bytes(ctx->skb, ctx->p.l4_off + offsetof(struct icmphdr, rest), &new_port, 2, 0);
}

static __always_inline void dp_masq_count_tries(__u32 tries)
{
	__u32 b;
	__u64 *v;

	if (tries == 0)
		b = 0;
	else if (tries < 2)
		b = 1;
	else if (tries < 4)
		b = 2;
	else if (tries < 8)
		b = 3;
	else if (tries < 16)
		b = 4;
	else if (tries < 32)
		b = 5;
	else if (tries <= DP_MASQ_RETRIES)
		b = 6;
	else
		b = 7; /* exhausted */
	v = bpf_map_lookup_elem(&dp_masq_retries, &b);
	if (v)
		*v += 1;
}

/*
 * A port for a new flow whose reply key is *in (remote -> node, dport to fill): its own port
 * when free, else up to DP_MASQ_RETRIES random ones. Returns 0 with the port in *out, or -1.
 */
static __always_inline int dp_masq_port(struct dp_ctx *ctx, struct dp_ct_key *in, __be16 own, __be16 *out)
{
	__u32 range = DP_SNAT_PORT_MAX - DP_SNAT_PORT_MIN + 1;
	int i;

	in->dport = own;
	if (!dp_nat_port_taken(in, ctx->now)) {
		*out = own;
		dp_masq_count_tries(0);
		return 0;
	}
	for (i = 0; i < DP_MASQ_RETRIES; i++) {
		in->dport = bpf_htons((__u16)(DP_SNAT_PORT_MIN + bpf_get_prandom_u32() % range));
		if (!dp_nat_port_taken(in, ctx->now)) {
			*out = in->dport;
			dp_masq_count_tries(i + 1);
			return 0;
		}
	}
	dp_masq_count_tries(DP_MASQ_RETRIES + 1);
	return -1;
}

/*
 * Records a new flow that leaves with another source, addr:port (a masquerade to the node's
 * address; a remap to the pod's own, lib/remap.h): its out half under ok (the pod's tuple) and its
 * in half under ik (the reply to addr:port), with conntrack's lifetimes and DP_CT_F_SNAT, and
 * their dp_snat4 rewrites (out: addr:port; in: the pod's address and port).
 */
static __always_inline void dp_masq_pair_create(const struct dp_ctx *ctx, const struct dp_ct_key *ok,
						const struct dp_ct_key *ik, __be32 addr, __be16 port)
{
	struct dp_ct_entry e = {};
	struct dp_nat v = {};

	e.created = ctx->now;
	e.seen = ctx->seen;
	e.flags = DP_CT_F_SNAT;
	e.expires = ctx->now + dp_ct_lifetime(ctx->t.proto, ctx->seen);
	bpf_map_update_elem(&dp_ct4, ok, &e, BPF_ANY);
	bpf_map_update_elem(&dp_ct4, ik, &e, BPF_ANY);
	v.addr = addr;
	v.port = port;
	bpf_map_update_elem(&dp_snat4, ok, &v, BPF_ANY);
	v.addr = ctx->t.saddr;
	v.port = ctx->t.sport;
	bpf_map_update_elem(&dp_snat4, ik, &v, BPF_ANY);
}

/*
 * A packet of such a flow, in either direction: its own half ct refreshed, and the other half
 * (key other) kept alive with its rewrite to addr:port, re-created if the LRU evicted it.
 */
static __always_inline void dp_masq_pair_keep(const struct dp_ctx *ctx, struct dp_ct_entry *ct,
					      const struct dp_ct_key *other, __be32 addr, __be16 port)
{
	dp_ct_touch(ct, ctx->t.proto, ctx->seen, ctx->now);
	dp_ct_keep_half(other, ct);
	dp_snat_keep(other, addr, port);
}

/* Not masqueraded: counted where the parser left it uncounted (ICMP echo). */
static __always_inline int dp_masq_pass(const struct dp_ctx *ctx)
{
	if (ctx->icmp_echo)
		dp_count(DP_PASS_OTHER_L4);
	return DP_CONTINUE;
}

static __always_inline int dp_stage_masq(struct dp_ctx *ctx)
{
	struct dp_ipcache_key nk = {};
	struct dp_ct_key ok = {};
	struct dp_ct_key ik = {};
	struct dp_ct_entry *ct;
	struct dp_nat *nat = 0;
	struct dp_masq *m;
	__u32 ifindex;
	__be32 node;
	__be16 port;

	if (ctx->later_frag || ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	if (ctx->icmp_echo == DP_ICMP_ECHO_REPLY)
		return dp_masq_pass(ctx); /* an echo reply: the pod answers someone who reached it */
	ifindex = ctx->skb->ifindex;
	m = bpf_map_lookup_elem(&dp_masq4, &ifindex);
	if (!m || (ctx->t.saddr & m->pool_mask) != m->pool_addr)
		return dp_masq_pass(ctx);
	nk.prefixlen = 32;
	nk.addr = ctx->t.daddr;
	if (bpf_map_lookup_elem(&dp_nomasq4, &nk))
		return dp_masq_pass(ctx);
	node = m->node_addr;

	dp_ct_key_of(&ok, &ctx->t, DP_CT_MASQ_OUT);
	ik.saddr = ctx->t.daddr;
	ik.daddr = node;
	ik.sport = ctx->t.dport;
	ik.proto = ctx->t.proto;
	ik.dir = DP_CT_MASQ_IN;
	ct = dp_ct_lookup(&ok, ctx->now);
	if (ct)
		nat = bpf_map_lookup_elem(&dp_snat4, &ok);
	if (ct && nat && nat->addr == node) {
		port = nat->port;
		ik.dport = port;
		dp_masq_pair_keep(ctx, ct, &ik, ctx->t.saddr, ctx->t.sport);
	} else {
		struct dp_ct_key pk = {};

		/* a reply of a connection a remote opened to the pod: the pod's address stays */
		dp_ct_key_reply_of(&pk, &ctx->t, DP_CT_PLAIN);
		if (!ctx->icmp_echo && dp_ct_lookup(&pk, ctx->now))
			return DP_CONTINUE;
		if (dp_masq_port(ctx, &ik, ctx->t.sport, &port) < 0)
			return dp_drop(DP_DROP_MASQ_PORTS);
		dp_masq_pair_create(ctx, &ok, &ik, node, port);
		dp_count(DP_NAT_MASQ);
	}
	if (ctx->first_frag)
		dp_frag_record(ctx, node, DP_FRAG_REWRITE_SRC);
	if (dp_rewrite_addr(ctx->skb, &ctx->p, 1, ctx->t.saddr, node) < 0 ||
	    dp_masq_rewrite_port(ctx, 1, ctx->t.sport, port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.saddr = node;
	ctx->t.sport = port;
	ctx->translated = 1;
	return DP_CONTINUE;
}

static __always_inline int dp_stage_masq_reply(struct dp_ctx *ctx)
{
	struct dp_ct_key ik = {};
	struct dp_ct_key ok = {};
	struct dp_ct_entry *ct;
	struct dp_nat *nat;
	__be32 pod;
	__be16 pod_port, old_port;

	if (ctx->later_frag || ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	if (ctx->icmp_echo == DP_ICMP_ECHO_REQUEST)
		return dp_masq_pass(ctx); /* an echo request: someone pings the node or a pod */
	ik.saddr = ctx->t.saddr;
	ik.daddr = ctx->t.daddr;
	ik.sport = ctx->t.sport;
	ik.dport = ctx->t.dport;
	ik.proto = ctx->t.proto;
	ik.dir = DP_CT_MASQ_IN;
	ct = dp_ct_lookup(&ik, ctx->now);
	if (!ct)
		return dp_masq_pass(ctx);
	nat = bpf_map_lookup_elem(&dp_snat4, &ik);
	if (!nat)
		return dp_masq_pass(ctx);
	pod = nat->addr;
	pod_port = nat->port;
	ok.saddr = pod;
	ok.daddr = ctx->t.saddr;
	ok.sport = pod_port;
	ok.dport = ctx->t.sport;
	ok.proto = ctx->t.proto;
	ok.dir = DP_CT_MASQ_OUT;
	dp_masq_pair_keep(ctx, ct, &ok, ctx->t.daddr, ctx->t.dport);
	if (ctx->first_frag)
		dp_frag_record(ctx, pod, DP_FRAG_REWRITE_DST);
	old_port = ctx->t.dport;
	if (dp_rewrite_addr(ctx->skb, &ctx->p, 0, ctx->t.daddr, pod) < 0 ||
	    dp_masq_rewrite_port(ctx, 0, old_port, pod_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.daddr = pod;
	ctx->t.dport = pod_port;
	ctx->translated = 1;
	dp_count(DP_NAT_MASQ_REPLY);
	return DP_CONTINUE;
}

/*
 * An ICMP error (RFC 792: destination unreachable incl. PMTUD's fragmentation needed, time
 * exceeded, parameter problem) about a flow that left with another source (a masqueraded flow,
 * arriving at the node address, in_dir DP_CT_MASQ_IN on from_host; a remapped pod flow,
 * lib/remap.h, in_dir DP_CT_REMAP_IN on to_pod): it quotes the packet as it left (addr:port ->
 * remote). The quoted source goes back to the pod address and port (the quoted IP checksum and
 * the ICMP checksum follow; the quoted L4 checksum is left as is, receivers do not check it),
 * and the outer destination becomes the pod, so the pod's stack matches the error to its socket.
 */
static __always_inline int dp_stage_nat_icmp_error(struct dp_ctx *ctx, __u8 in_dir)
{
	struct iphdr inner;
	__be16 ports[2];
	struct dp_ct_key ik = {};
	struct dp_nat *nat;
	__u32 inner_off;
	__be32 pod;
	__be16 pod_port;

	if (!dp_icmp_quote(ctx, &inner, ports, &inner_off) || inner.saddr != ctx->t.daddr)
		return DP_CONTINUE;
	/* the quoted packet went addr:port -> remote: its flow's reply key is remote -> addr:port */
	if (!dp_ct_of_quote(ctx, &ik, &inner, ports, in_dir))
		return DP_CONTINUE;
	nat = bpf_map_lookup_elem(&dp_snat4, &ik);
	if (!nat)
		return DP_CONTINUE;
	pod = nat->addr;
	pod_port = nat->port;
	if (dp_icmp_quote_rewrite(ctx, inner_off, 1, inner.saddr, pod, ports[0], pod_port) < 0 ||
	    dp_icmp_outer_rewrite(ctx, 0, ctx->t.daddr, pod) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.daddr = pod;
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return DP_CONTINUE;
}

/*
 * An ICMP error (RFC 792) sent to the node address, quoting a masqueraded echo request as it left
 * (node:identifier -> remote): its MASQ_IN key is remote -> node with the identifier as the port.
 * The quoted source and identifier go back to the pod's (the quoted IP checksum and the ICMP
 * checksum follow; the quoted echo's own checksum is left, as quoted L4 checksums are), and the
 * outer destination becomes the pod, so the pod's ping socket gets the error.
 */
static __always_inline int dp_stage_masq_icmp_echo_error(struct dp_ctx *ctx)
{
	struct iphdr inner;
	struct dp_ct_key ik = {};
	struct dp_nat *nat;
	__u32 inner_off, id_off;
	__be32 pod;
	__be16 id, pod_id;
	__u8 type;

	if (!ctx->icmp_err || ctx->translated)
		return DP_CONTINUE;
	inner_off = ctx->p.l4_off + sizeof(struct icmphdr);
	id_off = inner_off + sizeof(struct iphdr) + offsetof(struct icmphdr, rest);
	if (bpf_skb_load_bytes(ctx->skb, inner_off, &inner, sizeof(inner)) < 0 || inner.version != 4 || inner.ihl != 5 ||
	    inner.protocol != IPPROTO_ICMP || inner.saddr != ctx->t.daddr ||
	    bpf_skb_load_bytes(ctx->skb, inner_off + sizeof(struct iphdr), &type, 1) < 0 || type != ICMP_ECHO ||
	    bpf_skb_load_bytes(ctx->skb, id_off, &id, 2) < 0)
		return DP_CONTINUE;
	ik.saddr = inner.daddr;
	ik.daddr = inner.saddr;
	ik.dport = id;
	ik.proto = IPPROTO_ICMP;
	ik.dir = DP_CT_MASQ_IN;
	if (!dp_ct_lookup(&ik, ctx->now))
		return DP_CONTINUE;
	nat = bpf_map_lookup_elem(&dp_snat4, &ik);
	if (!nat)
		return DP_CONTINUE;
	pod = nat->addr;
	pod_id = nat->port;
	if (dp_icmp_quote_rewrite_at(ctx, inner_off, 1, inner.saddr, pod, id_off, id, pod_id) < 0 ||
	    dp_icmp_outer_rewrite(ctx, 0, ctx->t.daddr, pod) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.daddr = pod;
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return DP_CONTINUE;
}

#endif
