/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * XDP fast path for host devices: the common cases of lib/lb.h, done before an skb exists.
 *
 * Handles plain IPv4 (IHL 5, not fragmented) TCP/UDP: reverse NAT of replies, and DNAT of
 * externalIP flows (new and established) with the same maps and conntrack as the TC
 * programs. Everything else returns XDP_PASS untouched and is handled by from_host at TC,
 * which sees an already translated packet as "no service": fragments, IP options,
 * services without backends (the TC reject builds the RST/ICMP), flows whose backend was
 * removed, non-IPv4, node ports, source ranges, and SNATed flows (externalTrafficPolicy
 * Cluster: the SNAT, the client restore and the FIB redirect are from_host's). Checksums are updated incrementally (RFC 1624) by direct writes,
 * since the skb checksum helpers do not exist at XDP.
 */
#ifndef DP_XDP_LB_H
#define DP_XDP_LB_H

#include "lb.h"

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), on 16-bit words in wire order. */
static __always_inline __u16 dp_csum_fold32(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

static __always_inline void dp_csum_replace4(__u16 *sum, __u32 from, __u32 to)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~from;
	s += (__u16)(~from >> 16);
	s += (__u16)to;
	s += (__u16)(to >> 16);
	*sum = (__u16)~dp_csum_fold32(s);
}

static __always_inline void dp_csum_replace2(__u16 *sum, __u16 from, __u16 to)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~from;
	s += to;
	*sum = (__u16)~dp_csum_fold32(s);
}

/* Rewrites source (is_src) or destination address and port of a parsed packet. */
static __always_inline void dp_xdp_rewrite(struct iphdr *ip, __u16 *l4sum, __be16 *portp, int is_src,
					   __be32 new_addr, __be16 new_port, int udp)
{
	__be32 *addrp = is_src ? &ip->saddr : &ip->daddr;
	__be32 old_addr = *addrp;
	__be16 old_port = *portp;

	dp_csum_replace4((__u16 *)&ip->check, old_addr, new_addr);
	*addrp = new_addr;
	*portp = new_port;
	if (!l4sum)
		return; /* UDP without checksum */
	dp_csum_replace4(l4sum, old_addr, new_addr);
	dp_csum_replace2(l4sum, old_port, new_port);
	if (udp && *l4sum == 0)
		*l4sum = 0xffff; /* RFC 768: a computed zero is sent as all ones */
}

static __always_inline int dp_xdp_process(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct dp_tuple t = {};
	struct dp_ct_key ck = {};
	struct dp_ct_entry *ct;
	struct dp_svc_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend *be;
	__u16 *l4sum;
	__be16 *sportp, *dportp;
	__u32 now, backend_id;
	__u8 seen = 0;
	int udp = 0;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl != 5)
		return XDP_PASS;
	if (ip->frag_off & bpf_htons(DP_IP_MF | DP_IP_OFFSET))
		return XDP_PASS;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end || tcp->doff < 5)
			return XDP_PASS;
		sportp = &tcp->source;
		dportp = &tcp->dest;
		l4sum = (__u16 *)&tcp->check;
		seen = dp_tcp_seen(tcp);
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *u = (void *)(ip + 1);

		if ((void *)(u + 1) > data_end)
			return XDP_PASS;
		sportp = &u->source;
		dportp = &u->dest;
		l4sum = u->check ? (__u16 *)&u->check : 0;
		udp = 1;
	} else {
		return XDP_PASS;
	}
	t.saddr = ip->saddr;
	t.daddr = ip->daddr;
	t.sport = *sportp;
	t.dport = *dportp;
	t.proto = ip->protocol;
	now = dp_now();

	ck.saddr = t.saddr;
	ck.daddr = t.daddr;
	ck.sport = t.sport;
	ck.dport = t.dport;
	ck.proto = t.proto;
	ck.dir = DP_CT_REPLY;
	ct = dp_ct_lookup(&ck, now);
	if (ct) {
		__u16 idx = ct->rev_nat_index;
		struct dp_revnat *rn = bpf_map_lookup_elem(&dp_revnat4, &idx);

		/* node ports and SNATed flows (client restore, FIB redirect) are from_host's */
		if (rn && ((rn->flags & DP_REVNAT_F_NODEPORT) || (ct->flags & DP_CT_F_SNAT)))
			return XDP_PASS;
		if (rn) {
			struct dp_ct_key ek = {};

			dp_ct_touch(ct, t.proto, seen, now);
			ek.saddr = t.daddr;
			ek.daddr = rn->addr;
			ek.sport = t.dport;
			ek.dport = rn->port;
			ek.proto = t.proto;
			ek.dir = DP_CT_EGRESS;
			dp_ct_keep_half(&ek, ct);
			dp_xdp_rewrite(ip, l4sum, sportp, 1, rn->addr, rn->port, udp);
			dp_count(DP_NAT_REVERSE);
			return XDP_PASS;
		}
	}

	sk.addr = t.daddr;
	sk.port = t.dport;
	sk.proto = t.proto;
	svc = bpf_map_lookup_elem(&dp_svc4, &sk);
	if (!svc || !(svc->flags & DP_SVC_F_EXTERNAL) || svc->count == 0 ||
	    (svc->flags & (DP_SVC_F_NODEPORT | DP_SVC_F_SRC_RANGES | DP_SVC_F_SNAT)))
		return XDP_PASS; /* node ports, source ranges and SNAT (externalTrafficPolicy Cluster) are from_host's */

	ck.dir = DP_CT_EGRESS;
	ct = dp_ct_lookup(&ck, now);
	if (ct && (ct->flags & DP_CT_F_SNAT))
		return XDP_PASS; /* a flow SNATed before its Service became Local: from_host keeps it */
	if (ct) {
		backend_id = ct->backend_id;
		be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
		if (!be)
			return XDP_PASS; /* backend removed: from_host resets or re-picks */
		{
			struct dp_ct_key rk = {};

			dp_ct_touch(ct, t.proto, seen, now);
			dp_ct_reply_key(&rk, &t, be->addr, be->port);
			dp_ct_keep_half(&rk, ct);
		}
		dp_count(DP_NAT_CT_HIT);
	} else {
		backend_id = dp_pick_backend(&sk, svc, &t);
		be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
		if (!be)
			return XDP_PASS;
		dp_ct_create(&ck, &t, be, backend_id, svc->rev_nat_index, seen, now);
		dp_count(DP_NAT_NEW);
	}
	dp_xdp_rewrite(ip, l4sum, dportp, 0, be->addr, be->port, udp);
	return XDP_PASS;
}

#endif
