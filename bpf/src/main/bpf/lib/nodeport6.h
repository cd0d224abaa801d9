/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IPv6 external frontends on host devices: the helpers lib/lb6.h's stages use for IPv6
 * externalIPs, load-balancer ingress IPs and node ports reached from outside the node, the
 * IPv6 twin of lib/nodeport.h with maps of its own (dp_snat6, dp_snat6_src in lib/maps.h), so
 * the IPv4 maps keep their layouts and pins.
 *
 * externalTrafficPolicy, as Kubernetes defines it (the agent decides, lib/lb6.h applies):
 *  - Cluster (DP_SVC_F_SNAT): a flow arriving on a host device is DNATed to any backend and
 *    SNATed to a node IPv6 address (dp_snat6_src, per rev-NAT index: a node port's own
 *    address, or the node address the agent chose for an externalIP / load-balancer IP),
 *    with a port from DP_SNAT_PORT_MIN..MAX whose reply tuple no live dp_ct6 entry holds
 *    (kube-proxy's masquerade). The backend, local or remote, replies to the node, which
 *    restores the client (dp_snat6) and the frontend. The backend does not see the client.
 *  - Local: the agent programs this node's endpoints only; no SNAT, the backend sees the
 *    client's address and its reply passes this node's from_pod program.
 *
 * A packet leaving with a node address as its source (a SNATed request, a rev-NATed reply of
 * a node port) is sent on from the ingress hook by FIB lookup and redirect, as lib/nodeport.h
 * does for IPv4, with the hop limit decremented as a router's forwarding path does (RFC 8200
 * section 3: a packet arriving with hop limit 1 or 0 is not forwarded).
 *
 * loadBalancerSourceRanges (DP_SVC_F_SRC_RANGES): only sources in dp_src_range6 under the
 * frontend's rev-NAT index reach it (dp_src_allowed6), from a host device or a pod.
 *
 * Hairpin (a pod picked as its own backend, lib/lb6.h) takes its port with dp_snat6_port too,
 * SNATed to the frontend address. The port space is shared with IPv6 masquerade (lib/masq6.h):
 * a port is free when neither a SNATed flow's reply nor a masqueraded flow's holds it.
 */
#ifndef DP_NODEPORT6_H
#define DP_NODEPORT6_H

#include "parse.h"
#include "maps.h"
#include "nodeport.h" /* DP_SNAT_TRIES */

#define DP_AF_INET6 10

/* One hop less (RFC 8200 section 3; no header checksum). -1 for hop limit 1 or 0: not forwarded. */
static __always_inline int dp_hop_forward6(struct dp_ctx *ctx)
{
	__u32 off = ctx->p.ip_off + offsetof(struct ipv6hdr, hop_limit);
	__u8 hops;

	if (bpf_skb_load_bytes(ctx->skb, off, &hops, 1) < 0 || hops <= 1)
		return -1;
	hops -= 1;
	return bpf_skb_store_bytes(ctx->skb, off, &hops, 1, 0) < 0 ? -1 : 0;
}

/* loadBalancerSourceRanges: is saddr in one of the IPv6 ranges of the service with this rev-NAT index? */
static __always_inline int dp_src_allowed6(__u16 rev_nat_index, const __be32 *saddr)
{
	struct dp_src_range6_key k = {};

	k.prefixlen = 32 + 128;
	k.rev_nat_index = rev_nat_index;
	dp_addr6_copy(k.addr, saddr);
	return bpf_map_lookup_elem(&dp_src_range6, &k) != 0;
}

/* Sends the packet (as it now is) to its route's next hop: the program's final verdict. */
static __always_inline int dp_redirect_fib6(struct dp_ctx *ctx)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.family = DP_AF_INET6;
	fib.l4_protocol = ctx->t6.proto;
	fib.sport = ctx->t6.sport;
	fib.dport = ctx->t6.dport;
	dp_addr6_copy(fib.ipv6_src, ctx->t6.saddr);
	dp_addr6_copy(fib.ipv6_dst, ctx->t6.daddr);
	fib.ifindex = ctx->skb->ifindex;
	rc = bpf_fib_lookup(ctx->skb, &fib, sizeof(fib), 0);
	if ((rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) && dp_hop_forward6(ctx) < 0)
		return dp_drop(DP_DROP_TTL_EXCEEDED);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		if (bpf_skb_store_bytes(ctx->skb, 0, fib.dmac, ETH_ALEN, 0) < 0 ||
		    bpf_skb_store_bytes(ctx->skb, ETH_ALEN, fib.smac, ETH_ALEN, 0) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_count(DP_REDIRECT_FIB);
		return bpf_redirect(fib.ifindex, 0);
	}
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		dp_count(DP_REDIRECT_FIB);
		return bpf_redirect_neigh(fib.ifindex, 0, 0, 0);
	}
	return dp_drop(DP_DROP_NO_ROUTE);
}

/*
 * Whether the reply tuple *rk (remote -> node:port, dir ignored) is held by a live dp_ct6 entry of
 * a SNATed service flow (CT_REPLY) or of a masqueraded pod flow (CT_MASQ_IN, lib/masq6.h): the
 * IPv6 twin of lib/nodeport.h's dp_nat_port_taken, so both share the node's port space.
 */
static __always_inline int dp_nat6_port_taken(struct dp_ct6_key *rk, __u32 now)
{
	__u8 dir = rk->dir;
	int taken;

	rk->dir = DP_CT_REPLY;
	taken = dp_ct6_lookup(rk, now) != 0;
	if (!taken) {
		rk->dir = DP_CT_MASQ_IN;
		taken = dp_ct6_lookup(rk, now) != 0;
	}
	rk->dir = dir;
	return taken;
}

/*
 * A free SNAT port for a flow from node address `node` to backend be_addr:be_port: one whose
 * reply key (backend -> node:port) no live dp_ct6 entry holds (dp_nat6_port_taken). Tries DP_SNAT_TRIES
 * ports from a random start; returns 0 with the port (network order) in *out, or -1.
 */
static __always_inline int dp_snat6_port(const struct dp_ctx *ctx, const __be32 *node, const __be32 *be_addr,
					 __be16 be_port, __be16 *out)
{
	struct dp_ct6_key rk = {};
	__u32 range = DP_SNAT_PORT_MAX - DP_SNAT_PORT_MIN + 1;
	__u32 start = bpf_get_prandom_u32();
	int i;

	dp_addr6_copy(rk.saddr, be_addr);
	dp_addr6_copy(rk.daddr, node);
	rk.sport = be_port;
	rk.proto = ctx->t6.proto;
	rk.dir = DP_CT_REPLY;
	for (i = 0; i < DP_SNAT_TRIES; i++) {
		rk.dport = bpf_htons((__u16)(DP_SNAT_PORT_MIN + (start + i) % range));
		if (!dp_nat6_port_taken(&rk, ctx->now)) {
			*out = rk.dport;
			return 0;
		}
	}
	return -1;
}

/* Makes sure a SNAT half exists (re-created if the LRU evicted it). */
static __always_inline void dp_snat6_keep(const struct dp_ct6_key *k, const __be32 *addr, __be16 port)
{
	struct dp_nat6 *n = bpf_map_lookup_elem(&dp_snat6, k);

	if (!n || n->port != port || n->addr[0] != addr[0] || n->addr[1] != addr[1] || n->addr[2] != addr[2] ||
	    n->addr[3] != addr[3]) {
		struct dp_nat6 v = {};

		dp_addr6_copy(v.addr, addr);
		v.port = port;
		bpf_map_update_elem(&dp_snat6, k, &v, BPF_ANY);
	}
}

/* Writes one SNAT half: under key k, the address and port the packet is rewritten to. */
static __always_inline void dp_snat6_put(const struct dp_ct6_key *k, const __be32 *addr, __be16 port)
{
	struct dp_nat6 v = {};

	dp_addr6_copy(v.addr, addr);
	v.port = port;
	bpf_map_update_elem(&dp_snat6, k, &v, BPF_ANY);
}

#endif
