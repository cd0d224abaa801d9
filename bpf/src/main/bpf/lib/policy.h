/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stages: identity-based ingress policy on to_pod and egress policy on from_pod, each between
 * the conntrack lookup and the creation of a new flow's entry (bpf_lxc.c).
 *
 * Semantics (Kubernetes NetworkPolicy / CiliumNetworkPolicy):
 *  - an endpoint no policy selects (DP_EP_F_INGRESS_POLICY clear) is not enforced: all passes;
 *  - a packet of a flow conntrack already knows passes: replies of connections this stage
 *    allowed, and replies to connections the pod opened itself (a dropped packet never creates
 *    an entry, so a retransmitted SYN is judged again);
 *  - otherwise the source address is mapped to its identity (dp_ipcache4; no entry = world),
 *    and dp_policy4 is looked up twice, for that identity and for "any source" (0). A deny
 *    from either lookup drops; otherwise an allow from either passes; otherwise default deny.
 *    The node itself is identity host, allowed by an entry the agent writes unless a policy
 *    denies it (kubelet probes keep working).
 *
 * What is enforced: every protocol, IPv4 and IPv6 (the IPv6 stages are at the end). TCP, UDP
 * and SCTP by port; ICMP by type (an echo request is type 8: the key's port holds the type;
 * ICMPv6 likewise, echo request 128); any other protocol by protocol alone, so a rule with no
 * ports (a protocol-only or any-protocol entry) is what admits it. Replies pass
 * through conntrack as for TCP (an echo reply to the pod's own ping, GRE back from its peer).
 * Non-first fragments carry no L4 header and follow their first fragment's fate at
 * reassembly; ICMP errors are about a flow and pass as the flow's NAT stages translate them.
 *
 * Egress mirrors ingress with the destination as the peer: an endpoint no policy selects for
 * egress (DP_EP_F_EGRESS_POLICY clear) sends freely; a packet of a flow conntrack knows passes
 * (replies to connections the pod accepted; flows this stage let out, DP_CT_F_EGRESS_OK);
 * otherwise the destination after Service DNAT (a backend, so the policy names pods, not
 * Service addresses) is mapped to its identity and dp_policy4 is looked up under the
 * endpoint's egress id (ep_id | DP_POLICY_EGRESS_EP), by destination protocol and port, with
 * the same deny-first order. No implicit allow: traffic to the node itself needs a rule
 * (toEntities: host), as in Cilium. A Service flow's NAT entries are made before the verdict;
 * a dropped one keeps no DP_CT_F_EGRESS_OK, so its next packet is judged again.
 *
 * Every verdict is counted (dp_policy_metrics for ingress, dp_egress_metrics for egress, per
 * reason) and on its entry (packets, bytes); every drop is queued on dp_drop_events for
 * `gannet monitor --drops`, with its direction.
 */
#ifndef DP_POLICY_H
#define DP_POLICY_H

#include "parse.h"
#include "maps.h"
#include "lb6.h"

#define DP_IDENTITY_WORLD 2

/* io.gannet.bpf.policy.PolicyReason mirrors this enum (same order). */
enum dp_policy_reason {
	DP_POLICY_PASS_NOT_ENFORCED = 0, /* the endpoint has no ingress policy */
	DP_POLICY_PASS_TRACKED,          /* established flow or reply (conntrack) */
	DP_POLICY_ALLOWED,               /* new flow allowed by an entry */
	DP_POLICY_DROP_DENIED,           /* a deny rule matched */
	DP_POLICY_DROP_DEFAULT_DENY,     /* no rule allows it */
	DP_POLICY_EVENT_LOST,            /* a drop event the full queue could not take */
	DP_POLICY_REASON_MAX,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_POLICY_REASON_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_policy_metrics SEC(".maps");

/* The same reasons, counted by the egress stage. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_POLICY_REASON_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_egress_metrics SEC(".maps");

static __always_inline void dp_policy_count_dir(enum dp_policy_reason reason, __u8 dir)
{
	__u32 key = reason;
	__u64 *v = bpf_map_lookup_elem(dir == DP_POLICY_DIR_EGRESS ? (void *)&dp_egress_metrics : (void *)&dp_policy_metrics, &key);

	if (v)
		*v += 1;
}

static __always_inline void dp_policy_count(enum dp_policy_reason reason)
{
	dp_policy_count_dir(reason, DP_POLICY_DIR_INGRESS);
}

/* The key's port: the destination port, or for ICMP the type (IPPROTO_ICMP entries hold types). */
static __always_inline __be16 dp_policy_port(const struct dp_ctx *ctx)
{
	if (ctx->t.proto == IPPROTO_ICMP)
		return bpf_htons(ctx->icmp_type);
	return ctx->t.dport;
}

static __always_inline struct dp_policy_value *dp_policy_lookup(__u32 ep_id, __u32 identity, const struct dp_ctx *ctx)
{
	struct dp_policy_key k = {};

	k.prefixlen = 96;
	k.ep_id = ep_id;
	k.identity = identity;
	k.proto = ctx->t.proto;
	k.dport = dp_policy_port(ctx);
	return bpf_map_lookup_elem(&dp_policy4, &k);
}

static __always_inline int dp_policy_drop(const struct dp_ctx *ctx, __u32 ep_id, __u32 identity,
					  const struct dp_policy_value *deny, enum dp_policy_reason reason, __u8 dir)
{
	struct dp_drop_event ev = {};

	ev.saddr = ctx->t.saddr;
	ev.daddr = ctx->t.daddr;
	ev.sport = ctx->t.sport;
	ev.dport = dp_policy_port(ctx);
	ev.identity = identity;
	ev.ep_id = ep_id;
	ev.rule_id = deny ? deny->rule_id : 0;
	ev.ktime = ctx->now;
	ev.proto = ctx->t.proto;
	ev.reason = reason;
	ev.dir = dir;
	if (bpf_map_push_elem(&dp_drop_events, &ev, 0) < 0)
		dp_policy_count_dir(DP_POLICY_EVENT_LOST, dir);
	dp_policy_count_dir(reason, dir);
	return TC_ACT_SHOT;
}

/*
 * The verdict for a new flow of endpoint ep_id with peer address peer: the peer's identity
 * (dp_ipcache4; no entry = world), then dp_policy4 under key_ep for that identity and for any
 * (0); a deny from either drops, an allow from either passes, nothing is default deny.
 * Returns DP_CONTINUE or TC_ACT_SHOT.
 */
static __always_inline int dp_policy_judge(struct dp_ctx *ctx, __u32 ep_id, __u32 key_ep, __be32 peer, __u8 dir)
{
	struct dp_ipcache_key ik = {};
	struct dp_ipcache_value *iv;
	struct dp_policy_value *exact, *any, *hit;
	__u32 identity;

	ik.prefixlen = 32;
	ik.addr = peer;
	iv = bpf_map_lookup_elem(&dp_ipcache4, &ik);
	identity = iv ? iv->identity : DP_IDENTITY_WORLD;

	exact = dp_policy_lookup(key_ep, identity, ctx);
	any = dp_policy_lookup(key_ep, 0, ctx);
	if (exact && exact->verdict == DP_POLICY_DENY)
		hit = exact;
	else if (any && any->verdict == DP_POLICY_DENY)
		hit = any;
	else
		hit = exact ? exact : any;
	if (!hit)
		return dp_policy_drop(ctx, ep_id, identity, 0, DP_POLICY_DROP_DEFAULT_DENY, dir);
	__sync_fetch_and_add(&hit->packets, 1);
	__sync_fetch_and_add(&hit->bytes, ctx->skb->len);
	if (hit->verdict == DP_POLICY_DENY)
		return dp_policy_drop(ctx, ep_id, identity, hit, DP_POLICY_DROP_DENIED, dir);
	dp_policy_count_dir(DP_POLICY_ALLOWED, dir);
	return DP_CONTINUE;
}

static __always_inline int dp_stage_policy_ingress(struct dp_ctx *ctx)
{
	__u32 ep_id = ctx->skb->ifindex;
	struct dp_endpoint *ep = bpf_map_lookup_elem(&dp_endpoints, &ep_id);

	if (!ep || !(ep->flags & DP_EP_F_INGRESS_POLICY)) {
		dp_policy_count(DP_POLICY_PASS_NOT_ENFORCED);
		return DP_CONTINUE;
	}
	if (dp_no_flow(ctx) || ctx->translated || ctx->ct_hit) {
		dp_policy_count(DP_POLICY_PASS_TRACKED);
		return DP_CONTINUE;
	}
	return dp_policy_judge(ctx, ep_id, ep_id, ctx->t.saddr, DP_POLICY_DIR_INGRESS);
}

/* Marks a Service flow's CT_EGRESS half (keyed by the client's tuple before DNAT) as let out. */
static __always_inline void dp_policy_egress_mark(const struct dp_ctx *ctx)
{
	struct dp_ct_key k = {};
	struct dp_ct_entry *e;

	if (!ctx->lb_flow || ctx->egress_ok)
		return;
	dp_ct_key_of(&k, &ctx->orig, DP_CT_EGRESS);
	e = bpf_map_lookup_elem(&dp_ct4, &k);
	if (e)
		e->flags |= DP_CT_F_EGRESS_OK;
}

/*
 * A Service flow egress policy dropped before it was ever let out: the NAT halves dp_stage_lb
 * made for it (and a SNAT port, for a remapped flow) go at once, so a denied flow holds nothing
 * until it expires; its retransmission is translated and judged again.
 */
static __always_inline void dp_policy_egress_forget(const struct dp_ctx *ctx)
{
	struct dp_ct_key k = {};

	if (!ctx->lb_flow || ctx->egress_ok)
		return;
	dp_ct_key_of(&k, &ctx->orig, DP_CT_EGRESS);
	bpf_map_delete_elem(&dp_ct4, &k);
	bpf_map_delete_elem(&dp_snat4, &k);
	dp_ct_key_reply_of(&k, &ctx->t, DP_CT_REPLY);
	bpf_map_delete_elem(&dp_ct4, &k);
	bpf_map_delete_elem(&dp_snat4, &k);
}

static __always_inline int dp_stage_policy_egress(struct dp_ctx *ctx)
{
	__u32 ep_id = ctx->skb->ifindex;
	struct dp_endpoint *ep = bpf_map_lookup_elem(&dp_endpoints, &ep_id);
	int v;

	if (!ep || !(ep->flags & DP_EP_F_EGRESS_POLICY)) {
		dp_policy_count_dir(DP_POLICY_PASS_NOT_ENFORCED, DP_POLICY_DIR_EGRESS);
		dp_policy_egress_mark(ctx); /* a policy that comes later leaves established flows alone */
		return DP_CONTINUE;
	}
	/* reverse-NATed replies of a local backend, fragments, ICMP errors, known flows */
	if (dp_no_flow(ctx) || (ctx->translated && !ctx->lb_flow) || ctx->ct_hit || ctx->egress_ok) {
		dp_policy_count_dir(DP_POLICY_PASS_TRACKED, DP_POLICY_DIR_EGRESS);
		return DP_CONTINUE;
	}
	v = dp_policy_judge(ctx, ep_id, ep_id | DP_POLICY_EGRESS_EP, ctx->t.daddr, DP_POLICY_DIR_EGRESS);
	if (v == DP_CONTINUE)
		dp_policy_egress_mark(ctx);
	else
		dp_policy_egress_forget(ctx);
	return v;
}

/*
 * IPv6: the same stages over ctx->t6 (lib/track6.h's dp_ct6 entries pass tracked flows). The peer
 * is mapped by dp_ipcache6 (no entry = world); the policy entries are dp_policy4's, keyed by
 * identity, so one rule admits a peer by both its addresses. ICMPv6 is judged by type (echo
 * request 128; the key's port holds the type); neighbor discovery (133-137) never reaches these
 * stages (dp_parse6 leaves it untouched), so it passes. Keys and the drop event live in
 * lib/lb6.h's per-CPU dp_scratch6, not on from_pod's stack.
 */
static __always_inline __be16 dp_policy6_port(const struct dp_ctx *ctx)
{
	if (ctx->t6.proto == DP_IPPROTO_ICMPV6)
		return bpf_htons(ctx->icmp_type);
	return ctx->t6.dport;
}

/* The drop of an IPv6 packet: s->ev already names the endpoint and the peer's identity. */
static __always_inline int dp_policy6_drop(const struct dp_ctx *ctx, struct dp_scratch6_policy *s,
					   const struct dp_policy_value *deny, enum dp_policy_reason reason, __u8 dir)
{
	dp_addr6_copy(s->ev.saddr, ctx->t6.saddr);
	dp_addr6_copy(s->ev.daddr, ctx->t6.daddr);
	s->ev.sport = ctx->t6.sport;
	s->ev.dport = s->pk.dport;
	s->ev.rule_id = deny ? deny->rule_id : 0;
	s->ev.ktime = ctx->now;
	s->ev.proto = ctx->t6.proto;
	s->ev.reason = reason;
	s->ev.dir = dir;
	s->ev.pad = 0;
	if (bpf_map_push_elem(&dp_drop_events6, &s->ev, 0) < 0)
		dp_policy_count_dir(DP_POLICY_EVENT_LOST, dir);
	dp_policy_count_dir(reason, dir);
	return TC_ACT_SHOT;
}

/*
 * dp_policy_judge for IPv6: the peer (the source on ingress, the destination on egress) through
 * dp_ipcache6, then dp_policy4 with the same order (a deny of the exact identity, a deny of any,
 * an allow of the exact identity, an allow of any).
 *
 * A function of its own (a BPF-to-BPF call), not inlined: from_pod's frame, where every stage
 * inlines, had no room left for this one's spills. The verifier adds both frames against BPF's 512,
 * each rounded up to 16 bytes (32 on older kernels): from_pod is 472 bytes, so this one must stay
 * at 32 or under (it is 4, measured with llvm-objdump -d). It takes only ctx and the direction,
 * and what must outlive a helper call (the endpoint, the identity, whether the exact identity has
 * an allow) lives in the per-CPU scratch area, so an exact allow is looked up again rather than
 * held across the lookup for any.
 */
static __attribute__((noinline)) int dp_policy6_judge(struct dp_ctx *ctx, __u8 dir)
{
	union dp_scratch6 *u = dp_scratch6_get();
	struct dp_scratch6_policy *s;
	struct dp_ipcache_value *iv;
	struct dp_policy_value *hit;
	__u32 key_ep = ctx->skb->ifindex;

	if (!u) {
		dp_policy_count_dir(DP_POLICY_DROP_DEFAULT_DENY, dir); /* never: a per-CPU array's slot 0 */
		return TC_ACT_SHOT;
	}
	s = &u->pol;
	s->ev.ep_id = key_ep;
	if (dir == DP_POLICY_DIR_EGRESS)
		key_ep |= DP_POLICY_EGRESS_EP;
	s->ik.prefixlen = 128;
	dp_addr6_copy(s->ik.addr, dir == DP_POLICY_DIR_EGRESS ? ctx->t6.daddr : ctx->t6.saddr);
	iv = bpf_map_lookup_elem(&dp_ipcache6, &s->ik);
	s->ev.identity = iv ? iv->identity : DP_IDENTITY_WORLD;

	s->pk.prefixlen = 96;
	s->pk.ep_id = key_ep;
	s->pk.identity = s->ev.identity;
	s->pk.proto = ctx->t6.proto;
	s->pk.pad = 0;
	s->pk.dport = dp_policy6_port(ctx);
	hit = bpf_map_lookup_elem(&dp_policy4, &s->pk);
	s->exact_allow = 0;
	if (hit) {
		if (hit->verdict == DP_POLICY_DENY)
			goto denied;
		s->exact_allow = 1;
	}
	s->pk.identity = 0;
	hit = bpf_map_lookup_elem(&dp_policy4, &s->pk);
	if (hit && hit->verdict == DP_POLICY_DENY)
		goto denied;
	if (s->exact_allow) {
		s->pk.identity = s->ev.identity;
		hit = bpf_map_lookup_elem(&dp_policy4, &s->pk);
	}
	if (!hit)
		return dp_policy6_drop(ctx, s, 0, DP_POLICY_DROP_DEFAULT_DENY, dir);
	__sync_fetch_and_add(&hit->packets, 1);
	__sync_fetch_and_add(&hit->bytes, ctx->skb->len);
	dp_policy_count_dir(DP_POLICY_ALLOWED, dir);
	if (dir == DP_POLICY_DIR_EGRESS && ctx->lb_flow) {
		/* a Service flow let out: its CT_EGRESS half says so (inline: no call from here) */
		struct dp_ct_entry *e = bpf_map_lookup_elem(&dp_ct6, &s->lb_orig);

		if (e)
			e->flags |= DP_CT_F_EGRESS_OK;
	}
	return DP_CONTINUE;
denied:
	__sync_fetch_and_add(&hit->packets, 1);
	__sync_fetch_and_add(&hit->bytes, ctx->skb->len);
	return dp_policy6_drop(ctx, s, hit, DP_POLICY_DROP_DENIED, dir);
}

/* Ingress policy of an IPv6 packet on to_pod: the source is the peer. */
static __always_inline int dp_stage_policy6_ingress(struct dp_ctx *ctx)
{
	__u32 ep_id = ctx->skb->ifindex;
	struct dp_endpoint *ep = bpf_map_lookup_elem(&dp_endpoints, &ep_id);

	if (!ep || !(ep->flags & DP_EP_F_INGRESS_POLICY)) {
		dp_policy_count(DP_POLICY_PASS_NOT_ENFORCED);
		return DP_CONTINUE;
	}
	if (dp_no_flow(ctx) || ctx->translated || ctx->ct_hit) {
		dp_policy_count(DP_POLICY_PASS_TRACKED);
		return DP_CONTINUE;
	}
	return dp_policy6_judge(ctx, DP_POLICY_DIR_INGRESS);
}

/*
 * dp_policy_egress_mark for IPv6: a Service flow from_pod let out without egress policy gets
 * DP_CT_F_EGRESS_OK on its CT_EGRESS half (the key dp_stage_lb6 left in the scratch area), so a
 * policy that comes later leaves it alone. A call of its own, as dp_policy6_judge.
 */
static __attribute__((noinline)) int dp_policy6_egress_mark(struct dp_ctx *ctx)
{
	union dp_scratch6 *u;
	struct dp_ct_entry *e;

	if (!ctx->lb_flow || ctx->egress_ok)
		return 0;
	u = dp_scratch6_get();
	if (!u)
		return 0;
	e = bpf_map_lookup_elem(&dp_ct6, &u->pol.lb_orig);
	if (e)
		e->flags |= DP_CT_F_EGRESS_OK;
	return 0;
}

/*
 * Egress policy of an IPv6 packet on from_pod: the destination after Service DNAT is the peer.
 * A Service flow (lib/lb6.h's NAT pair, no DP_CT_PLAIN entry) passes once its CT_EGRESS half
 * carries DP_CT_F_EGRESS_OK (ctx->egress_ok, read by dp_stage_lb6), as for IPv4; a denied one
 * gets no mark, so its next packet is judged again. Replies (reverse-NATed) pass as tracked.
 */
static __always_inline int dp_stage_policy6_egress(struct dp_ctx *ctx)
{
	__u32 ep_id = ctx->skb->ifindex;
	struct dp_endpoint *ep = bpf_map_lookup_elem(&dp_endpoints, &ep_id);

	if (!ep || !(ep->flags & DP_EP_F_EGRESS_POLICY)) {
		dp_policy_count_dir(DP_POLICY_PASS_NOT_ENFORCED, DP_POLICY_DIR_EGRESS);
		dp_policy6_egress_mark(ctx); /* a policy that comes later leaves established flows alone */
		return DP_CONTINUE;
	}
	if (dp_no_flow(ctx) || (ctx->translated && !ctx->lb_flow) || ctx->ct_hit || (ctx->lb_flow && ctx->egress_ok)) {
		dp_policy_count_dir(DP_POLICY_PASS_TRACKED, DP_POLICY_DIR_EGRESS);
		return DP_CONTINUE;
	}
	return dp_policy6_judge(ctx, DP_POLICY_DIR_EGRESS);
}

#endif
