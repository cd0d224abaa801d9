/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stages of service load balancing (see lib/parse.h for how stages compose):
 *
 *  - dp_stage_fragments: a non-first IPv4 fragment (no ports) follows the rewrite its first
 *    fragment recorded in dp_frag4, or is left alone;
 *  - dp_stage_revnat: a reply of a translated flow (CT_REPLY entry) gets its source
 *    rewritten back to the service address (rev-NAT index kept in the entry);
 *  - dp_stage_icmp_revnat: an ICMP error about a translated flow's request goes back to the
 *    client (a SNATed request's too); dp_stage_icmp_to_backend (host devices and pod egress): one
 *    about a reply sent from a frontend goes on to the backend (path MTU discovery of its answers,
 *    a client's port unreachable);
 *  - dp_stage_lb: a packet to a frontend (master slot 0) is DNATed: an established flow
 *    (CT_EGRESS entry) keeps its backend; if that backend was removed, TCP gets a RST (the
 *    flow ends cleanly) and UDP picks a new one; a new flow picks a backend (Maglev table or
 *    at random, or the client's previous backend under sessionAffinity: ClientIP) and records
 *    both conntrack halves; a frontend without backends answers TCP
 *    with a RST and UDP with ICMP port unreachable. A node port, externalIP or load-balancer
 *    IP with externalTrafficPolicy Cluster, reached on a host device, is also SNATed to a node
 *    address (the node port's own, else the one dp_snat4_src names) and redirected
 *    (lib/nodeport.h); a frontend with loadBalancerSourceRanges drops other sources first.
 *    (Non-first fragments of a SNATed datagram follow only its DNAT: they are not SNATed.)
 *
 * Conntrack halves keep each other alive: every packet that hits one half looks up the
 * other (which also refreshes it in the LRU) and re-creates it if it was evicted or has
 * expired, so eviction under a full table never leaves one direction of a NATed flow
 * translated and the other not.
 */
#ifndef DP_LB_H
#define DP_LB_H

#include "maps.h"
#include "metrics.h"
#include "nat.h"
#include "conntrack.h"
#include "reject.h"
#include "parse.h"
#include "nodeport.h"

/* A well-mixed hash of the 5-tuple for the Maglev table (any good mix will do: only
 * the datapath computes it; the Java side only builds the table). */
static __always_inline __u32 dp_flow_hash(const struct dp_tuple *t)
{
	__u64 h = ((__u64)t->saddr << 32) ^ t->daddr;

	h ^= ((__u64)t->sport << 24) ^ ((__u64)t->dport << 8) ^ t->proto;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (__u32)h;
}

/*
 * The backend ID the service's Maglev table (dp_maglev4, keyed by rev-NAT index) holds for a
 * flow hash; 0 in *id when the table is not there (yet): the caller falls back to random.
 * Returns 1 when a table answered. Both families use it (backend IDs are unique across them).
 */
static __always_inline int dp_maglev_pick(const struct dp_svc_value *master, __u32 hash, __u32 *id)
{
	__u32 idx = master->rev_nat_index;
	__u32 *table = bpf_map_lookup_elem(&dp_maglev4, &idx);
	__u32 m = dp_maglev_m;
	__u32 pos;

	if (!table)
		return 0;
	pos = hash % m;
	/* clang proves pos < m, the verifier cannot: re-check opaquely. */
	asm volatile("" : "+r"(pos));
	*id = pos < m ? table[pos] : 0;
	return 1;
}

static __always_inline __u32 dp_pick_backend(const struct dp_svc_key *master_key,
					     const struct dp_svc_value *master,
					     const struct dp_tuple *t)
{
	struct dp_svc_key key = *master_key;
	struct dp_svc_value *slot;
	__u32 id = 0;

	/* no table yet: fall back to random */
	if ((master->flags & DP_SVC_F_MAGLEV) && dp_maglev_pick(master, dp_flow_hash(t), &id))
		return id;
	key.slot = (bpf_get_prandom_u32() % master->count) + 1;
	slot = bpf_map_lookup_elem(&dp_svc4, &key);
	return slot ? slot->backend_id : 0;
}

/* The CT_REPLY key of a flow from client tuple t to backend be. */
static __always_inline void dp_ct_reply_key(struct dp_ct_key *rk, const struct dp_tuple *t,
					    __be32 be_addr, __be16 be_port)
{
	rk->saddr = be_addr;
	rk->daddr = t->saddr;
	rk->sport = be_port;
	rk->dport = t->sport;
	rk->proto = t->proto;
	rk->dir = DP_CT_REPLY;
	rk->pad = 0;
}

/* Makes sure the other half of a flow exists and lives at least as long as e. */
static __always_inline void dp_ct_keep_half(const struct dp_ct_key *other, const struct dp_ct_entry *e)
{
	struct dp_ct_entry *o = bpf_map_lookup_elem(&dp_ct4, other);

	if (!o || o->backend_id != e->backend_id || o->rev_nat_index != e->rev_nat_index) {
		struct dp_ct_entry copy = *e;

		bpf_map_update_elem(&dp_ct4, other, &copy, BPF_ANY);
		return;
	}
	if (o->expires < e->expires)
		o->expires = e->expires;
}

/* Records a new flow: the client's direction (key ck, CT_EGRESS) and the backend's reply
 * (keyed by t's source: the client, or the address and port a SNATed flow leaves with). */
static __always_inline void dp_ct_create_flags(const struct dp_ct_key *ck, const struct dp_tuple *t,
					       const struct dp_backend *be, __u32 backend_id,
					       __u16 rev_nat_index, __u8 seen, __u32 now, __u8 flags)
{
	struct dp_ct_entry e = {};
	struct dp_ct_key rk = {};

	e.flags = flags;
	e.backend_id = backend_id;
	e.rev_nat_index = rev_nat_index;
	e.created = now;
	e.seen = seen;
	e.expires = now + dp_ct_lifetime(t->proto, seen);
	bpf_map_update_elem(&dp_ct4, ck, &e, BPF_ANY);
	dp_ct_reply_key(&rk, t, be->addr, be->port);
	bpf_map_update_elem(&dp_ct4, &rk, &e, BPF_ANY);
}

static __always_inline void dp_ct_create(const struct dp_ct_key *ck, const struct dp_tuple *t,
					 const struct dp_backend *be, __u32 backend_id,
					 __u16 rev_nat_index, __u8 seen, __u32 now)
{
	dp_ct_create_flags(ck, t, be, backend_id, rev_nat_index, seen, now, 0);
}

static __always_inline void dp_frag_record(const struct dp_ctx *ctx, __be32 new_addr, __u8 rewrite)
{
	struct dp_frag_key fk = {};
	struct dp_frag_value fv = {};

	fk.saddr = ctx->orig.saddr;
	fk.daddr = ctx->orig.daddr;
	fk.id = ctx->ip_id;
	fk.proto = ctx->orig.proto;
	fv.new_addr = new_addr;
	fv.rewrite = rewrite;
	bpf_map_update_elem(&dp_frag4, &fk, &fv, BPF_ANY);
}

static __always_inline int dp_stage_fragments(struct dp_ctx *ctx)
{
	struct dp_frag_key fk = {};
	struct dp_frag_value *fv;
	__be32 old;

	if (!ctx->later_frag)
		return DP_CONTINUE;
	fk.saddr = ctx->t.saddr;
	fk.daddr = ctx->t.daddr;
	fk.id = ctx->ip_id;
	fk.proto = ctx->t.proto;
	fv = bpf_map_lookup_elem(&dp_frag4, &fk);
	if (!fv) {
		dp_count(DP_PASS_FRAGMENT);
		return DP_CONTINUE;
	}
	old = fv->rewrite == DP_FRAG_REWRITE_SRC ? ctx->t.saddr : ctx->t.daddr;
	if (dp_rewrite_addr(ctx->skb, &ctx->p, fv->rewrite == DP_FRAG_REWRITE_SRC, old, fv->new_addr) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	if (fv->rewrite == DP_FRAG_REWRITE_SRC)
		ctx->t.saddr = fv->new_addr;
	else
		ctx->t.daddr = fv->new_addr;
	ctx->translated = 1;
	dp_count(DP_NAT_FRAGMENT);
	return DP_CONTINUE;
}

static __always_inline int dp_stage_revnat(struct dp_ctx *ctx)
{
	struct dp_ct_key ck = {};
	struct dp_ct_key ek = {};
	struct dp_ct_entry *ct;
	struct dp_revnat *rn;
	__be32 client = 0;
	__be16 client_port = 0;
	__u16 idx;

	if (dp_no_ports(ctx) || ctx->translated)
		return DP_CONTINUE;
	ck.saddr = ctx->t.saddr;
	ck.daddr = ctx->t.daddr;
	ck.sport = ctx->t.sport;
	ck.dport = ctx->t.dport;
	ck.proto = ctx->t.proto;
	ck.dir = DP_CT_REPLY;
	ct = dp_ct_lookup(&ck, ctx->now);
	if (!ct)
		return DP_CONTINUE;
	idx = ct->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat4, &idx);
	if (!rn)
		return DP_CONTINUE;
	dp_ct_touch(ct, ctx->t.proto, ctx->seen, ctx->now);
	/* the client's half: client -> frontend */
	dp_ct_client_key(&ek, ctx->t.daddr, ctx->t.dport, rn, ctx->t.proto);
	if (ct->flags & DP_CT_F_SNAT) {
		/* a flow SNATed on its way in (lib/nodeport.h: node port or hairpin): restore the client */
		struct dp_nat *nat = bpf_map_lookup_elem(&dp_snat4, &ck);

		if (nat) {
			client = nat->addr;
			client_port = nat->port;
			ek.saddr = client;
			ek.sport = client_port;
			dp_snat_keep(&ek, ctx->t.daddr, ctx->t.dport);
		}
	}
	dp_ct_keep_half(&ek, ct);
	if (ctx->first_frag)
		dp_frag_record(ctx, rn->addr, DP_FRAG_REWRITE_SRC);
	if (dp_rewrite_addr(ctx->skb, &ctx->p, 1, ctx->t.saddr, rn->addr) < 0 ||
	    dp_rewrite_port(ctx->skb, &ctx->p, 1, ctx->t.sport, rn->port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.saddr = rn->addr;
	ctx->t.sport = rn->port;
	if (client) {
		if (dp_rewrite_addr(ctx->skb, &ctx->p, 0, ctx->t.daddr, client) < 0 ||
		    dp_rewrite_port(ctx->skb, &ctx->p, 0, ctx->t.dport, client_port) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		ctx->t.daddr = client;
		ctx->t.dport = client_port;
	}
	ctx->translated = 1;
	dp_count(DP_NAT_REVERSE);
	/* the source is now a node address (the forwarding path would drop it as martian), or a
	 * hairpin reply goes back out of the device it came from: sent on by FIB redirect */
	if (((rn->flags & DP_REVNAT_F_NODEPORT) || client) &&
	    (ctx->where == DP_FROM_POD || ctx->where == DP_FROM_HOST))
		return dp_redirect_fib(ctx);
	return DP_CONTINUE;
}

/*
 * The IPv4 header and ports an ICMP error (RFC 792) quotes, for the stages that translate errors
 * about translated flows (here and lib/masq.h): DP_CONTINUE with *inner, ports and inner_off
 * (the quoted header's offset) filled, or not an error about a TCP/UDP packet this datapath can
 * follow (a quote with IP options, or cut short): the stage leaves it alone.
 */
static __always_inline int dp_icmp_quote(const struct dp_ctx *ctx, struct iphdr *inner, __be16 *ports, __u32 *inner_off)
{
	if (!ctx->icmp_err || ctx->translated)
		return 0;
	*inner_off = ctx->p.l4_off + sizeof(struct icmphdr);
	if (bpf_skb_load_bytes(ctx->skb, *inner_off, inner, sizeof(*inner)) < 0)
		return 0;
	if (inner->version != 4 || inner->ihl != 5 ||
	    (inner->protocol != IPPROTO_TCP && inner->protocol != IPPROTO_UDP))
		return 0;
	return bpf_skb_load_bytes(ctx->skb, *inner_off + sizeof(*inner), ports, 2 * sizeof(__be16)) == 0;
}

/*
 * The conntrack entry of the flow whose other direction a quote shows: *k (zeroed by the caller)
 * becomes the quoted packet reversed, in direction dir (the quoted packet went a -> b, so the
 * flow's entry in dir is keyed b -> a). NULL when there is none.
 */
static __always_inline struct dp_ct_entry *dp_ct_of_quote(const struct dp_ctx *ctx, struct dp_ct_key *k,
							 const struct iphdr *inner, const __be16 *ports, __u8 dir)
{
	k->saddr = inner->daddr;
	k->daddr = inner->saddr;
	k->sport = ports[1];
	k->dport = ports[0];
	k->proto = inner->protocol;
	k->dir = dir;
	return dp_ct_lookup(k, ctx->now);
}

/*
 * Rewrites one end of the packet an ICMP error quotes (its header at inner_off, its ports after
 * it, or at port_off: an ICMP echo's identifier): the source (is_src) or destination address and
 * port, with the quoted IP header checksum
 * and the ICMP checksum (no pseudo-header) following. The quoted L4 checksum is left alone
 * (RFC 1812 4.3.2.3: receivers do not check it). The one rewrite of quotes every IPv4 ICMP
 * error stage uses. Returns <0 on helper failure.
 */
static __always_inline int dp_icmp_quote_rewrite_at(struct dp_ctx *ctx, __u32 inner_off, int is_src, __be32 old_addr,
						    __be32 new_addr, __u32 port_off, __be16 old_port, __be16 new_port)
{
	__u32 icmp_csum_off = ctx->p.l4_off + offsetof(struct icmphdr, checksum);
	__u32 ip_csum_off = inner_off + offsetof(struct iphdr, check);
	__u32 addr_off = inner_off + (is_src ? offsetof(struct iphdr, saddr) : offsetof(struct iphdr, daddr));
	__be16 old_csum, new_csum;

	if (bpf_skb_load_bytes(ctx->skb, ip_csum_off, &old_csum, 2) < 0 ||
	    bpf_l3_csum_replace(ctx->skb, ip_csum_off, old_addr, new_addr, 4) < 0 ||
	    bpf_skb_store_bytes(ctx->skb, addr_off, &new_addr, 4, 0) < 0 ||
	    bpf_skb_load_bytes(ctx->skb, ip_csum_off, &new_csum, 2) < 0 ||
	    bpf_skb_store_bytes(ctx->skb, port_off, &new_port, 2, 0) < 0)
		return -1;
	/* the ICMP checksum covers all three changes */
	if (bpf_l4_csum_replace(ctx->skb, icmp_csum_off, old_addr, new_addr, 4) < 0 ||
	    bpf_l4_csum_replace(ctx->skb, icmp_csum_off, old_csum, new_csum, 2) < 0 ||
	    bpf_l4_csum_replace(ctx->skb, icmp_csum_off, old_port, new_port, 2) < 0)
		return -1;
	return 0;
}

/* dp_icmp_quote_rewrite_at with the quoted TCP/UDP source (is_src) or destination port. */
static __always_inline int dp_icmp_quote_rewrite(struct dp_ctx *ctx, __u32 inner_off, int is_src, __be32 old_addr,
						 __be32 new_addr, __be16 old_port, __be16 new_port)
{
	return dp_icmp_quote_rewrite_at(ctx, inner_off, is_src, old_addr, new_addr,
					inner_off + sizeof(struct iphdr) + (is_src ? 0 : 2), old_port, new_port);
}

/* The outer IPv4 source (is_src) or destination of an ICMP error: no pseudo-header in its checksum. */
static __always_inline int dp_icmp_outer_rewrite(struct dp_ctx *ctx, int is_src, __be32 old_addr, __be32 new_addr)
{
	struct dp_pkt outer = ctx->p;

	outer.csum_off = 0;
	return dp_rewrite_addr(ctx->skb, &outer, is_src, old_addr, new_addr);
}

/*
 * An ICMP error (RFC 792: destination unreachable incl. fragmentation needed for PMTUD,
 * time exceeded, parameter problem) about a translated flow's request, on its way back to the
 * client: it quotes the packet as the backend side saw it (client -> backend). The quoted
 * destination is rewritten back to the service address and port, and the outer source too when
 * the error comes from the backend itself, so the client's stack matches the error to its socket.
 *
 * A request SNATed on its way (DP_CT_F_SNAT: externalTrafficPolicy Cluster, hairpin, a remap)
 * was quoted as it left, from the SNAT address and port, and the error went there: the quoted
 * source goes back to the client's address and port (dp_snat4 under the flow's CT_REPLY key), and
 * the outer destination to the client, sent on by FIB redirect from a pod's or a host device's
 * ingress (the error was addressed to this node: a local delivery the forwarding path would not
 * undo).
 */
static __always_inline int dp_stage_icmp_revnat(struct dp_ctx *ctx)
{
	struct iphdr inner;
	__be16 ports[2];
	struct dp_ct_key k = {};
	struct dp_ct_entry *ct;
	struct dp_revnat *rn;
	__u32 inner_off;
	__u16 idx;
	__be32 svc_addr, client = 0;
	__be16 svc_port, client_port = 0;
	int redirect = 0;

	if (!dp_icmp_quote(ctx, &inner, ports, &inner_off))
		return DP_CONTINUE;
	/* the quoted packet went client -> backend: its flow's CT_REPLY key is backend -> client */
	ct = dp_ct_of_quote(ctx, &k, &inner, ports, DP_CT_REPLY);
	if (!ct)
		return DP_CONTINUE;
	idx = ct->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat4, &idx);
	if (!rn)
		return DP_CONTINUE;
	svc_addr = rn->addr;
	svc_port = rn->port;
	if (ct->flags & DP_CT_F_SNAT) {
		struct dp_nat *nat = bpf_map_lookup_elem(&dp_snat4, &k);

		if (nat) {
			client = nat->addr;
			client_port = nat->port;
		}
	}
	if (dp_icmp_quote_rewrite(ctx, inner_off, 0, inner.daddr, svc_addr, ports[1], svc_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	if (client && dp_icmp_quote_rewrite(ctx, inner_off, 1, inner.saddr, client, ports[0], client_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	/* an error from the backend itself comes from the service address */
	if (ctx->t.saddr == inner.daddr) {
		if (dp_icmp_outer_rewrite(ctx, 1, ctx->t.saddr, svc_addr) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		ctx->t.saddr = svc_addr;
	}
	/* sent to the SNAT address: on to the client */
	if (client && ctx->t.daddr == inner.saddr && client != inner.saddr) {
		if (dp_icmp_outer_rewrite(ctx, 0, ctx->t.daddr, client) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		ctx->t.daddr = client;
		redirect = ctx->where == DP_FROM_POD || ctx->where == DP_FROM_HOST;
	}
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return redirect ? dp_redirect_fib(ctx) : DP_CONTINUE;
}

/*
 * An ICMP error about a reply of a translated flow, sent to the frontend address the reply came
 * from (quoting frontend -> client), goes to the backend, the IPv4 twin of lib/icmp6.h's
 * dp_stage_icmp6_to_backend. Where such errors are seen:
 *  - on a host device (from_host), for an external frontend or node port: a router on the way to
 *    a client outside the node (the fragmentation needed that path MTU discovery of a backend's
 *    large answers needs), or the client's host (port unreachable);
 *  - leaving a client pod (from_pod), for any frontend it reached (a ClusterIP's above all): the
 *    pod's own stack answers a reply it has no socket for with port unreachable, to the ClusterIP.
 *    Its node is the one that holds the flow's conntrack pair (DNAT happened in that pod's
 *    from_pod). A remote backend's reply crosses the fabric untranslated (reverse NAT happens on
 *    the client's node), so a router between the nodes addresses its errors to the backend itself:
 *    they need no translation and are left alone;
 *  - leaving a host device (to_host), sent by the client's node itself about the reply after its
 *    reverse NAT (fragmentation needed forwarding it into a pod veth of a smaller MTU): routed as
 *    the node routes the frontend address (a default route), caught on its way out.
 * The quote becomes the reply as the backend sent it (backend -> client, or -> the address and
 * port of a SNATed flow: node:port, the service address of a hairpin, the pod's other port of a
 * remap; dp_snat4 under the client's CT_EGRESS key), the outer destination the backend, and the
 * packet is sent on by FIB redirect (the frontend may be a local address: a node port's).
 */
static __always_inline int dp_stage_icmp_to_backend(struct dp_ctx *ctx)
{
	struct iphdr inner;
	__be16 ports[2];
	struct dp_ct_key k = {};
	struct dp_ct_entry *ct;
	struct dp_backend *be;
	__u32 inner_off, backend_id;
	__be32 be_addr, to_addr;
	__be16 be_port, to_port;

	if (!dp_icmp_quote(ctx, &inner, ports, &inner_off) || inner.saddr != ctx->t.daddr)
		return DP_CONTINUE;
	/* the quoted reply went frontend -> client: its flow's CT_EGRESS key is client -> frontend */
	ct = dp_ct_of_quote(ctx, &k, &inner, ports, DP_CT_EGRESS);
	if (!ct)
		return DP_CONTINUE;
	backend_id = ct->backend_id;
	be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
	if (!be)
		return DP_CONTINUE;
	be_addr = be->addr;
	be_port = be->port;
	/* the reply as the backend sent it went to the client, or to the node address and port of a SNATed flow */
	to_addr = k.saddr;
	to_port = k.sport;
	if (ct->flags & DP_CT_F_SNAT) {
		struct dp_nat *nat = bpf_map_lookup_elem(&dp_snat4, &k);

		if (!nat)
			return DP_CONTINUE;
		to_addr = nat->addr;
		to_port = nat->port;
	}
	if (dp_icmp_quote_rewrite(ctx, inner_off, 1, inner.saddr, be_addr, ports[0], be_port) < 0 ||
	    dp_icmp_quote_rewrite(ctx, inner_off, 0, inner.daddr, to_addr, ports[1], to_port) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	/* to the backend: its stack matches the error to its socket */
	if (dp_icmp_outer_rewrite(ctx, 0, ctx->t.daddr, be_addr) < 0)
		return dp_drop(DP_DROP_NAT_FAILED);
	ctx->t.daddr = be_addr;
	ctx->translated = 1;
	dp_count(DP_NAT_ICMP_ERROR);
	return dp_redirect_fib(ctx);
}

/*
 * A packet to no frontend that belongs to a flow a deleted Service translated (its CT_EGRESS
 * entry names a rev-NAT entry that is gone or now another frontend's): TCP gets a RST (the
 * flow ends at once, as for a removed backend) and the entry is deleted; UDP is dropped and
 * counted until the entry expires (its idle timeout), instead of leaking to the old address.
 * TCP SYNs are new flows and skip the lookup.
 */
static __always_inline int dp_stage_service_gone(struct dp_ctx *ctx)
{
	struct dp_ct_key ck = {};
	struct dp_ct_entry *ct;
	struct dp_revnat *rn;
	__u16 idx;

	if (ctx->seen & DP_CT_SEEN_SYN)
		return DP_CONTINUE;
	dp_ct_key_of(&ck, &ctx->t, DP_CT_EGRESS);
	ct = dp_ct_lookup(&ck, ctx->now);
	if (!ct)
		return DP_CONTINUE;
	idx = ct->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat4, &idx);
	if (rn && rn->addr == ctx->t.daddr && rn->port == ctx->t.dport)
		return DP_CONTINUE;
	if (ctx->t.proto == IPPROTO_TCP) {
		bpf_map_delete_elem(&dp_ct4, &ck);
		dp_count(DP_REJECT_SERVICE_GONE);
		return dp_reply_rst(ctx->skb);
	}
	return dp_drop(DP_DROP_SERVICE_GONE);
}

/*
 * sessionAffinity ClientIP: the backend a client's last new flow to this service went to, while
 * the service's timeout (the master's backend_id field) has not run out since; 0 otherwise.
 */
static __always_inline struct dp_backend *dp_affinity_backend(__be32 client, const struct dp_svc_value *svc, __u32 now,
							     __u32 *backend_id)
{
	struct dp_affinity_key ak = {};
	struct dp_affinity *af;

	if (!(svc->flags & DP_SVC_F_AFFINITY))
		return 0;
	ak.client = client;
	ak.rev_nat_index = svc->rev_nat_index;
	af = bpf_map_lookup_elem(&dp_affinity4, &ak);
	if (!af || now - af->last_used > svc->backend_id)
		return 0;
	*backend_id = af->backend_id;
	return bpf_map_lookup_elem(&dp_backends4, backend_id);
}

/* sessionAffinity ClientIP: a client's new flow went to backend_id; its next one goes there too. */
static __always_inline void dp_affinity_record(__be32 client, const struct dp_svc_value *svc, __u32 backend_id, __u32 now)
{
	struct dp_affinity_key ak = {};
	struct dp_affinity av = {};

	if (!(svc->flags & DP_SVC_F_AFFINITY))
		return;
	ak.client = client;
	ak.rev_nat_index = svc->rev_nat_index;
	av.backend_id = backend_id;
	av.last_used = now;
	bpf_map_update_elem(&dp_affinity4, &ak, &av, BPF_ANY);
}

/*
 * A pod's new Service flow whose tuple after DNAT (pod:port -> backend) another live flow holds
 * on the wire: the pod's direct connection to that backend from the same port (DP_CT_PLAIN),
 * or its flow to another Service with the same backend (a CT_REPLY half of another frontend's).
 * The pod's kernel let both use the port, as the destinations differ to it; this flow is then
 * SNATed to the pod's own address with another port (DP_CT_REMAP_OUT in lib/maps.h). Only a
 * new connection is remapped: a TCP SYN, or a UDP flow.
 */
static __always_inline int dp_lb_tuple_taken(const struct dp_ctx *ctx, const struct dp_backend *be,
					     __u16 rev_nat_index)
{
	struct dp_ct_key k = {};
	struct dp_ct_entry *e;

	if (ctx->t.proto == IPPROTO_TCP && !(ctx->seen & DP_CT_SEEN_SYN))
		return 0;
	k.saddr = ctx->t.saddr;
	k.daddr = be->addr;
	k.sport = ctx->t.sport;
	k.dport = be->port;
	k.proto = ctx->t.proto;
	k.dir = DP_CT_PLAIN;
	if (dp_ct_lookup(&k, ctx->now))
		return 1;
	dp_ct_reply_key(&k, &ctx->t, be->addr, be->port);
	e = dp_ct_lookup(&k, ctx->now);
	return e && e->rev_nat_index != rev_nat_index;
}

/* external_only: only frontends flagged DP_SVC_F_EXTERNAL are translated (host devices). */
static __always_inline int dp_stage_lb(struct dp_ctx *ctx, int external_only)
{
	struct dp_ct_key ck = {};
	struct dp_ct_key rk = {};
	struct dp_ct_entry *ct;
	struct dp_svc_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend *be = 0;
	struct dp_nat *nat;
	__u32 backend_id = 0;
	__be32 snat_addr = 0;
	__be16 snat_port = 0;
	int cluster = 0;
	int snat;

	if (dp_no_ports(ctx) || ctx->translated)
		return DP_CONTINUE;
	sk.addr = ctx->t.daddr;
	sk.port = ctx->t.dport;
	sk.proto = ctx->t.proto;
	svc = bpf_map_lookup_elem(&dp_svc4, &sk);
	if (!svc) {
		int v = dp_stage_service_gone(ctx);

		if (v != DP_CONTINUE)
			return v;
	}
	if (!svc || (external_only && !(svc->flags & DP_SVC_F_EXTERNAL))) {
		dp_count(DP_PASS_NO_SERVICE);
		return DP_CONTINUE;
	}
	if ((svc->flags & DP_SVC_F_SRC_RANGES) && !dp_src_allowed(svc->rev_nat_index, ctx->t.saddr))
		return dp_drop(DP_DROP_SOURCE_RANGE);
	/* a SNATed flow leaves from the frontend address (a node's, for node ports; the service's, for
	 * hairpin) unless dp_snat4_src names a node address (dp_snat_source) */
	snat_addr = ctx->t.daddr;

	dp_ct_key_of(&ck, &ctx->t, DP_CT_EGRESS);
	ct = dp_ct_lookup(&ck, ctx->now);
	snat = 0;
	if (ct && (ct->flags & DP_CT_F_SNAT)) {
		nat = bpf_map_lookup_elem(&dp_snat4, &ck);
		if (nat) {
			snat = 1;
			snat_addr = nat->addr;
			snat_port = nat->port;
		} else {
			ct = 0; /* the SNAT half was evicted: a new flow */
		}
	}
	if (ct) {
		backend_id = ct->backend_id;
		be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
		if (be) {
			ctx->egress_ok = (ct->flags & DP_CT_F_EGRESS_OK) != 0;
			dp_ct_touch(ct, ctx->t.proto, ctx->seen, ctx->now);
			dp_ct_reply_key(&rk, &ctx->t, be->addr, be->port);
			if (snat) {
				rk.daddr = snat_addr;
				rk.dport = snat_port;
				dp_snat_keep(&rk, ctx->t.saddr, ctx->t.sport);
			}
			dp_ct_keep_half(&rk, ct);
			dp_count(DP_NAT_CT_HIT);
		} else if (ctx->t.proto == IPPROTO_TCP && !(ctx->seen & DP_CT_SEEN_SYN)) {
			bpf_map_delete_elem(&dp_ct4, &ck);
			dp_count(DP_REJECT_BACKEND_GONE);
			return dp_reply_rst(ctx->skb);
		}
	}

	if (!be) {
		if (svc->count == 0) {
			dp_count(DP_REJECT_NO_BACKEND);
			if (ctx->t.proto == IPPROTO_TCP)
				return dp_reply_rst(ctx->skb);
			return dp_reply_icmp_port_unreach(ctx->skb);
		}
		cluster = external_only && (svc->flags & DP_SVC_F_SNAT);
		if (cluster && dp_snat_source(svc, &snat_addr) < 0)
			return dp_drop(DP_DROP_NO_SNAT_SOURCE);
		be = dp_affinity_backend(ctx->t.saddr, svc, ctx->now, &backend_id);
		if (be)
			dp_count(DP_NAT_AFFINITY);
		if (!be) {
			backend_id = dp_pick_backend(&sk, svc, &ctx->t);
			be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
			if (!be)
				return dp_drop(DP_DROP_NO_BACKEND);
		}
		dp_affinity_record(ctx->t.saddr, svc, backend_id, ctx->now);
		/* node port, externalIP or load-balancer IP from outside (Cluster policy), or hairpin: a
		 * pod picked as its own backend would get a packet from its own address, which its stack
		 * drops */
		snat = cluster || be->addr == ctx->t.saddr;
		if (!snat && ctx->where == DP_FROM_POD && dp_lb_tuple_taken(ctx, be, svc->rev_nat_index)) {
			snat = 1; /* a remap: the pod's own address, another port */
			snat_addr = ctx->t.saddr;
		}
		if (snat) {
			struct dp_tuple st = ctx->t;
			struct dp_nat out = {};

			if (dp_snat_port(ctx, snat_addr, be, &snat_port) < 0)
				return dp_drop(DP_DROP_SNAT_PORTS);
			/* the reply half is keyed by the SNATed tuple: backend -> node:port */
			st.saddr = snat_addr;
			st.sport = snat_port;
			dp_ct_create_flags(&ck, &st, be, backend_id, svc->rev_nat_index, ctx->seen, ctx->now,
					   DP_CT_F_SNAT);
			out.addr = snat_addr;
			out.port = snat_port;
			bpf_map_update_elem(&dp_snat4, &ck, &out, BPF_ANY);
			dp_ct_reply_key(&rk, &st, be->addr, be->port);
			out.addr = ctx->t.saddr;
			out.port = ctx->t.sport;
			bpf_map_update_elem(&dp_snat4, &rk, &out, BPF_ANY);
			dp_count(snat_addr == ctx->t.saddr ? DP_CT_PORT_REMAP
				 : be->addr == ctx->t.saddr ? DP_NAT_HAIRPIN : DP_NAT_SNAT);
		} else {
			dp_ct_create(&ck, &ctx->t, be, backend_id, svc->rev_nat_index, ctx->seen, ctx->now);
		}
		dp_count(DP_NAT_NEW);
	}

	if (ctx->first_frag)
		dp_frag_record(ctx, be->addr, DP_FRAG_REWRITE_DST);
	{
		__be32 addr = be->addr;
		__be16 port = be->port;

		if (dp_rewrite_addr(ctx->skb, &ctx->p, 0, ctx->t.daddr, addr) < 0 ||
		    dp_rewrite_port(ctx->skb, &ctx->p, 0, ctx->t.dport, port) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		ctx->t.daddr = addr;
		ctx->t.dport = port;
	}
	ctx->translated = 1;
	ctx->lb_flow = 1;
	if (snat) {
		__be32 client = ctx->t.saddr;

		if (dp_rewrite_addr(ctx->skb, &ctx->p, 1, ctx->t.saddr, snat_addr) < 0 ||
		    dp_rewrite_port(ctx->skb, &ctx->p, 1, ctx->t.sport, snat_port) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		ctx->t.saddr = snat_addr;
		ctx->t.sport = snat_port;
		/* a remap keeps the pod's address: forwarded as any packet of the pod's, after policy */
		if (snat_addr == client)
			return DP_CONTINUE;
		/* a node address as source (past the forwarding path's martian check), or a hairpin
		 * packet back out of the device it came from */
		return dp_redirect_fib(ctx);
	}
	return DP_CONTINUE;
}

#endif
