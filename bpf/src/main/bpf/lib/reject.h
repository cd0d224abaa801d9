/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rejecting a TCP connection with a RST built in place.
 *
 * A service without backends, and an established flow whose backend was removed, are
 * answered with a TCP RST "from" the service address, so the client fails at once
 * (ECONNREFUSED on connect, ECONNRESET mid-stream) instead of timing out. The incoming
 * segment is turned around: MACs, addresses and ports swapped, payload and options cut,
 * RFC 793 section 3.4 reset generation for seq/ack, both checksums recomputed, and the
 * packet redirected out of the device it came in on.
 *
 * UDP to a service without backends is answered with ICMP destination unreachable,
 * port unreachable (RFC 792 type 3 code 3) from the service address, quoting the offending
 * IP header and the first 8 bytes of its payload (RFC 792; RFC 1812 4.3.2.3), so a
 * connected UDP socket sees ECONNREFUSED at once.
 */
#ifndef DP_REJECT_H
#define DP_REJECT_H

#include "common.h"

static __always_inline __u16 dp_csum_fold(__s64 csum)
{
	__u32 s = (__u32)csum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

struct dp_pseudo_hdr {
	__be32 saddr;
	__be32 daddr;
	__u8 zero;
	__u8 proto;
	__be16 len;
};

/* Returns TC_ACT_REDIRECT with the RST in place, or TC_ACT_SHOT if it cannot be built. */
static __always_inline int dp_reply_rst(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	__u8 mac[ETH_ALEN];
	__be32 addr;
	__be16 port;
	__u32 seq, ack_seq, seg_len;
	int had_ack, syn, fin;
	struct dp_pseudo_hdr ph = {};
	__s64 c;

	if ((void *)(tcp + 1) > data_end || ip->ihl != 5)
		return TC_ACT_SHOT;
	if (tcp->rst)
		return TC_ACT_SHOT; /* RFC 793 3.4: never answer a reset with a reset */
	seg_len = bpf_ntohs(ip->tot_len);
	if (seg_len < sizeof(*ip) + tcp->doff * 4)
		return TC_ACT_SHOT;
	seg_len -= sizeof(*ip) + tcp->doff * 4;
	had_ack = tcp->ack;
	syn = tcp->syn;
	fin = tcp->fin;
	seq = bpf_ntohl(tcp->seq);
	ack_seq = tcp->ack_seq;

	if (bpf_skb_change_tail(skb, sizeof(*eth) + sizeof(*ip) + sizeof(*tcp), 0) < 0)
		return TC_ACT_SHOT;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);

	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*tcp));
	ip->ttl = 64;
	ip->frag_off = 0;
	ip->check = 0;

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

	c = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	if (c < 0)
		return TC_ACT_SHOT;
	ip->check = dp_csum_fold(c);

	ph.saddr = ip->saddr;
	ph.daddr = ip->daddr;
	ph.proto = IPPROTO_TCP;
	ph.len = bpf_htons(sizeof(*tcp));
	c = bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0);
	if (c < 0)
		return TC_ACT_SHOT;
	c = bpf_csum_diff(0, 0, (__be32 *)tcp, sizeof(*tcp), c);
	if (c < 0)
		return TC_ACT_SHOT;
	tcp->check = dp_csum_fold(c);

	return bpf_redirect(skb->ifindex, 0);
}

/* The part of the offending datagram an ICMP error quotes (RFC 792). */
struct dp_icmp_quote {
	struct iphdr ip;
	__u8 l4[8];
};

struct dp_icmp_unreach {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__u32 unused;
};

#define DP_ICMP_DEST_UNREACH 3
#define DP_ICMP_PORT_UNREACH 3

/* Returns TC_ACT_REDIRECT with an ICMP port unreachable in place, or TC_ACT_SHOT. */
static __always_inline int dp_reply_icmp_port_unreach(struct __sk_buff *skb)
{
	struct dp_icmp_quote q;
	void *data, *data_end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct dp_icmp_unreach *icmp;
	__u8 mac[ETH_ALEN];
	__s64 c;
	const __u32 room = sizeof(struct iphdr) + sizeof(struct dp_icmp_unreach);

	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &q, sizeof(q)) < 0)
		return TC_ACT_SHOT;
	if (q.ip.ihl != 5)
		return TC_ACT_SHOT;
	/* keep Ethernet + the quote, then open room for the new IP and ICMP headers */
	if (bpf_skb_change_tail(skb, sizeof(struct ethhdr) + sizeof(q), 0) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, 0) < 0)
		return TC_ACT_SHOT;

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) + sizeof(q) > data_end)
		return TC_ACT_SHOT;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0;
	ip->tot_len = bpf_htons(room + sizeof(q));
	ip->id = q.ip.id;
	ip->frag_off = 0;
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->saddr = q.ip.daddr; /* the service address the client sent to */
	ip->daddr = q.ip.saddr;

	icmp->type = DP_ICMP_DEST_UNREACH;
	icmp->code = DP_ICMP_PORT_UNREACH;
	icmp->checksum = 0;
	icmp->unused = 0;

	c = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	if (c < 0)
		return TC_ACT_SHOT;
	ip->check = dp_csum_fold(c);
	c = bpf_csum_diff(0, 0, (__be32 *)icmp, sizeof(*icmp) + sizeof(q), 0);
	if (c < 0)
		return TC_ACT_SHOT;
	icmp->checksum = dp_csum_fold(c);

	return bpf_redirect(skb->ifindex, 0);
}

#endif
