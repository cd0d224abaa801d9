/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * XDP fast path for host devices, IPv6: lib/xdp_lb.h's cases for the IPv6 maps of lib/lb6.h,
 * done before an skb exists.
 *
 * Handles IPv6 TCP/UDP directly after the fixed header (RFC 8200 section 3): reverse NAT of
 * replies, and DNAT of external frontends' flows (new and established; node ports with
 * externalTrafficPolicy Local included, found by the one dp_svc6 lookup of their node address as
 * from_host finds them, lib/nodeport6.h) with the same maps
 * (dp_svc6, dp_backends6, dp_revnat6, dp_affinity6) and the same dp_ct6 halves as from_host's
 * dp_stage_revnat6 / dp_stage_lb6 write, so a flow moves between XDP and TC either way. Left to
 * from_host at TC, untouched, exactly as for IPv4: extension headers and fragments (TC leaves
 * those alone too), ICMPv6, frontends without backends (the TC reject builds the RST / ICMPv6
 * error), flows whose backend was removed and flows of a deleted Service (TC resets them), a
 * node port's reply arriving on a host device (it leaves from a node address: from_host's FIB
 * redirect), source ranges, SNATed flows (externalTrafficPolicy Cluster, node ports included:
 * the SNAT, the client restore and the FIB redirect are from_host's), and a client picked as its own backend
 * (hairpin SNAT). from_host sees an already translated packet as "no service".
 *
 * IPv6 has no header checksum; the L4 checksum covers the addresses through the pseudo-header
 * (RFC 8200 section 8.1) and is updated word by word with RFC 1624 arithmetic (lib/xdp_lb.h).
 * The hop limit is the forwarding path's, after XDP_PASS, as the TTL is for IPv4.
 */
#ifndef DP_XDP_LB6_H
#define DP_XDP_LB6_H

#include "xdp_lb.h"
#include "lb6.h"
#include "affinity6.h"

/* Rewrites the source (is_src) or destination address and port of a parsed IPv6 packet. */
static __always_inline void dp_xdp_rewrite6(struct ipv6hdr *ip6, const struct dp_xdp_l4 *l4, int is_src,
					    const __be32 *new_addr, __be16 new_port)
{
	__be32 *addrp = is_src ? ip6->saddr.in6_u.u6_addr32 : ip6->daddr.in6_u.u6_addr32;

	if (l4->l4sum) {
		dp_csum_replace4(l4->l4sum, addrp[0], new_addr[0]);
		dp_csum_replace4(l4->l4sum, addrp[1], new_addr[1]);
		dp_csum_replace4(l4->l4sum, addrp[2], new_addr[2]);
		dp_csum_replace4(l4->l4sum, addrp[3], new_addr[3]);
	}
	addrp[0] = new_addr[0];
	addrp[1] = new_addr[1];
	addrp[2] = new_addr[2];
	addrp[3] = new_addr[3];
	dp_xdp_rewrite_port(l4, is_src, new_port);
}

/*
 * A reply of a translated flow (its CT_REPLY half): the source back to the frontend, the
 * client's half kept alive, as dp_stage_revnat6. Returns 1 when translated, 0 when the packet
 * is not such a reply, -1 when it is one from_host must translate (a node port's, or a SNATed
 * flow's).
 */
static __always_inline int dp_xdp_revnat6(struct ipv6hdr *ip6, const struct dp_xdp_l4 *l4, const struct dp_tuple6 *t,
					  __u32 now)
{
	struct dp_ct6_key ck = {};
	struct dp_ct6_key ek = {};
	struct dp_ct_entry *ct;
	struct dp_revnat6 *rn;
	__be32 addr[4];
	__be16 port;
	__u16 idx;

	dp_ct6_key_of(&ck, t, DP_CT_REPLY);
	ct = dp_ct6_lookup(&ck, now);
	if (!ct)
		return 0;
	idx = ct->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat6, &idx);
	if (!rn)
		return 0;
	if ((rn->flags & DP_REVNAT_F_NODEPORT) || (ct->flags & DP_CT_F_SNAT))
		return -1;
	dp_addr6_copy(addr, rn->addr);
	port = rn->port;
	dp_ct_touch(ct, t->proto, l4->seen, now);
	dp_addr6_copy(ek.saddr, t->daddr);
	dp_addr6_copy(ek.daddr, addr);
	ek.sport = t->dport;
	ek.dport = port;
	ek.proto = t->proto;
	ek.dir = DP_CT_EGRESS;
	dp_ct6_keep_half(&ek, ct);
	dp_xdp_rewrite6(ip6, l4, 1, addr, port);
	dp_count(DP_NAT_REVERSE);
	return 1;
}

/*
 * A new flow's backend, as dp_lb6_new_flow picks it (affinity, else Maglev or random), and its
 * two dp_ct6 halves as dp_lb6_new_flow writes them for a flow that is not SNATed. Returns the
 * backend, or 0 (left to TC: none, or the client itself, whose hairpin SNAT is from_host's).
 */
static __always_inline struct dp_backend6 *dp_xdp_new_flow6(const struct dp_svc6_key *sk, const struct dp_svc_value *svc,
							    const struct dp_ct6_key *ck, const struct dp_tuple6 *t,
							    __u8 seen, __u32 now)
{
	struct dp_ct6_key rk = {};
	struct dp_ct_entry e = {};
	struct dp_backend6 *be;
	__u32 backend_id = dp_affinity6_backend(t->saddr, svc, now);

	be = backend_id ? bpf_map_lookup_elem(&dp_backends6, &backend_id) : 0;
	if (be) {
		dp_count(DP_NAT_AFFINITY);
	} else {
		backend_id = dp_pick_backend6(sk, svc, t);
		be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
		if (!be)
			return 0;
	}
	if (dp_addr6_eq(be->addr, t->saddr))
		return 0;
	dp_affinity6_record(t->saddr, svc, backend_id, now);
	e.backend_id = backend_id;
	e.rev_nat_index = svc->rev_nat_index;
	e.created = now;
	e.seen = seen;
	e.expires = now + dp_ct_lifetime(t->proto, seen);
	dp_ct6_reply_key(&rk, t, be->addr, be->port, DP_CT_REPLY);
	bpf_map_update_elem(&dp_ct6, ck, &e, BPF_ANY);
	bpf_map_update_elem(&dp_ct6, &rk, &e, BPF_ANY);
	dp_count(DP_NAT_NEW);
	return be;
}

/* The IPv6 fast path for the frame at eth (its header checked to be there). */
static __always_inline int dp_xdp_process6(struct ethhdr *eth, void *data_end)
{
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct dp_xdp_l4 l4 = {};
	struct dp_tuple6 t = {};
	struct dp_ct6_key ck = {};
	struct dp_ct_entry *ct;
	struct dp_svc6_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend6 *be;
	__be32 addr[4];
	__u32 now, backend_id;
	int v;

	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		return XDP_PASS;
	if (dp_xdp_parse_l4(ip6 + 1, data_end, ip6->nexthdr, &l4) < 0)
		return XDP_PASS; /* extension headers, fragments, ICMPv6: from_host's */
	__builtin_memcpy(t.saddr, &ip6->saddr, 16);
	__builtin_memcpy(t.daddr, &ip6->daddr, 16);
	t.sport = *l4.sportp;
	t.dport = *l4.dportp;
	t.proto = ip6->nexthdr;
	now = dp_now();

	v = dp_xdp_revnat6(ip6, &l4, &t, now);
	if (v != 0)
		return XDP_PASS;

	dp_addr6_copy(sk.addr, t.daddr);
	sk.port = t.dport;
	sk.proto = t.proto;
	svc = bpf_map_lookup_elem(&dp_svc6, &sk);
	if (!svc || !(svc->flags & DP_SVC_F_EXTERNAL) || svc->count == 0 ||
	    (svc->flags & (DP_SVC_F_SRC_RANGES | DP_SVC_F_SNAT)))
		return XDP_PASS; /* source ranges and SNAT (externalTrafficPolicy Cluster, node ports too) are from_host's */

	dp_ct6_key_of(&ck, &t, DP_CT_EGRESS);
	ct = dp_ct6_lookup(&ck, now);
	if (ct && (ct->flags & DP_CT_F_SNAT))
		return XDP_PASS; /* a flow SNATed before its Service became Local: from_host keeps it */
	if (ct) {
		struct dp_ct6_key rk = {};

		backend_id = ct->backend_id;
		be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
		if (!be)
			return XDP_PASS; /* backend removed: from_host resets or re-picks */
		dp_ct_touch(ct, t.proto, l4.seen, now);
		dp_ct6_reply_key(&rk, &t, be->addr, be->port, DP_CT_REPLY);
		dp_ct6_keep_half(&rk, ct);
		dp_count(DP_NAT_CT_HIT);
	} else {
		be = dp_xdp_new_flow6(&sk, svc, &ck, &t, l4.seen, now);
		if (!be)
			return XDP_PASS;
	}
	dp_addr6_copy(addr, be->addr);
	dp_xdp_rewrite6(ip6, &l4, 0, addr, be->port);
	return XDP_PASS;
}

#endif
