/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Parsing, once per packet, into a context every stage reads.
 *
 * A program is a fixed composition of stages (see the bpf_*.c files):
 *
 *     dp_parse -> stage -> stage -> ... -> dp_finish
 *
 * Each stage takes the context and returns DP_CONTINUE (go on, possibly having rewritten
 * the packet and updated ctx->t to the new tuple) or a TC verdict that ends the program
 * (TC_ACT_SHOT for a drop, TC_ACT_REDIRECT for a reject sent back). No stage calls
 * another. Packet pointers are re-derived by whoever needs them: a rewrite invalidates
 * them, the context holds offsets and values only.
 *
 * dp_finish returns TC_ACT_OK for a packet a stage translated (it is Gannet's), and
 * TC_ACT_UNSPEC for one no stage touched, so a filter behind Gannet's in the clsact chain
 * (another tool's, an operator's) still sees it.
 */
#ifndef DP_PARSE_H
#define DP_PARSE_H

#include "common.h"
#include "metrics.h"
#include "nat.h"
#include "conntrack.h"

#define DP_CONTINUE (-2) /* stage verdict: go on with the next stage */

#define DP_ICMP_ECHO_REQUEST 1
#define DP_ICMP_ECHO_REPLY 2

struct dp_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

struct dp_ctx {
	struct __sk_buff *skb;
	struct dp_pkt p;     /* offsets for rewrites */
	struct dp_tuple t;   /* the packet's tuple as it is now (after earlier stages' rewrites) */
	struct dp_tuple orig; /* the tuple as it arrived */
	__u32 now;           /* CLOCK_MONOTONIC seconds */
	__be16 ip_id;
	__u8 where;          /* enum dp_where */
	__u8 seen;           /* DP_CT_SEEN_* flags of this TCP segment */
	__u8 first_frag;     /* first fragment of a fragmented datagram (has ports) */
	__u8 later_frag;     /* non-first fragment (no ports) */
	__u8 translated;     /* a stage rewrote the packet: it is Gannet's */
	__u8 ct_hit;         /* dp_track_lookup: a known flow (a reply, or a flow ingress already let in) */
	__u8 ct_fwd;         /* dp_track_lookup found an entry in the packet's own direction */
	__u8 icmp_err;       /* ICMP error (unreachable, time exceeded, parameter problem): no ports,
	                      * l4_off is the ICMP header; only dp_stage_icmp_revnat handles it */
	__u8 icmp_echo;      /* DP_ICMP_ECHO_REQUEST / _REPLY, parsed on host devices only (masquerade):
	                      * the identifier is t.sport of a request and t.dport of a reply (the
	                      * other is 0), l4_off is the ICMP header, csum_off 0 (no pseudo-header);
	                      * only lib/masq.h handles it */
};

/* Stages that need ports skip non-first fragments and ICMP errors. */
static __always_inline int dp_no_ports(const struct dp_ctx *ctx)
{
	return ctx->later_frag || ctx->icmp_err || ctx->icmp_echo;
}

static __always_inline int dp_drop(enum dp_reason r)
{
	dp_count(r);
	return TC_ACT_SHOT;
}

/* A packet no stage owns: counted, and left to the next filter in the chain. */
static __always_inline int dp_not_mine(enum dp_reason r)
{
	dp_count(r);
	return TC_ACT_UNSPEC;
}

/*
 * Fills ctx from the packet. Returns DP_CONTINUE for IPv4 TCP/UDP (and non-first
 * fragments, which carry no ports: ctx->later_frag), TC_ACT_UNSPEC for what Gannet does
 * not handle (non-IPv4, other L4), TC_ACT_SHOT for truncated or invalid headers.
 */
static __always_inline int dp_parse(struct __sk_buff *skb, enum dp_where where, struct dp_ctx *ctx)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 ihl_bytes;
	__u16 frag;

	ctx->skb = skb;
	ctx->where = where;
	if ((void *)(eth + 1) > data_end)
		return dp_not_mine(DP_PASS_NON_IPV4);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return dp_not_mine(DP_PASS_NON_IPV4);
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return dp_drop(DP_DROP_MALFORMED);
	ihl_bytes = ip->ihl * 4;
	if (ip->version != 4 || ihl_bytes < sizeof(*ip) || bpf_ntohs(ip->tot_len) < ihl_bytes)
		return dp_drop(DP_DROP_MALFORMED);
	if (ip->protocol == IPPROTO_ICMP && !(bpf_ntohs(ip->frag_off) & DP_IP_OFFSET)) {
		struct icmphdr *icmp = (void *)ip + ihl_bytes;

		if (ihl_bytes > 60 || (void *)(icmp + 1) > data_end)
			return dp_not_mine(DP_PASS_OTHER_L4);
		if ((icmp->type == ICMP_ECHO || icmp->type == ICMP_ECHOREPLY) && icmp->code == 0 &&
		    (where == DP_FROM_HOST || where == DP_TO_HOST)) {
			__be16 id = (__be16)(icmp->rest & 0xffff); /* first two bytes of rest, network order */

			ctx->icmp_echo = icmp->type == ICMP_ECHO ? DP_ICMP_ECHO_REQUEST : DP_ICMP_ECHO_REPLY;
			ctx->p.ip_off = sizeof(*eth);
			ctx->p.l4_off = sizeof(*eth) + ihl_bytes;
			ctx->p.proto = IPPROTO_ICMP;
			ctx->t.saddr = ip->saddr;
			ctx->t.daddr = ip->daddr;
			ctx->t.proto = IPPROTO_ICMP;
			ctx->t.sport = icmp->type == ICMP_ECHO ? id : 0;
			ctx->t.dport = icmp->type == ICMP_ECHO ? 0 : id;
			ctx->ip_id = ip->id;
			ctx->orig = ctx->t;
			ctx->now = dp_now();
			return DP_CONTINUE;
		}
		if (icmp->type != ICMP_DEST_UNREACH && icmp->type != ICMP_TIME_EXCEEDED &&
		    icmp->type != ICMP_PARAMETERPROB)
			return dp_not_mine(DP_PASS_OTHER_L4);
		ctx->icmp_err = 1;
		ctx->p.ip_off = sizeof(*eth);
		ctx->p.l4_off = sizeof(*eth) + ihl_bytes;
		ctx->p.proto = IPPROTO_ICMP;
		ctx->t.saddr = ip->saddr;
		ctx->t.daddr = ip->daddr;
		ctx->t.proto = IPPROTO_ICMP;
		ctx->orig = ctx->t;
		ctx->now = dp_now();
		return DP_CONTINUE;
	}
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return dp_not_mine(DP_PASS_OTHER_L4);

	ctx->p.ip_off = sizeof(*eth);
	ctx->p.proto = ip->protocol;
	ctx->t.saddr = ip->saddr;
	ctx->t.daddr = ip->daddr;
	ctx->t.proto = ip->protocol;
	ctx->ip_id = ip->id;
	ctx->now = dp_now();
	frag = bpf_ntohs(ip->frag_off);
	if (frag & DP_IP_OFFSET) {
		ctx->later_frag = 1;
		ctx->orig = ctx->t;
		return DP_CONTINUE;
	}
	ctx->first_frag = (frag & DP_IP_MF) != 0;
	ctx->p.l4_off = sizeof(*eth) + ihl_bytes;
	if (ctx->p.l4_off > 60 + sizeof(*eth))
		return dp_drop(DP_DROP_MALFORMED);
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = data + ctx->p.l4_off;

		if ((void *)(tcp + 1) > data_end || tcp->doff < 5)
			return dp_drop(DP_DROP_MALFORMED);
		ctx->t.sport = tcp->source;
		ctx->t.dport = tcp->dest;
		ctx->p.csum_off = ctx->p.l4_off + offsetof(struct tcphdr, check);
		ctx->seen = dp_tcp_seen(tcp);
	} else {
		struct udphdr *udp = data + ctx->p.l4_off;

		if ((void *)(udp + 1) > data_end)
			return dp_drop(DP_DROP_MALFORMED);
		ctx->t.sport = udp->source;
		ctx->t.dport = udp->dest;
		ctx->p.csum_off = ctx->p.l4_off + offsetof(struct udphdr, check);
		ctx->p.udp_csum_zero = udp->check == 0;
	}
	ctx->orig = ctx->t;
	return DP_CONTINUE;
}

/* The end of every program: Gannet's packets go on, untouched ones go to the next filter. */
static __always_inline int dp_finish(const struct dp_ctx *ctx)
{
	return ctx->translated ? TC_ACT_OK : TC_ACT_UNSPEC;
}

#endif
