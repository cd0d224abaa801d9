/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connection tracking for translated flows. An entry lives until its `expires` time
 * (CLOCK_MONOTONIC seconds): TCP entries get the SYN timeout until the handshake goes on,
 * then the established timeout, and the closing timeout once a FIN or RST was seen; UDP
 * entries get the UDP idle timeout, refreshed by every packet. An expired entry is treated
 * as absent here; the LRU map evicts under pressure and the agent's CtGarbageCollector
 * deletes expired entries periodically.
 */
#ifndef DP_CONNTRACK_H
#define DP_CONNTRACK_H

#include "maps.h"

#define DP_DEFAULT_TCP_SYN_TIMEOUT 60
#define DP_DEFAULT_TCP_ESTABLISHED_TIMEOUT 21600
#define DP_DEFAULT_TCP_CLOSING_TIMEOUT 10
#define DP_DEFAULT_UDP_TIMEOUT 60

static __always_inline __u32 dp_now(void)
{
	return (__u32)(bpf_ktime_get_ns() / 1000000000ULL);
}

static __always_inline __u32 dp_cfg_or(__u32 v, __u32 dflt)
{
	return v ? v : dflt;
}

/* TCP flags of this packet as DP_CT_SEEN_* bits; 0 for UDP. */
static __always_inline __u8 dp_tcp_seen(const struct tcphdr *tcp)
{
	__u8 s = 0;

	if (!tcp)
		return 0;
	if (tcp->syn)
		s |= DP_CT_SEEN_SYN;
	if (!tcp->syn)
		s |= DP_CT_SEEN_ACK;
	if (tcp->fin)
		s |= DP_CT_SEEN_FIN;
	if (tcp->rst)
		s |= DP_CT_SEEN_RST;
	return s;
}

static __always_inline __u32 dp_ct_lifetime(__u8 proto, __u8 seen)
{
	__u32 zero = 0;
	struct dp_config *cfg = bpf_map_lookup_elem(&dp_config, &zero);
	__u32 syn = DP_DEFAULT_TCP_SYN_TIMEOUT, est = DP_DEFAULT_TCP_ESTABLISHED_TIMEOUT;
	__u32 closing = DP_DEFAULT_TCP_CLOSING_TIMEOUT, udp = DP_DEFAULT_UDP_TIMEOUT;

	if (cfg) {
		syn = dp_cfg_or(cfg->tcp_syn_timeout, syn);
		est = dp_cfg_or(cfg->tcp_established_timeout, est);
		closing = dp_cfg_or(cfg->tcp_closing_timeout, closing);
		udp = dp_cfg_or(cfg->udp_timeout, udp);
	}
	if (proto != IPPROTO_TCP)
		return udp;
	if (seen & (DP_CT_SEEN_FIN | DP_CT_SEEN_RST))
		return closing;
	if (seen & DP_CT_SEEN_ACK)
		return est;
	return syn;
}

/* The client's half of a translated flow (CT_EGRESS): client -> the frontend of rev-NAT entry rn. */
static __always_inline void dp_ct_client_key(struct dp_ct_key *k, __be32 client, __be16 client_port,
					     const struct dp_revnat *rn, __u8 proto)
{
	k->saddr = client;
	k->daddr = rn->addr;
	k->sport = client_port;
	k->dport = rn->port;
	k->proto = proto;
	k->dir = DP_CT_EGRESS;
}

/* Looks up a live entry; expired entries count as absent. */
static __always_inline struct dp_ct_entry *dp_ct_lookup(const struct dp_ct_key *key, __u32 now)
{
	struct dp_ct_entry *e = bpf_map_lookup_elem(&dp_ct4, key);

	if (e && e->expires < now)
		return 0;
	return e;
}

/* Looks up a live IPv6 conntrack entry (dp_ct6, lib/lb6.h); expired entries count as absent. */
static __always_inline struct dp_ct_entry *dp_ct6_lookup(const struct dp_ct6_key *key, __u32 now)
{
	struct dp_ct_entry *e = bpf_map_lookup_elem(&dp_ct6, key);

	if (e && e->expires < now)
		return 0;
	return e;
}

/* Records this packet's flags on the entry and extends its life accordingly. */
static __always_inline void dp_ct_touch(struct dp_ct_entry *e, __u8 proto, __u8 seen, __u32 now)
{
	__u8 all = e->seen | seen;

	if (all != e->seen)
		e->seen = all;
	e->expires = now + dp_ct_lifetime(proto, all);
}

#endif
