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

/* RFC 4443 2.1: the ICMPv6 header; errors 1-4 quote the offending packet after it. */
struct dp_icmp6_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 data;       /* unused, MTU (Packet Too Big) or pointer (Parameter Problem) */
};
#define DP_IPPROTO_ICMPV6 58
#define DP_ICMP6_DEST_UNREACH 1
#define DP_ICMP6_PKT_TOO_BIG 2
#define DP_ICMP6_TIME_EXCEED 3
#define DP_ICMP6_PARAM_PROB 4
#define DP_ICMP6_ECHO_REQUEST 128 /* RFC 4443 4.1 */
#define DP_ICMP6_ECHO_REPLY 129   /* RFC 4443 4.2 */

/* An IPv6 packet's tuple (lib/lb6.h); addresses in network order. */
struct dp_tuple6 {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

static __always_inline void dp_addr6_copy(__be32 *dst, const __be32 *src)
{
	dst[0] = src[0];
	dst[1] = src[1];
	dst[2] = src[2];
	dst[3] = src[3];
}

struct dp_ctx {
	struct __sk_buff *skb;
	struct dp_pkt p;     /* offsets for rewrites */
	struct dp_tuple t;   /* the packet's tuple as it is now (after earlier stages' rewrites) */
	struct dp_tuple orig; /* the tuple as it arrived */
	__u32 now;           /* CLOCK_MONOTONIC seconds */
	__be16 ip_id;
	__be32 frag6_id;     /* IPv6 Fragment header's Identification (first_frag or later_frag of ctx->v6) */
	__u8 where;          /* enum dp_where */
	__u8 seen;           /* DP_CT_SEEN_* flags of this TCP segment */
	__u8 first_frag;     /* first fragment of a fragmented datagram (has ports); IPv4 or IPv6 */
	__u8 later_frag;     /* non-first fragment (no ports) */
	__u8 translated;     /* a stage rewrote the packet: it is Gannet's */
	__u8 ct_hit;         /* dp_track_lookup: a known flow (a reply, or a flow ingress already let in) */
	__u8 ct_fwd;         /* dp_track_lookup found an entry in the packet's own direction */
	__u8 icmp_err;       /* ICMP error (unreachable, time exceeded, parameter problem): no ports,
	                      * l4_off is the ICMP header; only dp_stage_icmp_revnat handles it */
	__u8 icmp_echo;      /* DP_ICMP_ECHO_REQUEST / _REPLY: the identifier is t.sport of a request
	                      * and t.dport of a reply (the other is 0), l4_off is the ICMP header,
	                      * csum_off 0 (no pseudo-header); masqueraded on host devices
	                      * (lib/masq.h), tracked and judged by policy on pod devices */
	__u8 other_l4;       /* pod devices only: any other protocol (SCTP, GRE, ESP, ICMP types that
	                      * are neither echo nor an error...): t.sport and t.dport are 0 but for
	                      * SCTP's ports; only conntrack (lib/track.h) and policy read it */
	__u8 icmp_type;      /* the ICMP type of an icmp_echo or other_l4 ICMP packet (policy's port) */
	__u8 lb_flow;        /* dp_stage_lb translated this packet (a Service flow; its CT_EGRESS half is
	                      * keyed by ctx->orig) */
	__u8 egress_ok;      /* ... and that flow's CT_EGRESS half says egress policy let it out */
	__u8 remap;          /* lib/remap.h: from_pod: the flow leaves with another source port (the
	                      * last stage rewrites it); to_pod: a reply got the pod's own port back */
	__u8 v6;             /* an IPv6 TCP/UDP packet, ICMPv6 error or echo, or (pod devices) any other
	                      * IPv6 packet but neighbor discovery: t6 holds its tuple, t and orig are
	                      * unused, and only the IPv6 stages run */
	struct dp_tuple6 t6; /* the IPv6 packet's tuple as it is now */
};

/* The conntrack key of a tuple in its own direction (dir: DP_CT_PLAIN, DP_CT_EGRESS, ...). */
static __always_inline void dp_ct_key_of(struct dp_ct_key *k, const struct dp_tuple *t, __u8 dir)
{
	k->saddr = t->saddr;
	k->daddr = t->daddr;
	k->sport = t->sport;
	k->dport = t->dport;
	k->proto = t->proto;
	k->dir = dir;
}

/* The conntrack key of a tuple's other direction (its reply), under dir. */
static __always_inline void dp_ct_key_reply_of(struct dp_ct_key *k, const struct dp_tuple *t, __u8 dir)
{
	k->saddr = t->daddr;
	k->daddr = t->saddr;
	k->sport = t->dport;
	k->dport = t->sport;
	k->proto = t->proto;
	k->dir = dir;
}

/* Stages that need TCP or UDP ports skip non-first fragments, ICMP and other protocols. */
static __always_inline int dp_no_ports(const struct dp_ctx *ctx)
{
	return ctx->later_frag || ctx->icmp_err || ctx->icmp_echo || ctx->other_l4;
}

/*
 * A packet conntrack and policy cannot follow on its own: a non-first fragment (no L4
 * header: it follows its first fragment's fate at reassembly) or an ICMP error (it is about
 * a flow, translated back by the NAT stages that own that flow).
 */
static __always_inline int dp_no_flow(const struct dp_ctx *ctx)
{
	return ctx->later_frag || ctx->icmp_err;
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

/* The address part of the context, shared by every kind of packet. */
static __always_inline void dp_parse_ip(struct dp_ctx *ctx, const struct iphdr *ip)
{
	ctx->p.ip_off = sizeof(struct ethhdr);
	ctx->p.proto = ip->protocol;
	ctx->t.saddr = ip->saddr;
	ctx->t.daddr = ip->daddr;
	ctx->t.proto = ip->protocol;
	ctx->ip_id = ip->id;
	ctx->now = dp_now();
}

/*
 * On a pod device, a protocol other than TCP, UDP, ICMP echo and ICMP errors: conntrack
 * follows it by its address pair (SCTP by its ports too) and ingress policy judges it by
 * protocol (and SCTP port, or ICMP type), so a policy's default deny covers everything the
 * pod can receive and the source check everything it sends.
 */
static __always_inline int dp_parse_other(struct dp_ctx *ctx, const struct iphdr *ip, __u32 ihl_bytes, void *data_end)
{
	void *l4 = (void *)ip + ihl_bytes;
	__u16 frag = bpf_ntohs(ip->frag_off);

	dp_parse_ip(ctx, ip);
	if (frag & DP_IP_OFFSET) {
		ctx->later_frag = 1;
		ctx->orig = ctx->t;
		return DP_CONTINUE;
	}
	if (ihl_bytes > 60)
		return dp_drop(DP_DROP_MALFORMED);
	ctx->first_frag = (frag & DP_IP_MF) != 0;
	ctx->other_l4 = 1;
	ctx->p.l4_off = sizeof(struct ethhdr) + ihl_bytes;
	if (ip->protocol == IPPROTO_SCTP) {
		__be16 *ports = l4;

		if ((void *)(ports + 2) > data_end)
			return dp_drop(DP_DROP_MALFORMED);
		ctx->t.sport = ports[0];
		ctx->t.dport = ports[1];
	} else if (ip->protocol == IPPROTO_ICMP) {
		struct icmphdr *icmp = l4;

		if ((void *)(icmp + 1) > data_end)
			return dp_drop(DP_DROP_MALFORMED);
		ctx->icmp_type = icmp->type;
	}
	ctx->orig = ctx->t;
	return DP_CONTINUE;
}

/* The TCP or UDP header at ctx->p.l4_off: its ports (source, destination), the checksum offset,
 * the TCP flags seen; a header cut short (or a TCP data offset under 5) is malformed. */
static __always_inline int dp_parse_ports(struct dp_ctx *ctx, void *data, void *data_end, __u8 proto,
					  __be16 *sport, __be16 *dport)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = data + ctx->p.l4_off;

		if ((void *)(tcp + 1) > data_end || tcp->doff < 5)
			return dp_drop(DP_DROP_MALFORMED);
		*sport = tcp->source;
		*dport = tcp->dest;
		ctx->p.csum_off = ctx->p.l4_off + offsetof(struct tcphdr, check);
		ctx->seen = dp_tcp_seen(tcp);
	} else {
		struct udphdr *udp = data + ctx->p.l4_off;

		if ((void *)(udp + 1) > data_end)
			return dp_drop(DP_DROP_MALFORMED);
		*sport = udp->source;
		*dport = udp->dest;
		ctx->p.csum_off = ctx->p.l4_off + offsetof(struct udphdr, check);
		/* zero: no checksum in IPv4; invalid in IPv6 (RFC 8200 8.1), left as it is */
		ctx->p.udp_csum_zero = udp->check == 0;
	}
	return DP_CONTINUE;
}

/* RFC 8200 section 4: the extension headers walked to find TCP or UDP. */
#define DP_NEXTHDR_HOP 0
#define DP_NEXTHDR_ROUTING 43
#define DP_NEXTHDR_FRAGMENT 44
#define DP_NEXTHDR_DEST 60
#define DP_IPV6_EXT_MAX 4        /* headers walked at most (RFC 8200 4.1 recommends one of each, hop-by-hop
				  * first, destination options at most twice): the verifier's bound */
#define DP_IP6_OFFSET 0xfff8     /* fragment header: offset in 8-octet units, shifted by 3 */
#define DP_IP6_MF 0x0001         /* fragment header: more fragments */

/* RFC 8200 section 4.5: the Fragment header. */
struct dp_frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;   /* offset (13 bits), 2 reserved bits, M flag */
	__be32 id;
};

/*
 * Walks the IPv6 extension headers after the fixed header (hop-by-hop, routing, destination
 * options, fragment; at most DP_IPV6_EXT_MAX of them) to the upper-layer header: *nexthdr and
 * *off are its protocol and offset. A Fragment header is recorded in ctx (frag6_id, first_frag, and
 * later_frag for a non-first fragment, where the walk stops: what follows is data); an atomic
 * fragment (offset 0, no M flag, RFC 6946) is a whole datagram. Anything else (AH, ESP, an unknown
 * header, a longer chain) ends the walk with that header as *nexthdr. Returns DP_CONTINUE, or a
 * drop for a header cut short.
 */
static __always_inline int dp_parse6_ext(struct dp_ctx *ctx, void *data, void *data_end, __u8 *nexthdr, __u32 *off)
{
	__u32 o = sizeof(struct ethhdr) + sizeof(struct ipv6hdr);
	__u8 nh = *nexthdr;
	int i;

#pragma unroll
	for (i = 0; i < DP_IPV6_EXT_MAX; i++) {
		if (nh == DP_NEXTHDR_HOP || nh == DP_NEXTHDR_ROUTING || nh == DP_NEXTHDR_DEST) {
			/* RFC 8200 4.3-4.6: next header, length in 8-octet units not counting the first */
			__u8 *h = data + o;

			if ((void *)(h + 2) > data_end)
				return dp_drop(DP_DROP_MALFORMED);
			nh = h[0];
			o += ((__u32)h[1] + 1) * 8;
		} else if (nh == DP_NEXTHDR_FRAGMENT) {
			struct dp_frag6_hdr *f = data + o;
			__u16 frag;

			if ((void *)(f + 1) > data_end)
				return dp_drop(DP_DROP_MALFORMED);
			nh = f->nexthdr;
			frag = bpf_ntohs(f->frag_off);
			o += sizeof(*f);
			if (frag & DP_IP6_OFFSET) {
				ctx->later_frag = 1;
				ctx->frag6_id = f->id;
				break;
			}
			if (frag & DP_IP6_MF) {
				ctx->first_frag = 1;
				ctx->frag6_id = f->id;
			}
		} else {
			break;
		}
	}
	*nexthdr = nh;
	*off = o;
	return DP_CONTINUE;
}

/*
 * The link's own control messages, never judged: neighbor discovery (RFC 4861: router and neighbor
 * solicitation and advertisement, redirect, 133-137) and multicast listener discovery (RFC 2710 and
 * 3810: query 130, report 131, done 132, MLDv2 report 143; sent with hop limit 1, behind a
 * hop-by-hop Router Alert, from a link-local or the unspecified address). A policy's default deny
 * dropping a pod's MLD reports made its interface's start a stream of drop events.
 */
static __always_inline int dp_icmp6_nd(__u8 type)
{
	return (type >= 130 && type <= 137) || type == 143;
}

/*
 * On a pod device, an IPv6 packet that is neither TCP, UDP nor an ICMPv6 echo or error right after
 * the fixed header: as dp_parse_other for IPv4, conntrack follows it by its address pair (SCTP by
 * its ports too) and policy judges it by protocol (SCTP by port, ICMPv6 behind extension headers
 * by type, an echo there by its identifier too, as directly after the fixed header), so a
 * policy's default deny covers everything the pod can send and receive. Neighbor
 * discovery stays untouched. A non-first fragment (ctx->later_frag) has no header to read.
 */
static __always_inline int dp_parse6_other(struct dp_ctx *ctx, struct ipv6hdr *ip6, void *data, void *data_end,
					   __u8 nh, __u32 l4_off)
{
	if (!ctx->later_frag) {
		if (nh == IPPROTO_SCTP) {
			__be16 *ports = data + l4_off;

			if ((void *)(ports + 2) > data_end)
				return dp_drop(DP_DROP_MALFORMED);
			ctx->t6.sport = ports[0];
			ctx->t6.dport = ports[1];
		} else if (nh == DP_IPPROTO_ICMPV6) {
			struct dp_icmp6_hdr *icmp6 = data + l4_off;

			if ((void *)(icmp6 + 1) > data_end)
				return dp_drop(DP_DROP_MALFORMED);
			if (dp_icmp6_nd(icmp6->type))
				return dp_not_mine(DP_PASS_NON_IPV4);
			ctx->icmp_type = icmp6->type;
			if ((icmp6->type == DP_ICMP6_ECHO_REQUEST || icmp6->type == DP_ICMP6_ECHO_REPLY) && icmp6->code == 0) {
				/* an echo behind extension headers (a large ping's first fragment): tracked by
				 * its identifier as an unfragmented one is, so its reply finds it */
				__be16 id = (__be16)(icmp6->data & 0xffff);

				ctx->icmp_echo = icmp6->type == DP_ICMP6_ECHO_REQUEST ? DP_ICMP_ECHO_REQUEST : DP_ICMP_ECHO_REPLY;
				ctx->t6.sport = icmp6->type == DP_ICMP6_ECHO_REQUEST ? id : 0;
				ctx->t6.dport = icmp6->type == DP_ICMP6_ECHO_REQUEST ? 0 : id;
			}
		}
		ctx->other_l4 = !ctx->icmp_echo;
		ctx->p.l4_off = l4_off;
	}
	ctx->v6 = 1;
	ctx->p.ip_off = sizeof(struct ethhdr);
	ctx->p.proto = nh;
	__builtin_memcpy(ctx->t6.saddr, &ip6->saddr, 16);
	__builtin_memcpy(ctx->t6.daddr, &ip6->daddr, 16);
	ctx->t6.proto = nh;
	ctx->now = dp_now();
	return DP_CONTINUE;
}

/*
 * IPv6 on a pod or host device: TCP and UDP after the fixed header and any hop-by-hop, routing,
 * destination options and fragment headers (dp_parse6_ext) are parsed into ctx->t6 for the IPv6
 * service stages (lib/lb6.h), a non-first fragment of TCP or UDP with its addresses only
 * (ctx->later_frag: no ports, for dp_stage_fragments6), and ICMPv6 errors directly after the
 * fixed header (ctx->icmp_err: no ports, for lib/icmp6.h and lib/masq6.h only), and ICMPv6 echo
 * directly after the fixed header (ctx->icmp_echo, the identifier in t6.sport of a request or
 * t6.dport of a reply, csum_off the ICMPv6 checksum: lib/masq6.h on host devices, conntrack and
 * policy on pod devices).
 * On pod devices every other IPv6 packet but neighbor discovery is parsed too (ctx->other_l4,
 * dp_parse6_other), for conntrack and policy (lib/track6.h, lib/policy.h). On host devices
 * everything else (other ICMPv6, AH, ESP, unknown headers, other protocols) is left untouched.
 */
static __always_inline int dp_parse6(struct dp_ctx *ctx, struct ipv6hdr *ip6, void *data_end)
{
	void *data = (void *)(long)ctx->skb->data;
	int pod = ctx->where == DP_FROM_POD || ctx->where == DP_TO_POD;
	__u32 l4_off;
	__u8 nh;
	int v;

	if ((void *)(ip6 + 1) > data_end)
		return dp_drop(DP_DROP_MALFORMED);
	if (ip6->version != 6)
		return dp_drop(DP_DROP_MALFORMED);
	if (ip6->nexthdr == DP_IPPROTO_ICMPV6) {
		/* RFC 4443 2.1: error messages are types 0-127; 1-4 quote the offending packet
		 * (lib/icmp6.h). Informational ones (echo, neighbor discovery) are not Gannet's. */
		struct dp_icmp6_hdr *icmp6 = (void *)(ip6 + 1);

		if ((void *)(icmp6 + 1) > data_end)
			return dp_not_mine(DP_PASS_NON_IPV4);
		if ((icmp6->type == DP_ICMP6_ECHO_REQUEST || icmp6->type == DP_ICMP6_ECHO_REPLY) && icmp6->code == 0) {
			/* RFC 4443 4.1/4.2, for IPv6 masquerade (lib/masq6.h) on host devices, conntrack and
			 * policy on pod devices: the identifier (the first two bytes of the data field) plays
			 * the port, as for IPv4 echo */
			__be16 id = (__be16)(icmp6->data & 0xffff);

			ctx->icmp_echo = icmp6->type == DP_ICMP6_ECHO_REQUEST ? DP_ICMP_ECHO_REQUEST : DP_ICMP_ECHO_REPLY;
			ctx->icmp_type = icmp6->type;
			ctx->t6.sport = icmp6->type == DP_ICMP6_ECHO_REQUEST ? id : 0;
			ctx->t6.dport = icmp6->type == DP_ICMP6_ECHO_REQUEST ? 0 : id;
		} else if (icmp6->type < DP_ICMP6_DEST_UNREACH || icmp6->type > DP_ICMP6_PARAM_PROB) {
			if (!pod || dp_icmp6_nd(icmp6->type))
				return dp_not_mine(DP_PASS_NON_IPV4);
			/* any other ICMPv6 on a pod device (MLD, node information...): judged by policy by type */
			ctx->other_l4 = 1;
			ctx->icmp_type = icmp6->type;
		} else {
			ctx->icmp_err = 1;
		}
		ctx->v6 = 1;
		ctx->p.ip_off = sizeof(struct ethhdr);
		ctx->p.l4_off = sizeof(struct ethhdr) + sizeof(*ip6);
		ctx->p.proto = DP_IPPROTO_ICMPV6;
		ctx->p.csum_off = ctx->p.l4_off + offsetof(struct dp_icmp6_hdr, checksum);
		__builtin_memcpy(ctx->t6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(ctx->t6.daddr, &ip6->daddr, 16);
		ctx->t6.proto = DP_IPPROTO_ICMPV6;
		ctx->now = dp_now();
		return DP_CONTINUE;
	}
	nh = ip6->nexthdr;
	v = dp_parse6_ext(ctx, data, data_end, &nh, &l4_off);
	if (v != DP_CONTINUE)
		return v;
	if (nh != IPPROTO_TCP && nh != IPPROTO_UDP) {
		if (pod)
			return dp_parse6_other(ctx, ip6, data, data_end, nh, l4_off);
		ctx->later_frag = 0;
		ctx->first_frag = 0;
		return dp_not_mine(DP_PASS_NON_IPV4);
	}
	ctx->v6 = 1;
	ctx->p.ip_off = sizeof(struct ethhdr);
	ctx->p.proto = nh;
	__builtin_memcpy(ctx->t6.saddr, &ip6->saddr, 16);
	__builtin_memcpy(ctx->t6.daddr, &ip6->daddr, 16);
	ctx->t6.proto = nh;
	ctx->now = dp_now();
	if (ctx->later_frag)
		return DP_CONTINUE; /* no L4 header: l4_off and csum_off stay 0 */
	ctx->p.l4_off = l4_off;
	return dp_parse_ports(ctx, data, data_end, nh, &ctx->t6.sport, &ctx->t6.dport);
}

/*
 * Fills ctx from the packet. Returns DP_CONTINUE for IPv4 TCP/UDP (and non-first
 * fragments, which carry no ports: ctx->later_frag), ICMP echo and errors, and on pod
 * devices every other protocol (ctx->other_l4); IPv6 TCP/UDP on every device (ctx->v6, dp_parse6);
 * TC_ACT_UNSPEC for what Gannet does not handle (other non-IPv4; other L4 on host devices),
 * TC_ACT_SHOT for truncated or invalid headers.
 */
static __always_inline int dp_parse(struct __sk_buff *skb, enum dp_where where, struct dp_ctx *ctx)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 ihl_bytes;
	__u16 frag;
	int pod = where == DP_FROM_POD || where == DP_TO_POD;

	ctx->skb = skb;
	ctx->where = where;
	if ((void *)(eth + 1) > data_end)
		return dp_not_mine(DP_PASS_NON_IPV4);
	if (eth->h_proto != bpf_htons(ETH_P_IP)) {
		if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			return dp_parse6(ctx, (void *)(eth + 1), data_end);
		return dp_not_mine(DP_PASS_NON_IPV4);
	}
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return dp_drop(DP_DROP_MALFORMED);
	ihl_bytes = ip->ihl * 4;
	if (ip->version != 4 || ihl_bytes < sizeof(*ip) || bpf_ntohs(ip->tot_len) < ihl_bytes)
		return dp_drop(DP_DROP_MALFORMED);
	if (ip->protocol == IPPROTO_ICMP && !(bpf_ntohs(ip->frag_off) & DP_IP_OFFSET)) {
		struct icmphdr *icmp = (void *)ip + ihl_bytes;

		if (ihl_bytes > 60 || (void *)(icmp + 1) > data_end) {
			if (pod)
				return dp_drop(DP_DROP_MALFORMED);
			return dp_not_mine(DP_PASS_OTHER_L4);
		}
		if ((icmp->type == ICMP_ECHO || icmp->type == ICMP_ECHOREPLY) && icmp->code == 0) {
			__be16 id = (__be16)(icmp->rest & 0xffff); /* first two bytes of rest, network order */

			ctx->icmp_echo = icmp->type == ICMP_ECHO ? DP_ICMP_ECHO_REQUEST : DP_ICMP_ECHO_REPLY;
			ctx->icmp_type = icmp->type;
			dp_parse_ip(ctx, ip);
			ctx->p.l4_off = sizeof(*eth) + ihl_bytes;
			ctx->t.sport = icmp->type == ICMP_ECHO ? id : 0;
			ctx->t.dport = icmp->type == ICMP_ECHO ? 0 : id;
			ctx->orig = ctx->t;
			return DP_CONTINUE;
		}
		if (icmp->type != ICMP_DEST_UNREACH && icmp->type != ICMP_TIME_EXCEEDED &&
		    icmp->type != ICMP_PARAMETERPROB) {
			if (pod)
				return dp_parse_other(ctx, ip, ihl_bytes, data_end);
			return dp_not_mine(DP_PASS_OTHER_L4);
		}
		ctx->icmp_err = 1;
		dp_parse_ip(ctx, ip);
		ctx->p.l4_off = sizeof(*eth) + ihl_bytes;
		ctx->orig = ctx->t;
		return DP_CONTINUE;
	}
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP) {
		if (pod)
			return dp_parse_other(ctx, ip, ihl_bytes, data_end);
		return dp_not_mine(DP_PASS_OTHER_L4);
	}

	dp_parse_ip(ctx, ip);
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
	int ports = dp_parse_ports(ctx, data, data_end, ip->protocol, &ctx->t.sport, &ctx->t.dport);

	if (ports != DP_CONTINUE)
		return ports;
	ctx->orig = ctx->t;
	return DP_CONTINUE;
}

/* The end of every program: Gannet's packets go on, untouched ones go to the next filter. */
static __always_inline int dp_finish(const struct dp_ctx *ctx)
{
	return ctx->translated || ctx->remap ? TC_ACT_OK : TC_ACT_UNSPEC;
}

#endif
