/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * NodePort helpers for lib/lb.h (Kubernetes' type NodePort, and LoadBalancer's node ports),
 * and the SNAT of external frontends (externalIPs, load-balancer ingress IPs) reached from
 * outside the node.
 *
 * A node port is programmed as one frontend per node address (DP_SVC_F_NODEPORT | EXTERNAL),
 * so it is found by the same dp_svc4 lookup as any frontend: on host devices for clients
 * outside the node, on pod veths for pods.
 *
 * externalTrafficPolicy (the Service's choice, as Kubernetes defines it), for node ports,
 * externalIPs and load-balancer IPs alike:
 *  - Cluster (DP_SVC_F_SNAT): a flow arriving on a host device is DNATed to any backend and
 *    SNATed to a node address, with a port from DP_SNAT_PORT_MIN..MAX (kube-proxy's
 *    masquerade): a node port's own address (the one the client sent to), an externalIP's or
 *    load-balancer IP's node address from dp_snat4_src (dp_snat_source; the agent picks the
 *    host devices' first IPv4 address). The backend, local or on another node, replies to this
 *    node, which restores the client (dp_snat4) and the frontend, so the reply leaves from
 *    this node whatever the fabric's routing (an L3 fabric would send a remote backend's
 *    direct reply to the client past it). The client's address is not seen by the backend.
 *  - Local: the agent programs this node's endpoints only; no SNAT, the backend sees the
 *    client's address, and its reply passes this node's from_pod program.
 * Pods reaching a node port or external frontend are not SNATed (pod addresses are routed in
 * the cluster).
 *
 * Hairpin: a pod picked as the backend of its own flow (through a ClusterIP, or any frontend)
 * would receive a packet from its own address, which its stack drops. Such a flow is SNATed
 * to the frontend address (the service address, as Cilium and kube-proxy's hairpin
 * masquerade do) with a port from the same range; the pod replies to the service address
 * through its default route, and from_pod restores it. Both directions go back out of the
 * pod's veth by FIB redirect.
 *
 * A packet leaving with a node address as its source cannot go through the kernel's
 * forwarding path (ip_route_input drops a local source as martian), so such packets (SNATed
 * requests, rev-NATed replies of node ports) are sent on from the ingress hook by FIB
 * lookup and redirect (bpf_fib_lookup + bpf_redirect, or bpf_redirect_neigh while the
 * neighbour is unresolved). The TTL is left as it is.
 */
#ifndef DP_NODEPORT_H
#define DP_NODEPORT_H

#include "parse.h"
#include "maps.h"

#define DP_AF_INET 2
#define DP_SNAT_TRIES 8

/* Sends the packet (as it now is) to its route's next hop; the program's final verdict. */
/*
 * The IPv4 TTL of a packet this node forwards past the stack (a redirect), as a router's
 * forwarding path handles it (RFC 1812 5.3.1): one less, with the header checksum updated
 * (RFC 1624). Returns -1 for a packet that arrived with TTL 1 or 0: it must not be forwarded.
 */
static __always_inline int dp_ttl_forward(struct dp_ctx *ctx)
{
	__u32 off = ctx->p.ip_off + offsetof(struct iphdr, ttl);
	__be16 before, after;
	__u8 *ttl = (__u8 *)&after;

	if (bpf_skb_load_bytes(ctx->skb, off, &before, sizeof(before)) < 0)
		return -1;
	after = before; /* TTL and protocol: one 16-bit word of the header checksum */
	if (*ttl <= 1)
		return -1;
	*ttl -= 1;
	if (bpf_l3_csum_replace(ctx->skb, ctx->p.ip_off + offsetof(struct iphdr, check), before, after, sizeof(after)) < 0 ||
	    bpf_skb_store_bytes(ctx->skb, off, &after, sizeof(after), 0) < 0)
		return -1;
	return 0;
}

static __always_inline int dp_redirect_fib(struct dp_ctx *ctx)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.family = DP_AF_INET;
	fib.l4_protocol = ctx->t.proto;
	fib.sport = ctx->t.sport;
	fib.dport = ctx->t.dport;
	fib.ipv4_src = ctx->t.saddr;
	fib.ipv4_dst = ctx->t.daddr;
	fib.ifindex = ctx->skb->ifindex;
	rc = bpf_fib_lookup(ctx->skb, &fib, sizeof(fib), 0);
	if ((rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) && dp_ttl_forward(ctx) < 0)
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

/* loadBalancerSourceRanges: is saddr in one of the ranges of the service with this rev-NAT index? */
static __always_inline int dp_src_allowed(__u16 rev_nat_index, __be32 saddr)
{
	struct dp_src_range_key k = {};

	k.prefixlen = 64;
	k.rev_nat_index = rev_nat_index;
	k.addr = saddr;
	return bpf_map_lookup_elem(&dp_src_range4, &k) != 0;
}

/*
 * Is the reply tuple rk (remote -> address:port) in use? NodePort SNAT and a remapped Service
 * flow (CT_REPLY), masquerade (CT_MASQ_IN, lib/masq.h) and a remapped pod flow (CT_REMAP_IN,
 * lib/remap.h) take ports of the same addresses, so each checks all three.
 */
static __always_inline int dp_nat_port_taken(struct dp_ct_key *rk, __u32 now)
{
	__u8 dir = rk->dir;
	int taken;

	rk->dir = DP_CT_REPLY;
	taken = dp_ct_lookup(rk, now) != 0;
	if (!taken) {
		rk->dir = DP_CT_MASQ_IN;
		taken = dp_ct_lookup(rk, now) != 0;
	}
	if (!taken) {
		rk->dir = DP_CT_REMAP_IN;
		taken = dp_ct_lookup(rk, now) != 0;
	}
	rk->dir = dir;
	return taken;
}

/*
 * A free SNAT port for a flow from address `node` (a node's, a service's, or the pod's own for a
 * remap) to backend `be`: one whose reply key (backend -> node:port) no live entry holds
 * (dp_nat_port_taken). Tries DP_SNAT_TRIES ports from a random start; returns 0 with the port
 * (network order) in *out, or -1.
 */
static __always_inline int dp_snat_port(const struct dp_ctx *ctx, __be32 node, const struct dp_backend *be,
					__be16 *out)
{
	struct dp_ct_key rk = {};
	__u32 range = DP_SNAT_PORT_MAX - DP_SNAT_PORT_MIN + 1;
	__u32 start = bpf_get_prandom_u32();
	int i;

	rk.saddr = be->addr;
	rk.daddr = node;
	rk.sport = be->port;
	rk.proto = ctx->t.proto;
	rk.dir = DP_CT_REPLY;
	for (i = 0; i < DP_SNAT_TRIES; i++) {
		rk.dport = bpf_htons((__u16)(DP_SNAT_PORT_MIN + (start + i) % range));
		if (!dp_nat_port_taken(&rk, ctx->now)) {
			*out = rk.dport;
			return 0;
		}
	}
	return -1;
}

/*
 * The node address a new flow of a DP_SVC_F_SNAT frontend leaves with: the one dp_snat4_src
 * holds under its rev-NAT index (an externalIP's or load-balancer IP's, chosen by the agent),
 * else a node port's own address (already in *addr). -1 for a frontend that is not a node port
 * and has no entry (the agent writes it before the master slot, so only mid-update).
 */
static __always_inline int dp_snat_source(const struct dp_svc_value *svc, __be32 *addr)
{
	__u16 idx = svc->rev_nat_index;
	struct dp_nat *src = bpf_map_lookup_elem(&dp_snat4_src, &idx);

	if (src) {
		*addr = src->addr;
		return 0;
	}
	return (svc->flags & DP_SVC_F_NODEPORT) ? 0 : -1;
}

/* Makes sure a SNAT half exists (re-created if the LRU evicted it). */
static __always_inline void dp_snat_keep(const struct dp_ct_key *k, __be32 addr, __be16 port)
{
	struct dp_nat *n = bpf_map_lookup_elem(&dp_snat4, k);

	if (!n || n->addr != addr || n->port != port) {
		struct dp_nat v = {};

		v.addr = addr;
		v.port = port;
		bpf_map_update_elem(&dp_snat4, k, &v, BPF_ANY);
	}
}

#endif
