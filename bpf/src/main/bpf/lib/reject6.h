/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rejecting an IPv6 flow to a frontend without backends, as lib/reject.h does for IPv4, so the
 * client fails at once instead of timing out:
 *
 *  - TCP: a RST built in place "from" the service address (RFC 793 section 3.4 seq/ack; the
 *    incoming segment turned around, payload and options cut, hop limit 64, the TCP checksum
 *    computed over the IPv6 pseudo-header of RFC 8200 section 8.1);
 *  - UDP: ICMPv6 destination unreachable, port unreachable (RFC 4443 section 3.1, type 1 code 4)
 *    from the service address, quoting the offending IPv6 header and the first 8 bytes of its
 *    payload (what a stack needs to find the socket: RFC 4443 asks for "as much as possible",
 *    this quotes less), so a connected UDP socket sees ECONNREFUSED.
 *
 * Both are redirected out of the device the packet came in on. Built for TCP or UDP directly after
 * the fixed header: dp_lb6_new_flow drops a packet with extension headers instead, and a RST is
 * not built for one (TC_ACT_SHOT).
 *
 * dp_stage_service_gone6 is lib/lb.h's dp_stage_service_gone for IPv6: a packet to no frontend
 * whose flow a deleted Service translated (its CT_EGRESS half in dp_ct6 names a rev-NAT entry
 * that is gone or now another frontend's) is answered with a RST (TCP; the entry is deleted) or
 * dropped until the entry expires (UDP), instead of leaking to the old address.
 */
#ifndef DP_REJECT6_H
#define DP_REJECT6_H

#include "reject.h"
#include "parse.h"
#include "maps.h"

#define DP_ICMP6_PORT_UNREACH 4

/* RFC 8200 section 8.1: source, destination, upper-layer packet length (32 bits), zero, next header. */
struct dp_pseudo_hdr6 {
	__be32 saddr[4];
	__be32 daddr[4];
	__be32 len;
	__u8 zero[3];
	__u8 nexthdr;
};

/* The one's-complement sum of a pseudo-header and `len` bytes at l4, folded; 0 on a helper error. */
static __always_inline int dp_csum6(const struct ipv6hdr *ip6, __u8 nexthdr, void *l4, __u32 len, __u16 *out)
{
	struct dp_pseudo_hdr6 ph = {};
	__s64 c;

	__builtin_memcpy(ph.saddr, &ip6->saddr, 16);
	__builtin_memcpy(ph.daddr, &ip6->daddr, 16);
	ph.len = bpf_htonl(len);
	ph.nexthdr = nexthdr;
	c = bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0);
	if (c < 0)
		return -1;
	c = bpf_csum_diff(0, 0, l4, len, c);
	if (c < 0)
		return -1;
	*out = dp_csum_fold(c);
	return 0;
}

static __always_inline void dp_swap_mac(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
}

/* Returns TC_ACT_REDIRECT with the RST in place, or TC_ACT_SHOT if it cannot be built. */
static __always_inline int dp_reply_rst6(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip6 + 1);
	struct in6_addr addr;
	__be16 port;
	__u32 seq, ack_seq, seg_len;
	int had_ack, syn, fin;
	__u16 check;

	if ((void *)(tcp + 1) > data_end || ip6->nexthdr != IPPROTO_TCP)
		return TC_ACT_SHOT;
	if (tcp->rst)
		return TC_ACT_SHOT; /* RFC 793 3.4: never answer a reset with a reset */
	seg_len = bpf_ntohs(ip6->payload_len);
	if (seg_len < tcp->doff * 4)
		return TC_ACT_SHOT;
	seg_len -= tcp->doff * 4;
	had_ack = tcp->ack;
	syn = tcp->syn;
	fin = tcp->fin;
	seq = bpf_ntohl(tcp->seq);
	ack_seq = tcp->ack_seq;

	if (bpf_skb_change_tail(skb, sizeof(*eth) + sizeof(*ip6) + sizeof(*tcp), 0) < 0)
		return TC_ACT_SHOT;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	ip6 = (void *)(eth + 1);
	tcp = (void *)(ip6 + 1);
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;

	dp_swap_mac(eth);
	addr = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = addr;
	ip6->payload_len = bpf_htons(sizeof(*tcp));
	ip6->hop_limit = 64;

	port = tcp->source;
	tcp->source = tcp->dest;
	tcp->dest = port;
	/* Clear data offset and all flags (bytes 12-13), then set the reset's own. */
	*((__u16 *)tcp + 6) = 0;
	tcp->doff = 5;
	tcp->rst = 1;
	if (had_ack) {
		tcp->seq = ack_seq;
		tcp->ack_seq = 0;
	} else {
		tcp->seq = 0;
		tcp->ack_seq = bpf_htonl(seq + seg_len + syn + fin);
		tcp->ack = 1;
	}
	tcp->window = 0;
	tcp->urg_ptr = 0;
	tcp->check = 0;
	if (dp_csum6(ip6, IPPROTO_TCP, tcp, sizeof(*tcp), &check) < 0)
		return TC_ACT_SHOT;
	tcp->check = check;
	return bpf_redirect(skb->ifindex, 0);
}

/* The part of the offending datagram the ICMPv6 error quotes. */
struct dp_icmp6_quote {
	struct ipv6hdr ip6;
	__u8 l4[8];
};

struct dp_icmp6_unreach {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__u32 unused;
};

/* Returns TC_ACT_REDIRECT with an ICMPv6 port unreachable in place, or TC_ACT_SHOT. */
static __always_inline int dp_reply_icmp6_port_unreach(struct __sk_buff *skb)
{
	struct dp_icmp6_quote q;
	void *data, *data_end;
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	struct dp_icmp6_unreach *icmp;
	const __u32 room = sizeof(struct ipv6hdr) + sizeof(struct dp_icmp6_unreach);
	__u16 check;

	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &q, sizeof(q)) < 0)
		return TC_ACT_SHOT;
	/* keep Ethernet + the quote, then open room for the new IPv6 and ICMPv6 headers */
	if (bpf_skb_change_tail(skb, sizeof(struct ethhdr) + sizeof(q), 0) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, 0) < 0)
		return TC_ACT_SHOT;

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	ip6 = (void *)(eth + 1);
	icmp = (void *)(ip6 + 1);
	if ((void *)(icmp + 1) + sizeof(q) > data_end)
		return TC_ACT_SHOT;

	dp_swap_mac(eth);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	*(__be32 *)ip6 = bpf_htonl(0x60000000); /* version 6, traffic class 0, flow label 0 */
	ip6->payload_len = bpf_htons(sizeof(*icmp) + sizeof(q));
	ip6->nexthdr = DP_IPPROTO_ICMPV6;
	ip6->hop_limit = 64;
	ip6->saddr = q.ip6.daddr; /* the service address the client sent to */
	ip6->daddr = q.ip6.saddr;

	icmp->type = DP_ICMP6_DEST_UNREACH;
	icmp->code = DP_ICMP6_PORT_UNREACH;
	icmp->checksum = 0;
	icmp->unused = 0;
	if (dp_csum6(ip6, DP_IPPROTO_ICMPV6, icmp, sizeof(*icmp) + sizeof(q), &check) < 0)
		return TC_ACT_SHOT;
	icmp->checksum = check;
	return bpf_redirect(skb->ifindex, 0);
}

static __always_inline int dp_stage_service_gone6(struct dp_ctx *ctx)
{
	struct dp_ct6_key ck = {};
	struct dp_ct_entry *ct;
	struct dp_revnat6 *rn;
	__u16 idx;

	if (ctx->seen & DP_CT_SEEN_SYN)
		return DP_CONTINUE;
	dp_addr6_copy(ck.saddr, ctx->t6.saddr);
	dp_addr6_copy(ck.daddr, ctx->t6.daddr);
	ck.sport = ctx->t6.sport;
	ck.dport = ctx->t6.dport;
	ck.proto = ctx->t6.proto;
	ck.dir = DP_CT_EGRESS;
	ct = dp_ct6_lookup(&ck, ctx->now);
	if (!ct)
		return DP_CONTINUE;
	idx = ct->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat6, &idx);
	if (rn && rn->port == ctx->t6.dport && rn->addr[0] == ctx->t6.daddr[0] && rn->addr[1] == ctx->t6.daddr[1] &&
	    rn->addr[2] == ctx->t6.daddr[2] && rn->addr[3] == ctx->t6.daddr[3])
		return DP_CONTINUE;
	if (ctx->t6.proto == IPPROTO_TCP) {
		bpf_map_delete_elem(&dp_ct6, &ck);
		bpf_map_delete_elem(&dp_snat6, &ck);
		dp_count(DP_REJECT_SERVICE_GONE);
		return dp_reply_rst6(ctx->skb);
	}
	return dp_drop(DP_DROP_SERVICE_GONE);
}

#endif
