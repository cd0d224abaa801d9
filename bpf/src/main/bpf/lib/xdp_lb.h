/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * XDP fast path for host devices: the common cases of lib/lb.h, done before an skb exists.
 *
 * Handles plain IPv4 (IHL 5, not fragmented) TCP/UDP: reverse NAT of replies, and DNAT of
 * external frontends' flows (new and established: externalIPs, load-balancer IPs, L4LB VIPs, and
 * node ports with externalTrafficPolicy Local) with the same maps and conntrack as the TC
 * programs, a new flow's backend picked as from_host picks it (sessionAffinity ClientIP, else
 * Maglev or random). A node port is found as from_host finds it (lib/nodeport.h): one dp_svc4
 * frontend per node address, so the destination's lookup is the only one; after DNAT to a local
 * endpoint its destination is a pod's and the kernel forwards it as it forwards from_host's.
 * Everything else returns XDP_PASS untouched and is handled by from_host at TC, which sees an
 * already translated packet as "no service": fragments, IP options, services without backends
 * (the TC reject builds the RST/ICMP), flows whose backend was removed, non-IPv4 (IPv6 is
 * lib/xdp_lb6.h's), source ranges, a client picked as its own backend (hairpin SNAT), SNATed
 * flows (externalTrafficPolicy Cluster, node ports included: the SNAT, the client restore and the
 * FIB redirect are from_host's), and a node port's reply arriving on a host device (it leaves from
 * a node address, which only from_host's FIB redirect gets past the martian check; a Local node
 * port's replies come from local pods and pass from_pod anyway). Checksums are updated incrementally (RFC 1624) by direct writes, since the skb
 * checksum helpers do not exist at XDP; the L4 parse and checksum helpers serve both families.
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

/* The L4 header of a plain TCP or UDP packet, as both families' fast paths read it. */
struct dp_xdp_l4 {
	__be16 *sportp;
	__be16 *dportp;
	__u16 *l4sum; /* 0: a UDP datagram without checksum */
	__u8 seen;    /* DP_CT_SEEN_* of a TCP segment */
	__u8 udp;
};

/* Reads the TCP or UDP header at l4; -1 (left to TC) for other protocols or a truncated header. */
static __always_inline int dp_xdp_parse_l4(void *l4, void *data_end, __u8 proto, struct dp_xdp_l4 *out)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end || tcp->doff < 5)
			return -1;
		out->sportp = &tcp->source;
		out->dportp = &tcp->dest;
		out->l4sum = (__u16 *)&tcp->check;
		out->seen = dp_tcp_seen(tcp);
		out->udp = 0;
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *u = l4;

		if ((void *)(u + 1) > data_end)
			return -1;
		out->sportp = &u->source;
		out->dportp = &u->dest;
		/* zero: no checksum (IPv4); invalid in IPv6 (RFC 8200 8.1), left as it is, as at TC */
		out->l4sum = u->check ? (__u16 *)&u->check : 0;
		out->seen = 0;
		out->udp = 1;
		return 0;
	}
	return -1;
}

/* Rewrites the source (is_src) or destination port and finishes the L4 checksum. */
static __always_inline void dp_xdp_rewrite_port(const struct dp_xdp_l4 *l4, int is_src, __be16 new_port)
{
	__be16 *portp = is_src ? l4->sportp : l4->dportp;
	__be16 old_port = *portp;

	*portp = new_port;
	if (!l4->l4sum)
		return; /* UDP without checksum */
	dp_csum_replace2(l4->l4sum, old_port, new_port);
	if (l4->udp && *l4->l4sum == 0)
		*l4->l4sum = 0xffff; /* RFC 768: a computed zero is sent as all ones */
}

/* Rewrites source (is_src) or destination address and port of a parsed IPv4 packet. */
static __always_inline void dp_xdp_rewrite(struct iphdr *ip, const struct dp_xdp_l4 *l4, int is_src,
					   __be32 new_addr, __be16 new_port)
{
	__be32 *addrp = is_src ? &ip->saddr : &ip->daddr;
	__be32 old_addr = *addrp;

	dp_csum_replace4((__u16 *)&ip->check, old_addr, new_addr);
	*addrp = new_addr;
	if (l4->l4sum)
		dp_csum_replace4(l4->l4sum, old_addr, new_addr);
	dp_xdp_rewrite_port(l4, is_src, new_port);
}

/*
 * A new flow's backend, as lib/lb.h's dp_stage_lb picks it: the client's previous backend under
 * sessionAffinity ClientIP, else the Maglev table or at random; recorded for the client's next
 * flow. 0 (the packet is left to TC) when there is none, or it is the client itself (hairpin SNAT
 * is from_host's).
 */
static __always_inline struct dp_backend *dp_xdp_pick4(const struct dp_svc_key *sk, const struct dp_svc_value *svc,
						       const struct dp_tuple *t, __u32 now, __u32 *backend_id)
{
	struct dp_backend *be = dp_affinity_backend(t->saddr, svc, now, backend_id);

	if (be) {
		dp_count(DP_NAT_AFFINITY);
	} else {
		*backend_id = dp_pick_backend(sk, svc, t);
		be = bpf_map_lookup_elem(&dp_backends4, backend_id);
		if (!be)
			return 0;
	}
	if (be->addr == t->saddr)
		return 0;
	dp_affinity_record(t->saddr, svc, *backend_id, now);
	return be;
}

/* The IPv4 fast path for the frame at eth (its header checked to be there). */
static __always_inline int dp_xdp_process4(struct ethhdr *eth, void *data_end)
{
	struct iphdr *ip;
	struct dp_xdp_l4 l4 = {};
	struct dp_tuple t = {};
	struct dp_ct_key ck = {};
	struct dp_ct_entry *ct;
	struct dp_svc_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend *be;
	__u32 now, backend_id;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl != 5)
		return XDP_PASS;
	if (ip->frag_off & bpf_htons(DP_IP_MF | DP_IP_OFFSET))
		return XDP_PASS;
	if (dp_xdp_parse_l4(ip + 1, data_end, ip->protocol, &l4) < 0)
		return XDP_PASS;
	t.saddr = ip->saddr;
	t.daddr = ip->daddr;
	t.sport = *l4.sportp;
	t.dport = *l4.dportp;
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

			dp_ct_touch(ct, t.proto, l4.seen, now);
			ek.saddr = t.daddr;
			ek.daddr = rn->addr;
			ek.sport = t.dport;
			ek.dport = rn->port;
			ek.proto = t.proto;
			ek.dir = DP_CT_EGRESS;
			dp_ct_keep_half(&ek, ct);
			dp_xdp_rewrite(ip, &l4, 1, rn->addr, rn->port);
			dp_count(DP_NAT_REVERSE);
			return XDP_PASS;
		}
	}

	sk.addr = t.daddr;
	sk.port = t.dport;
	sk.proto = t.proto;
	svc = bpf_map_lookup_elem(&dp_svc4, &sk);
	if (!svc || !(svc->flags & DP_SVC_F_EXTERNAL) || svc->count == 0 ||
	    (svc->flags & (DP_SVC_F_SRC_RANGES | DP_SVC_F_SNAT)))
		return XDP_PASS; /* source ranges and SNAT (externalTrafficPolicy Cluster, node ports too) are from_host's */

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

			dp_ct_touch(ct, t.proto, l4.seen, now);
			dp_ct_reply_key(&rk, &t, be->addr, be->port);
			dp_ct_keep_half(&rk, ct);
		}
		dp_count(DP_NAT_CT_HIT);
	} else {
		be = dp_xdp_pick4(&sk, svc, &t, now, &backend_id);
		if (!be)
			return XDP_PASS;
		dp_ct_create(&ck, &t, be, backend_id, svc->rev_nat_index, l4.seen, now);
		dp_count(DP_NAT_NEW);
	}
	dp_xdp_rewrite(ip, &l4, 0, be->addr, be->port);
	return XDP_PASS;
}

#endif
