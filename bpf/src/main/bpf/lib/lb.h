/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Service load balancing: DNAT of new and established flows to a backend, reverse NAT
 * of replies, IPv4 fragments, and the reject of services without backends.
 *
 * Order per packet (dp_lb_process):
 *  1. parse Ethernet/IPv4/L4; non-IPv4 and non-TCP/UDP pass untouched, truncated or
 *     invalid IPv4/TCP/UDP headers are dropped (the kernel would drop them too, this
 *     names the reason);
 *  2. reply of a translated flow (CT_REPLY entry): source rewritten to the service
 *     address via the rev-NAT index kept in the entry;
 *  3. frontend lookup (master slot 0): none -> pass untouched;
 *  4. established flow (CT_EGRESS entry) whose backend still exists -> same backend;
 *     backend removed -> TCP gets a RST (the flow ends cleanly), UDP picks a new one;
 *  5. new flow: no backends -> TCP RST / UDP ICMP port unreachable; else a backend by Maglev table or at
 *     random, two conntrack entries, DNAT.
 * Non-first fragments carry no ports; they follow the rewrite their first fragment
 * recorded in dp_frag4, or pass untouched.
 */
#ifndef DP_LB_H
#define DP_LB_H

#include "maps.h"
#include "metrics.h"
#include "nat.h"
#include "conntrack.h"
#include "reject.h"

struct dp_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

static __always_inline int dp_drop(enum dp_reason r)
{
	dp_count(r);
	return TC_ACT_SHOT;
}

static __always_inline int dp_pass(enum dp_reason r)
{
	dp_count(r);
	return TC_ACT_OK;
}

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

static __always_inline __u32 dp_pick_backend(const struct dp_svc_key *master_key,
					     const struct dp_svc_value *master,
					     const struct dp_tuple *t)
{
	struct dp_svc_key key = *master_key;
	struct dp_svc_value *slot;

	if (master->flags & DP_SVC_F_MAGLEV) {
		__u32 idx = master->rev_nat_index;
		struct dp_maglev *table = bpf_map_lookup_elem(&dp_maglev4, &idx);

		if (table) {
			__u32 pos = dp_flow_hash(t) % DP_MAGLEV_M;

			/* clang proves pos < M, the verifier cannot: re-check opaquely. */
			asm volatile("" : "+r"(pos));
			if (pos >= DP_MAGLEV_M)
				return 0;
			return table->backend_ids[pos];
		}
		/* no table yet: fall back to random */
	}
	key.slot = (bpf_get_prandom_u32() % master->count) + 1;
	slot = bpf_map_lookup_elem(&dp_svc4, &key);
	return slot ? slot->backend_id : 0;
}

/* Records a new flow: the client's direction (key ck, CT_EGRESS) and the backend's reply. */
static __always_inline void dp_ct_create(const struct dp_ct_key *ck, const struct dp_tuple *t,
					 const struct dp_backend *be, __u32 backend_id,
					 __u16 rev_nat_index, __u8 seen, __u32 now)
{
	struct dp_ct_entry e = {};
	struct dp_ct_key rk = {};

	e.backend_id = backend_id;
	e.rev_nat_index = rev_nat_index;
	e.created = now;
	e.seen = seen;
	e.expires = now + dp_ct_lifetime(t->proto, seen);
	bpf_map_update_elem(&dp_ct4, ck, &e, BPF_ANY);
	rk.saddr = be->addr;
	rk.daddr = t->saddr;
	rk.sport = be->port;
	rk.dport = t->sport;
	rk.proto = t->proto;
	rk.dir = DP_CT_REPLY;
	bpf_map_update_elem(&dp_ct4, &rk, &e, BPF_ANY);
}

static __always_inline void dp_frag_record(const struct dp_pkt *p, const struct iphdr *ip,
					   __be32 new_addr, __u8 rewrite)
{
	struct dp_frag_key fk = {};
	struct dp_frag_value fv = {};

	fk.saddr = ip->saddr;
	fk.daddr = ip->daddr;
	fk.id = ip->id;
	fk.proto = ip->protocol;
	fv.new_addr = new_addr;
	fv.rewrite = rewrite;
	bpf_map_update_elem(&dp_frag4, &fk, &fv, BPF_ANY);
}

static __always_inline int dp_lb_process(struct __sk_buff *skb, enum dp_where where)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *tcp = 0;
	struct dp_pkt p = {};
	struct dp_tuple t = {};
	struct dp_ct_key ck = {};
	struct dp_ct_entry *ct;
	struct dp_svc_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend *be;
	__u32 now, backend_id, ihl_bytes;
	__u16 frag;
	__u8 seen = 0, first_frag = 0;

	if ((void *)(eth + 1) > data_end)
		return dp_pass(DP_PASS_NON_IPV4);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return dp_pass(DP_PASS_NON_IPV4);
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return dp_drop(DP_DROP_MALFORMED);
	ihl_bytes = ip->ihl * 4;
	if (ip->version != 4 || ihl_bytes < sizeof(*ip) ||
	    bpf_ntohs(ip->tot_len) < ihl_bytes)
		return dp_drop(DP_DROP_MALFORMED);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return dp_pass(DP_PASS_OTHER_L4);

	if (where == DP_FROM_POD) {
		__u32 ifindex = skb->ingress_ifindex;
		struct dp_endpoint *ep = bpf_map_lookup_elem(&dp_endpoints, &ifindex);

		if (ep && ep->pod_addr != ip->saddr)
			return dp_drop(DP_DROP_SPOOFED);
	}

	p.ip_off = sizeof(*eth);
	p.proto = ip->protocol;
	frag = bpf_ntohs(ip->frag_off);
	if (frag & DP_IP_OFFSET) {
		/* Non-first fragment: follow the first fragment's rewrite, if any. */
		struct dp_frag_key fk = {};
		struct dp_frag_value *fv;
		__be32 old;

		fk.saddr = ip->saddr;
		fk.daddr = ip->daddr;
		fk.id = ip->id;
		fk.proto = ip->protocol;
		fv = bpf_map_lookup_elem(&dp_frag4, &fk);
		if (!fv)
			return dp_pass(DP_PASS_FRAGMENT);
		old = fv->rewrite == DP_FRAG_REWRITE_SRC ? ip->saddr : ip->daddr;
		if (dp_rewrite_addr(skb, &p, fv->rewrite == DP_FRAG_REWRITE_SRC, old, fv->new_addr) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
		return dp_pass(DP_NAT_FRAGMENT);
	}
	first_frag = (frag & DP_IP_MF) != 0;

	p.l4_off = sizeof(*eth) + ihl_bytes;
	if (p.l4_off > 60 + sizeof(*eth))
		return dp_drop(DP_DROP_MALFORMED);
	t.saddr = ip->saddr;
	t.daddr = ip->daddr;
	t.proto = ip->protocol;
	if (ip->protocol == IPPROTO_TCP) {
		tcp = data + p.l4_off;
		if ((void *)(tcp + 1) > data_end || tcp->doff < 5)
			return dp_drop(DP_DROP_MALFORMED);
		t.sport = tcp->source;
		t.dport = tcp->dest;
		p.csum_off = p.l4_off + offsetof(struct tcphdr, check);
		seen = dp_tcp_seen(tcp);
	} else {
		struct udphdr *udp = data + p.l4_off;

		if ((void *)(udp + 1) > data_end)
			return dp_drop(DP_DROP_MALFORMED);
		t.sport = udp->source;
		t.dport = udp->dest;
		p.csum_off = p.l4_off + offsetof(struct udphdr, check);
		p.udp_csum_zero = udp->check == 0;
	}
	now = dp_now();

	/* 2. reply of a translated flow */
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

		if (rn) {
			dp_ct_touch(ct, t.proto, seen, now);
			if (first_frag)
				dp_frag_record(&p, ip, rn->addr, DP_FRAG_REWRITE_SRC);
			if (dp_rewrite_addr(skb, &p, 1, t.saddr, rn->addr) < 0 ||
			    dp_rewrite_port(skb, &p, 1, t.sport, rn->port) < 0)
				return dp_drop(DP_DROP_NAT_FAILED);
			return dp_pass(DP_NAT_REVERSE);
		}
	}
	if (where == DP_TO_POD)
		return dp_pass(DP_PASS_NO_SERVICE);

	/* 3. frontend */
	sk.addr = t.daddr;
	sk.port = t.dport;
	sk.proto = t.proto;
	svc = bpf_map_lookup_elem(&dp_svc4, &sk);
	if (!svc)
		return dp_pass(DP_PASS_NO_SERVICE);
	if (where == DP_FROM_HOST && !(svc->flags & DP_SVC_F_EXTERNAL))
		return dp_pass(DP_PASS_NO_SERVICE);

	/* 4. established flow */
	ck.dir = DP_CT_EGRESS;
	ct = dp_ct_lookup(&ck, now);
	backend_id = 0;
	be = 0;
	if (ct) {
		backend_id = ct->backend_id;
		be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
		if (be) {
			dp_ct_touch(ct, t.proto, seen, now);
			dp_count(DP_NAT_CT_HIT);
		} else if (t.proto == IPPROTO_TCP && !(seen & DP_CT_SEEN_SYN)) {
			bpf_map_delete_elem(&dp_ct4, &ck);
			dp_count(DP_REJECT_BACKEND_GONE);
			return dp_reply_rst(skb);
		}
	}

	/* 5. new flow */
	if (!be) {
		if (svc->count == 0) {
			dp_count(DP_REJECT_NO_BACKEND);
			if (t.proto == IPPROTO_TCP)
				return dp_reply_rst(skb);
			return dp_reply_icmp_port_unreach(skb);
		}
		backend_id = dp_pick_backend(&sk, svc, &t);
		be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
		if (!be)
			return dp_drop(DP_DROP_NO_BACKEND);
		dp_ct_create(&ck, &t, be, backend_id, svc->rev_nat_index, seen, now);
		dp_count(DP_NAT_NEW);
	}

	if (first_frag)
		dp_frag_record(&p, ip, be->addr, DP_FRAG_REWRITE_DST);
	{
		__be32 addr = be->addr;
		__be16 port = be->port;

		if (dp_rewrite_addr(skb, &p, 0, t.daddr, addr) < 0 ||
		    dp_rewrite_port(skb, &p, 0, t.dport, port) < 0)
			return dp_drop(DP_DROP_NAT_FAILED);
	}
	return TC_ACT_OK;
}

#endif
