/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Address and port rewrites with incremental checksum updates. bpf_l3_csum_replace fixes
 * the IPv4 header checksum; bpf_l4_csum_replace with BPF_F_PSEUDO_HDR fixes the TCP/UDP
 * checksum for the pseudo-header address change (it also does the right thing for
 * CHECKSUM_PARTIAL skbs from veths, where only the pseudo-header sum is in the packet).
 * A UDP checksum of zero means "none" and stays zero (BPF_F_MARK_MANGLED_0).
 */
#ifndef DP_NAT_H
#define DP_NAT_H

#include <stddef.h>
#include "common.h"

/* Offsets of a parsed IPv4 packet; l4_off is 0 for non-first fragments. */
struct dp_pkt {
	__u32 ip_off;
	__u32 l4_off;
	__u32 csum_off;    /* absolute offset of the L4 checksum, 0 if none */
	__u8 proto;
	__u8 udp_csum_zero;
};

static __always_inline __u64 dp_l4_flags(const struct dp_pkt *p, __u64 size)
{
	__u64 f = size;

	if (p->proto == IPPROTO_UDP)
		f |= BPF_F_MARK_MANGLED_0;
	return f;
}

/* Rewrites the source (is_src) or destination IPv4 address. Returns <0 on helper failure. */
static __always_inline int dp_rewrite_addr(struct __sk_buff *skb, const struct dp_pkt *p,
					   int is_src, __be32 old_addr, __be32 new_addr)
{
	__u32 off = p->ip_off + (is_src ? offsetof(struct iphdr, saddr) : offsetof(struct iphdr, daddr));
	int ret;

	if (old_addr == new_addr)
		return 0;
	if (p->csum_off && !p->udp_csum_zero) {
		ret = bpf_l4_csum_replace(skb, p->csum_off, old_addr, new_addr,
					  dp_l4_flags(p, 4) | BPF_F_PSEUDO_HDR);
		if (ret < 0)
			return ret;
	}
	ret = bpf_l3_csum_replace(skb, p->ip_off + offsetof(struct iphdr, check), old_addr, new_addr, 4);
	if (ret < 0)
		return ret;
	return bpf_skb_store_bytes(skb, off, &new_addr, 4, 0);
}

/* Rewrites the source or destination port (TCP and UDP keep both at the same offsets). */
static __always_inline int dp_rewrite_port(struct __sk_buff *skb, const struct dp_pkt *p,
					   int is_src, __be16 old_port, __be16 new_port)
{
	__u32 off = p->l4_off + (is_src ? 0 : 2);
	int ret;

	if (old_port == new_port || !p->l4_off)
		return 0;
	if (p->csum_off && !p->udp_csum_zero) {
		ret = bpf_l4_csum_replace(skb, p->csum_off, old_port, new_port, dp_l4_flags(p, 2));
		if (ret < 0)
			return ret;
	}
	return bpf_skb_store_bytes(skb, off, &new_port, 2, 0);
}

#endif
