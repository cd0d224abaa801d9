/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stage: pod source check. A pod (behind the host-side veth whose ifindex keys
 * dp_endpoints) may only send from the address it was given at attach time: IPv4 from
 * dp_endpoints' address (after the parse; none for an IPv6-only pod, whose address there is
 * 0), IPv6 from dp_endpoints6's (before the parse, as it also sees the IPv6 the parse leaves
 * alone: ICMPv6, extension headers).
 */
#ifndef DP_ENDPOINT_H
#define DP_ENDPOINT_H

#include "parse.h"
#include "maps.h"

static __always_inline int dp_stage_source_check(struct dp_ctx *ctx)
{
	__u32 ifindex = ctx->skb->ingress_ifindex;
	struct dp_endpoint *ep = bpf_map_lookup_elem(&dp_endpoints, &ifindex);

	/* an IPv6-only pod (pod_addr 0) may send no IPv4 at all, not even from 0.0.0.0 */
	if (ep && (ep->pod_addr != ctx->t.saddr || !ep->pod_addr))
		return dp_drop(DP_DROP_SPOOFED);
	return DP_CONTINUE;
}

/* RFC 4291 2.5.2 / 2.5.6: the unspecified address or a link-local one (fe80::/10), which no
 * router forwards (RFC 4291 2.5.6): a pod sends from these before and besides its own address. */
static __always_inline int dp_addr6_link_scope(const __be32 *a)
{
	if ((a[0] & bpf_htonl(0xffc00000)) == bpf_htonl(0xfe800000))
		return 1;
	return !(a[0] | a[1] | a[2] | a[3]);
}

/*
 * ICMPv6 the pod's stack sends from a link-local or the unspecified source before and besides
 * its address: router solicitation, neighbour solicitation and advertisement (RFC 4861 4.1-4.4;
 * duplicate address detection from ::) and multicast listener queries, reports and done
 * (RFC 2710, RFC 3810 5.2.13: behind a hop-by-hop header with the router alert option).
 */
static __always_inline int dp_link_local_icmp6(struct __sk_buff *skb, __u8 nexthdr)
{
	__u32 off = sizeof(struct ethhdr) + sizeof(struct ipv6hdr);
	__u8 b[2];

	if (nexthdr == 0) { /* hop-by-hop options (RFC 8200 4.3): next header, length in 8-byte units - 1 */
		if (bpf_skb_load_bytes(skb, off, b, 2) < 0)
			return 0;
		nexthdr = b[0];
		off += ((__u32)b[1] + 1) * 8;
	}
	if (nexthdr != IPPROTO_ICMPV6 || bpf_skb_load_bytes(skb, off, b, 1) < 0)
		return 0;
	switch (b[0]) {
	case 130: /* multicast listener query */
	case 131: /* multicast listener report (MLDv1) */
	case 132: /* multicast listener done */
	case 133: /* router solicitation */
	case 135: /* neighbour solicitation */
	case 136: /* neighbour advertisement */
	case 143: /* MLDv2 listener report */
		return 1;
	}
	return 0;
}

/*
 * IPv6 source check, before the parse (on the skb): a pod with a dp_endpoints6 entry may send
 * IPv6 only from that address, and link-local neighbour discovery and multicast listener
 * messages (dp_link_local_icmp6) from a link-local or the unspecified address; anything else
 * is dropped as DROP_SPOOFED. A pod attached without an IPv6 address has an all-zero entry (only
 * the link-local messages pass); a pod without an entry (attached by a Gannet before the check
 * existed) is not checked until it is attached again. Costs an IPv4 packet one compare.
 */
static __always_inline int dp_stage_source_check6(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex; /* TC ingress of the pod's veth: the veth itself */
	struct dp_endpoint6 *ep;
	struct ipv6hdr ip6;

	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return DP_CONTINUE;
	ep = bpf_map_lookup_elem(&dp_endpoints6, &ifindex);
	if (!ep)
		return DP_CONTINUE;
	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &ip6, sizeof(ip6)) < 0)
		return dp_drop(DP_DROP_MALFORMED);
	if (ip6.saddr.in6_u.u6_addr32[0] == ep->addr[0] && ip6.saddr.in6_u.u6_addr32[1] == ep->addr[1] &&
	    ip6.saddr.in6_u.u6_addr32[2] == ep->addr[2] && ip6.saddr.in6_u.u6_addr32[3] == ep->addr[3] &&
	    (ep->addr[0] | ep->addr[1] | ep->addr[2] | ep->addr[3]))
		return DP_CONTINUE;
	if (dp_addr6_link_scope(ip6.saddr.in6_u.u6_addr32) && dp_link_local_icmp6(skb, ip6.nexthdr))
		return DP_CONTINUE;
	return dp_drop(DP_DROP_SPOOFED);
}

#endif
