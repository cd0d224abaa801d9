/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IPv6 stages of service load balancing, on pod and host devices: DNAT of TCP and UDP and its
 * reverse NAT. They are the IPv4 stages of lib/lb.h with 16-byte addresses and maps of their
 * own (dp_svc6, dp_backends6, dp_revnat6, dp_ct6, dp_snat6, dp_snat6_src in lib/maps.h), so
 * the IPv4 maps keep their layouts and pins. dp_parse6 (lib/parse.h) fills ctx->t6; the
 * programs run these stages instead of the IPv4 ones when ctx->v6 is set:
 *
 *  - dp_stage_revnat6: a reply of a translated flow (its CT_REPLY half in dp_ct6) gets its
 *    source rewritten back to the service address and port, and a SNATed flow's its client
 *    back as destination; replies leaving from a node address go out by FIB redirect;
 *  - dp_stage_lb6: a packet to a frontend is DNATed: an established flow (CT_EGRESS half) keeps
 *    its backend; a new flow picks one (the client's previous backend under sessionAffinity
 *    ClientIP, dp_affinity6; else the service's Maglev table, else at random over the slots)
 *    and records both halves. The halves keep each other alive as in lib/lb.h. On host
 *    devices (from_host) only external frontends (externalIPs, load-balancer IPs, node ports)
 *    are translated, and those with externalTrafficPolicy Cluster are SNATed to a node
 *    address (lib/nodeport6.h); a frontend with loadBalancerSourceRanges drops other sources
 *    first (dp_src_range6). Hairpin, as lib/lb.h: a pod's new flow that picked the pod itself
 *    as backend is SNATed to the frontend address (its stack would drop a packet from its own
 *    address) with a port whose reply tuple is free, and sent back to the pod by FIB redirect;
 *    the pod's reply, to frontend:port, is a SNATed flow's reply to dp_stage_revnat6.
 *
 * A frontend without backends answers TCP with a RST and UDP with an ICMPv6 port unreachable
 * (lib/reject6.h).
 *
 * An established TCP flow whose backend was removed gets a RST from the service (a UDP flow
 * picks a surviving backend); a flow of a deleted Service gets a RST (TCP) or is dropped until
 * its entry expires (UDP), as lib/lb.h does (dp_stage_service_gone6, lib/reject6.h).
 *
 * ICMPv6 errors about translated flows are lib/icmp6.h's.
 *
 * Fragments (RFC 8200 section 4.5), as lib/lb.h does for IPv4: the first fragment of a
 * translated flow (it has the L4 header, and the L4 checksum over the whole datagram, updated
 * like any other) records its address rewrites in dp_frag6 (dp_frag6_record: both addresses when
 * the flow is SNATed too, and whether it left by FIB redirect); dp_stage_fragments6 gives a later
 * fragment (no L4 header; IPv6 has no header checksum) the same rewrites and redirect; a later
 * fragment whose first fragment was not seen, or not translated, passes untouched. Packets
 * with hop-by-hop, routing or destination options headers are translated like any other
 * (dp_parse6 found their L4 header). Refusals (a frontend without backends) are built for a
 * TCP or UDP header right after the fixed header: a packet with extension headers is dropped
 * instead (DP_DROP_NO_BACKEND).
 *
 * Not done for IPv6 (the IPv4 stages do it): the tuple remap of lib/remap.h. The XDP fast path
 * (lib/xdp_lb6.h) does the common host-device cases of these stages with the same maps and
 * conntrack halves.
 *
 * IPv6 has no header checksum; the L4 checksum covers the addresses through the pseudo-header
 * (RFC 8200 section 8.1) and is updated with one bpf_csum_diff of the old and new address
 * (RFC 1624 arithmetic, as lib/nat.h does word by word for IPv4).
 */
#ifndef DP_LB6_H
#define DP_LB6_H

#include "lb.h"
#include "nodeport6.h"
#include "reject6.h"
#include "affinity6.h"

/* Makes sure the other half of a flow exists and lives at least as long as e (lib/lb.h's dp_ct_keep_half). */
static __always_inline void dp_ct6_keep_half(const struct dp_ct6_key *other, const struct dp_ct_entry *e)
{
	struct dp_ct_entry *o = bpf_map_lookup_elem(&dp_ct6, other);

	if (!o || o->backend_id != e->backend_id || o->rev_nat_index != e->rev_nat_index) {
		struct dp_ct_entry copy = *e;

		bpf_map_update_elem(&dp_ct6, other, &copy, BPF_ANY);
		return;
	}
	if (o->expires < e->expires)
		o->expires = e->expires;
}

static __always_inline int dp_addr6_eq(const __be32 *a, const __be32 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* The key of tuple t in its own direction, under dir. */
static __always_inline void dp_ct6_key_of(struct dp_ct6_key *k, const struct dp_tuple6 *t, __u8 dir)
{
	dp_addr6_copy(k->saddr, t->saddr);
	dp_addr6_copy(k->daddr, t->daddr);
	k->sport = t->sport;
	k->dport = t->dport;
	k->proto = t->proto;
	k->dir = dir;
}

/*
 * The key, under dir, of the replies to client tuple t coming from addr:port: a translated flow's
 * CT_REPLY key (from its backend), or an untranslated flow's reply (from t's own destination).
 */
static __always_inline void dp_ct6_reply_key(struct dp_ct6_key *rk, const struct dp_tuple6 *t,
					     const __be32 *addr, __be16 port, __u8 dir)
{
	dp_addr6_copy(rk->saddr, addr);
	dp_addr6_copy(rk->daddr, t->saddr);
	rk->sport = port;
	rk->dport = t->sport;
	rk->proto = t->proto;
	rk->dir = dir;
	rk->pad = 0;
}

/* Rewrites the source (is_src) or destination IPv6 address and the L4 checksum's pseudo-header part. */
static __always_inline int dp_rewrite_addr6(struct __sk_buff *skb, const struct dp_pkt *p, int is_src,
					    const __be32 *old_addr, const __be32 *new_addr)
{
	__u32 off = p->ip_off + (is_src ? offsetof(struct ipv6hdr, saddr) : offsetof(struct ipv6hdr, daddr));
	__be32 from[4], to[4];
	int ret;

	dp_addr6_copy(from, old_addr);
	dp_addr6_copy(to, new_addr);
	if (p->csum_off && !p->udp_csum_zero) {
		__s64 diff = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0);

		if (diff < 0)
			return (int)diff;
		/* size 0: `to` is a checksum difference to fold in */
		ret = bpf_l4_csum_replace(skb, p->csum_off, 0, (__u64)diff, dp_l4_flags(p, 0) | BPF_F_PSEUDO_HDR);
		if (ret < 0)
			return ret;
	}
	return bpf_skb_store_bytes(skb, off, to, sizeof(to), 0);
}

/*
 * Per-CPU scratch for the keys and values of IPv6 stages that would otherwise sit on the stack:
 * from_pod's frame (its IPv4 and IPv6 stages inline into one) is at BPF's 512 bytes. A program
 * runs to completion on its CPU and a stage holds no scratch pointer past its return, so one
 * area serves them all. Not pinned: it holds nothing between packets.
 */
struct dp_scratch6_frag {
	struct dp_frag6_key k;
	struct dp_frag6_value v;
};

struct dp_scratch6_ct {
	struct dp_ct6_key k;
	struct dp_ct_entry n;
};

/* lib/policy.h's IPv6 stages: the peer's ipcache key, the policy key, a drop event */
struct dp_scratch6_policy {
	struct dp_ipcache6_key ik;
	struct dp_policy_key pk;
	struct dp_drop_event6 ev;
	__u8 exact_allow;   /* the peer's own identity has an allow entry (dp_policy6_judge) */
	/* from_pod: the CT_EGRESS key (the tuple before DNAT) of the Service flow dp_stage_lb6 just
	 * translated, for the egress policy stage to mark DP_CT_F_EGRESS_OK on. Written after
	 * dp_frag6_record, the last user of the other members in that stage, and placed past them
	 * (asserted below), so nothing between the two stages overwrites it. */
	struct dp_ct6_key lb_orig;
};

union dp_scratch6 {
	struct dp_scratch6_frag frag;
	struct dp_scratch6_ct ct;
	struct dp_scratch6_policy pol;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union dp_scratch6);
} dp_scratch6 SEC(".maps");

_Static_assert(__builtin_offsetof(struct dp_scratch6_policy, lb_orig) >= sizeof(struct dp_scratch6_frag) &&
	       __builtin_offsetof(struct dp_scratch6_policy, lb_orig) >= sizeof(struct dp_scratch6_ct),
	       "lb_orig must not share bytes with the members dp_stage_lb6 and conntrack use");

static __always_inline union dp_scratch6 *dp_scratch6_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&dp_scratch6, &zero);
}

/* The dp_frag6 key of the fragment ctx holds (the addresses it arrived with), in s. */
static __always_inline void dp_frag6_key_of(union dp_scratch6 *s, const struct dp_ctx *ctx)
{
	dp_addr6_copy(s->frag.k.saddr, ctx->t6.saddr);
	dp_addr6_copy(s->frag.k.daddr, ctx->t6.daddr);
	s->frag.k.id = ctx->frag6_id;
}

/*
 * A first fragment's rewrites (new_saddr / new_daddr, 0 for an address kept), keyed by the
 * addresses it arrived with (ctx->t6 before the rewrite), for dp_stage_fragments6.
 */
static __always_inline void dp_frag6_record(const struct dp_ctx *ctx, const __be32 *new_saddr,
					    const __be32 *new_daddr, int redirect)
{
	union dp_scratch6 *s;

	if (!ctx->first_frag)
		return;
	s = dp_scratch6_get();
	if (!s)
		return;
	dp_frag6_key_of(s, ctx);
	__builtin_memset(&s->frag.v, 0, sizeof(s->frag.v));
	if (new_saddr) {
		dp_addr6_copy(s->frag.v.new_saddr, new_saddr);
		s->frag.v.flags |= DP_FRAG6_F_SRC;
	}
	if (new_daddr) {
		dp_addr6_copy(s->frag.v.new_daddr, new_daddr);
		s->frag.v.flags |= DP_FRAG6_F_DST;
	}
	if (redirect)
		s->frag.v.flags |= DP_FRAG6_F_REDIRECT;
	bpf_map_update_elem(&dp_frag6, &s->frag.k, &s->frag.v, BPF_ANY);
}

/*
 * A non-first fragment (no L4 header) follows the rewrites its first fragment recorded in
 * dp_frag6, and its FIB redirect; without a record it is left alone (DP_PASS_FRAGMENT).
 */
static __always_inline int dp_stage_fragments6(struct dp_ctx *ctx)
{
	union dp_scratch6 *s;
	struct dp_frag6_value *fv;
	__be32 *saddr, *daddr;
	__u8 flags;

	if (!ctx->later_frag)
		return DP_CONTINUE;
	s = dp_scratch6_get();
	if (!s)
		return DP_CONTINUE;
	dp_frag6_key_of(s, ctx);
	fv = bpf_map_lookup_elem(&dp_frag6, &s->frag.k);
	if (!fv) {
		dp_count(DP_PASS_FRAGMENT);
		return DP_CONTINUE;
	}
	/* a copy: the LRU entry may go while the packet is rewritten */
	flags = fv->flags;
	dp_addr6_copy(s->frag.v.new_saddr, fv->new_saddr);
	dp_addr6_copy(s->frag.v.new_daddr, fv->new_daddr);
	saddr = s->frag.v.new_saddr;
	daddr = s->frag.v.new_daddr;
	/* csum_off is 0: only the addresses change */
	if (flags & DP_FRAG6_F_SRC) {
		if (dp_rewrite_addr6(ctx->skb, &ctx->p, 1, ctx->t6.saddr, saddr) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_addr6_copy(ctx->t6.saddr, saddr);
	}
	if (flags & DP_FRAG6_F_DST) {
		if (dp_rewrite_addr6(ctx->skb, &ctx->p, 0, ctx->t6.daddr, daddr) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_addr6_copy(ctx->t6.daddr, daddr);
	}
	ctx->translated = 1;
	dp_count(DP_NAT_FRAGMENT);
	if (flags & DP_FRAG6_F_REDIRECT)
		return dp_redirect_fib6(ctx);
	return DP_CONTINUE;
}

static __always_inline __u32 dp_pick_backend6(const struct dp_svc6_key *master_key,
					      const struct dp_svc_value *master,
					      const struct dp_tuple6 *t)
{
	struct dp_svc6_key key = *master_key;
	struct dp_svc_value *slot;
	__u32 id = 0;

	if (master->flags & DP_SVC_F_MAGLEV) {
		/* the addresses folded to 32 bits feed the IPv4 flow hash */
		struct dp_tuple h = {};

		h.saddr = t->saddr[0] ^ t->saddr[1] ^ t->saddr[2] ^ t->saddr[3];
		h.daddr = t->daddr[0] ^ t->daddr[1] ^ t->daddr[2] ^ t->daddr[3];
		h.sport = t->sport;
		h.dport = t->dport;
		h.proto = t->proto;
		if (dp_maglev_pick(master, dp_flow_hash(&h), &id))
			return id;
		/* no table yet: fall back to random */
	}
	key.slot = (bpf_get_prandom_u32() % master->count) + 1;
	slot = bpf_map_lookup_elem(&dp_svc6, &key);
	return slot ? slot->backend_id : 0;
}

/*
 * A reply of a translated flow (its CT_REPLY half in dp_ct6) gets its source rewritten back to
 * the frontend; a SNATed flow's reply (lib/nodeport6.h, or hairpin) also gets its client back as the
 * destination. A reply leaving from a node address (a node port's) or a SNATed flow's reply,
 * at an ingress hook, is sent on by FIB redirect.
 */
static __always_inline int dp_stage_revnat6(struct dp_ctx *ctx)
{
	struct dp_ct6_key ck = {};
	struct dp_ct6_key ek = {};
	struct dp_ct_entry *ct;
	struct dp_revnat6 *rn;
	__be32 addr[4];
	__be32 client[4] = {};
	__be16 client_port = 0;
	__be16 port;
	__u16 idx;
	__u8 rn_flags;
	int snat = 0;
	int redirect;

	if (ctx->translated || dp_no_ports(ctx)) /* TCP and UDP only (pods' ICMPv6 echo and other protocols: policy's) */
		return DP_CONTINUE;
	dp_ct6_key_of(&ck, &ctx->t6, DP_CT_REPLY);
	ct = dp_ct6_lookup(&ck, ctx->now);
	if (!ct)
		return DP_CONTINUE;
	idx = ct->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat6, &idx);
	if (!rn)
		return DP_CONTINUE;
	dp_addr6_copy(addr, rn->addr);
	port = rn->port;
	rn_flags = rn->flags;
	dp_ct_touch(ct, ctx->t6.proto, ctx->seen, ctx->now);
	/* the client's half: client -> frontend */
	dp_addr6_copy(ek.saddr, ctx->t6.daddr);
	dp_addr6_copy(ek.daddr, addr);
	ek.sport = ctx->t6.dport;
	ek.dport = port;
	ek.proto = ctx->t6.proto;
	ek.dir = DP_CT_EGRESS;
	if (ct->flags & DP_CT_F_SNAT) {
		struct dp_nat6 *nat = bpf_map_lookup_elem(&dp_snat6, &ck);

		if (nat) {
			snat = 1;
			dp_addr6_copy(client, nat->addr);
			client_port = nat->port;
			dp_addr6_copy(ek.saddr, client);
			ek.sport = client_port;
			dp_snat6_keep(&ek, ctx->t6.daddr, ctx->t6.dport);
		}
	}
	dp_ct6_keep_half(&ek, ct);
	/* a node address as source (past the forwarding path), as lib/lb.h's dp_stage_revnat */
	redirect = ((rn_flags & DP_REVNAT_F_NODEPORT) || snat) && (ctx->where == DP_FROM_POD || ctx->where == DP_FROM_HOST);
	dp_frag6_record(ctx, addr, snat ? client : 0, redirect);
	if (dp_rewrite_addr6(ctx->skb, &ctx->p, 1, ctx->t6.saddr, addr) < 0 ||
	    dp_rewrite_port(ctx->skb, &ctx->p, 1, ctx->t6.sport, port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	dp_addr6_copy(ctx->t6.saddr, addr);
	ctx->t6.sport = port;
	if (snat) {
		if (dp_rewrite_addr6(ctx->skb, &ctx->p, 0, ctx->t6.daddr, client) < 0 ||
		    dp_rewrite_port(ctx->skb, &ctx->p, 0, ctx->t6.dport, client_port) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_addr6_copy(ctx->t6.daddr, client);
		ctx->t6.dport = client_port;
	}
	ctx->translated = 1;
	dp_count(DP_NAT_REVERSE);
	if (redirect)
		return dp_redirect_fib6(ctx);
	return DP_CONTINUE;
}

/*
 * A new flow's backend and conntrack halves; with *snat, the flow leaves from the frontend's node
 * address (dp_snat6_src) and a free port, recorded in dp_snat6 (lib/nodeport6.h). A client picked
 * as its own backend (hairpin) is SNATed too, to the frontend address unless *snat named a node
 * address, and *snat set. Returns 0 with the backend ID in *id, or a drop verdict.
 */
static __always_inline int dp_lb6_new_flow(struct dp_ctx *ctx, const struct dp_svc6_key *sk, const struct dp_svc_value *svc,
					   const struct dp_ct6_key *ck, int *snat, __be32 *snat_addr, __be16 *snat_port,
					   __u32 *id)
{
	union dp_scratch6 *u;
	struct dp_ct6_key *rk;
	struct dp_ct_entry *e;
	struct dp_backend6 *be;
	__u32 backend_id;
	int hairpin;

	if (svc->count == 0) {
		/* the refusals of lib/reject6.h are built for TCP or UDP right after the fixed header */
		if (ctx->p.l4_off != sizeof(struct ethhdr) + sizeof(struct ipv6hdr))
			return dp_drop(DP_DROP_NO_BACKEND);
		/* refused at once (lib/reject6.h), as kube-proxy and lib/lb.h do */
		dp_count(DP_REJECT_NO_BACKEND);
		return ctx->t6.proto == IPPROTO_TCP ? dp_reply_rst6(ctx->skb) : dp_reply_icmp6_port_unreach(ctx->skb);
	}
	backend_id = dp_affinity6_backend(ctx->t6.saddr, svc, ctx->now);
	be = backend_id ? bpf_map_lookup_elem(&dp_backends6, &backend_id) : 0;
	if (be) {
		dp_count(DP_NAT_AFFINITY);
	} else {
		backend_id = dp_pick_backend6(sk, svc, &ctx->t6);
		be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
		if (!be)
			return dp_drop(DP_DROP_NO_BACKEND);
	}
	dp_affinity6_record(ctx->t6.saddr, svc, backend_id, ctx->now);
	/* the reply half's key and the entry in the scratch area, off from_pod's stack (dp_frag6_record
	 * takes the area after this returns) */
	u = dp_scratch6_get();
	if (!u)
		return dp_drop(DP_DROP_NAT_FAILED);
	rk = &u->ct.k;
	e = &u->ct.n;
	e->backend_id = backend_id;
	e->rev_nat_index = svc->rev_nat_index;
	e->created = ctx->now;
	e->seen = ctx->seen;
	e->flags = 0;
	e->expires = ctx->now + dp_ct_lifetime(ctx->t6.proto, ctx->seen);
	dp_ct6_reply_key(rk, &ctx->t6, be->addr, be->port, DP_CT_REPLY);
	/* hairpin: a pod picked as its own backend would get a packet from its own address, which
	 * its stack drops (lib/lb.h) */
	hairpin = dp_addr6_eq(be->addr, ctx->t6.saddr);
	if (*snat || hairpin) {
		if (*snat) {
			__u16 idx = svc->rev_nat_index;
			struct dp_nat6 *src = bpf_map_lookup_elem(&dp_snat6_src, &idx);

			if (!src)
				return dp_drop(DP_DROP_NO_SNAT_SOURCE);
			dp_addr6_copy(snat_addr, src->addr);
		} else {
			/* from the frontend address, as the pod asked for it */
			dp_addr6_copy(snat_addr, ctx->t6.daddr);
			*snat = 1;
		}
		if (dp_snat6_port(ctx, snat_addr, be->addr, be->port, snat_port) < 0)
			return dp_drop(DP_DROP_SNAT_PORTS);
		/* the reply half is keyed by the SNATed tuple: backend -> node:port */
		dp_addr6_copy(rk->daddr, snat_addr);
		rk->dport = *snat_port;
		e->flags = DP_CT_F_SNAT;
		dp_snat6_put(ck, snat_addr, *snat_port);
		dp_snat6_put(rk, ctx->t6.saddr, ctx->t6.sport);
		dp_count(hairpin ? DP_NAT_HAIRPIN : DP_NAT_SNAT);
	}
	bpf_map_update_elem(&dp_ct6, ck, e, BPF_ANY);
	bpf_map_update_elem(&dp_ct6, rk, e, BPF_ANY);
	dp_count(DP_NAT_NEW);
	*id = backend_id;
	return DP_CONTINUE;
}

/*
 * A packet to a frontend is DNATed (external_only: host devices translate DP_SVC_F_EXTERNAL
 * frontends only, and SNAT those with DP_SVC_F_SNAT, lib/nodeport6.h): an established flow
 * (CT_EGRESS half) keeps its backend (and its SNAT port); a new flow picks one.
 */
static __always_inline int dp_stage_lb6(struct dp_ctx *ctx, int external_only)
{
	struct dp_svc6_key sk = {};
	struct dp_ct6_key ck = {};
	struct dp_svc_value *svc;
	struct dp_ct_entry *ct;
	struct dp_backend6 *be = 0;
	__u32 backend_id = 0;
	__be32 addr[4];
	__be32 snat_addr[4] = {};
	__be16 snat_port = 0;
	__be16 port;
	int snat = 0;

	if (ctx->translated || dp_no_ports(ctx)) /* TCP and UDP only (pods' ICMPv6 echo and other protocols: policy's) */
		return DP_CONTINUE;
	dp_addr6_copy(sk.addr, ctx->t6.daddr);
	sk.port = ctx->t6.dport;
	sk.proto = ctx->t6.proto;
	svc = bpf_map_lookup_elem(&dp_svc6, &sk);
	if (!svc) {
		int v = dp_stage_service_gone6(ctx);

		if (v != DP_CONTINUE)
			return v;
	}
	if (!svc || (external_only && !(svc->flags & DP_SVC_F_EXTERNAL))) {
		dp_count(DP_PASS_NO_SERVICE);
		return DP_CONTINUE;
	}
	if ((svc->flags & DP_SVC_F_SRC_RANGES) && !dp_src_allowed6(svc->rev_nat_index, ctx->t6.saddr))
		return dp_drop(DP_DROP_SOURCE_RANGE);

	dp_ct6_key_of(&ck, &ctx->t6, DP_CT_EGRESS);
	ct = dp_ct6_lookup(&ck, ctx->now);
	if (ct && (ct->flags & DP_CT_F_SNAT)) {
		struct dp_nat6 *nat = bpf_map_lookup_elem(&dp_snat6, &ck);

		if (nat) {
			snat = 1;
			dp_addr6_copy(snat_addr, nat->addr);
			snat_port = nat->port;
		} else {
			ct = 0; /* the SNAT half was evicted: a new flow */
		}
	}
	if (ct) {
		backend_id = ct->backend_id;
		be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
		if (be) {
			/* the reply half's key in the scratch area (dp_frag6_record below takes it later):
			 * on the stack it made this stage from_pod's deepest, with no room for the call to
			 * lib/policy.h's dp_policy6_judge on kernels that round each frame up to 32 bytes */
			union dp_scratch6 *u = dp_scratch6_get();

			dp_ct_touch(ct, ctx->t6.proto, ctx->seen, ctx->now);
			ctx->egress_ok = (ct->flags & DP_CT_F_EGRESS_OK) != 0; /* lib/policy.h: let out before */
			if (u) {
				struct dp_ct6_key *rk = &u->ct.k;

				dp_ct6_reply_key(rk, &ctx->t6, be->addr, be->port, DP_CT_REPLY);
				if (snat) {
					dp_addr6_copy(rk->daddr, snat_addr);
					rk->dport = snat_port;
					dp_snat6_keep(rk, ctx->t6.saddr, ctx->t6.sport);
				}
				dp_ct6_keep_half(rk, ct);
			}
			dp_count(DP_NAT_CT_HIT);
		} else if (ctx->t6.proto == IPPROTO_TCP && !(ctx->seen & DP_CT_SEEN_SYN)) {
			/* backend removed: the TCP flow ends at once with a RST from the service */
			bpf_map_delete_elem(&dp_ct6, &ck);
			bpf_map_delete_elem(&dp_snat6, &ck);
			dp_count(DP_REJECT_BACKEND_GONE);
			return dp_reply_rst6(ctx->skb);
		}
		/* backend removed, UDP: a new flow below picks a surviving backend */
	}
	if (!be) {
		int v;

		snat = external_only && (svc->flags & DP_SVC_F_SNAT);
		v = dp_lb6_new_flow(ctx, &sk, svc, &ck, &snat, snat_addr, &snat_port, &backend_id);
		if (v != DP_CONTINUE)
			return v;
		be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
		if (!be)
			return dp_drop(DP_DROP_NO_BACKEND);
	}
	dp_addr6_copy(addr, be->addr);
	port = be->port;
	dp_frag6_record(ctx, snat ? snat_addr : 0, addr, snat);
	if (dp_rewrite_addr6(ctx->skb, &ctx->p, 0, ctx->t6.daddr, addr) < 0 ||
	    dp_rewrite_port(ctx->skb, &ctx->p, 0, ctx->t6.dport, port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	dp_addr6_copy(ctx->t6.daddr, addr);
	ctx->t6.dport = port;
	ctx->translated = 1;
	ctx->lb_flow = 1;
	if (ctx->where == DP_FROM_POD) {
		union dp_scratch6 *u = dp_scratch6_get();

		if (u)
			__builtin_memcpy(&u->pol.lb_orig, &ck, sizeof(ck)); /* for lib/policy.h's egress mark */
	}
	if (snat) {
		if (dp_rewrite_addr6(ctx->skb, &ctx->p, 1, ctx->t6.saddr, snat_addr) < 0 ||
		    dp_rewrite_port(ctx->skb, &ctx->p, 1, ctx->t6.sport, snat_port) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		dp_addr6_copy(ctx->t6.saddr, snat_addr);
		ctx->t6.sport = snat_port;
		/* a node address as source (past the forwarding path), or a hairpin packet back out of
		 * the device it came from */
		return dp_redirect_fib6(ctx);
	}
	return DP_CONTINUE;
}

#endif
