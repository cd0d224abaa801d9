/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Programs for a pod's host-side veth, attached by Datapath.attachPod:
 *  - from_pod (pod egress; TC ingress of the veth: what the pod sends):
 *      parse -> source check -> fragments -> reverse NAT (replies of local backends)
 *            -> ICMP errors about requests back to the client (a local backend's own) -> ICMP
 *            errors the pod sends about a Service flow's reply (its port unreachable about a
 *            ClusterIP's answer) on to the backend -> service DNAT -> conntrack lookup of untranslated flows -> egress policy
 *            (lib/policy.h: the destination after DNAT, a Service's backend) -> conntrack
 *            entry for a new flow the policy let out -> source port remap of a flow whose
 *            tuple a Service flow holds on the wire (lib/remap.h) -> finish
 *  - to_pod (pod ingress; TC egress of the veth: what the pod receives, after any DNAT):
 *      parse -> fragments -> reverse NAT (replies that reached the node without passing a
 *            from_pod program: backends behind a host device) -> the pod's own port back on
 *            a reply of a remapped flow (lib/remap.h) -> conntrack lookup of
 *            untranslated flows -> ingress policy (lib/policy.h) -> conntrack entry for a
 *            new flow the policy let in -> finish
 *  - IPv6: from_pod first checks the source of every IPv6 packet (lib/endpoint.h: the pod's
 *    IPv6 address from dp_endpoints6, link-local neighbour discovery aside). TCP and UDP
 *    (dp_parse6, behind extension headers too): non-first fragments follow their first fragment
 *    (dp_stage_fragments6, lib/lb6.h) in both programs; from_pod runs reverse NAT and service DNAT of lib/lb6.h
 *    (hairpin included: a pod's flow to itself through its Service is SNATed to the frontend),
 *    to_pod its reverse NAT, both the reverse translation of ICMPv6 errors about requests, from_pod
 *    also those the pod sends about a reply on to the backend (lib/icmp6.h), and both conntrack
 *    of the flows nothing translated (lib/track6.h, dp_ct6 DP_CT_PLAIN entries: TCP, UDP, ICMPv6
 *    echo and every other protocol) around IPv6 policy (lib/policy.h: egress on from_pod,
 *    ingress on to_pod, dp_ipcache6 and the shared dp_policy4); neighbor discovery passes
 *    untouched. The IPv4 remap stage has no IPv6 counterpart.
 * Per-pod facts (the pod address behind the veth, its policy flag) live in dp_endpoints (its IPv6
 * address in dp_endpoints6) keyed by ifindex:
 * attaching to a new pod loads no new code.
 */
#include "lib/lb.h"
#include "lib/lb6.h"
#include "lib/icmp6.h"
#include "lib/endpoint.h"
#include "lib/track.h"
#include "lib/track6.h"
#include "lib/policy.h"

SEC("tc")
int from_pod(struct __sk_buff *skb)
{
	struct dp_ctx ctx = {};

	DP_STAGE(dp_stage_source_check6(skb));
	DP_STAGE(dp_parse(skb, DP_FROM_POD, &ctx));
	if (ctx.v6) {
		/* IPv6 TCP/UDP (lib/lb6.h): reverse NAT of local backends' replies, then service DNAT;
		 * ICMPv6 errors about translated flows (lib/icmp6.h); conntrack of the rest (lib/track6.h)
		 * around egress policy (lib/policy.h) */
		DP_STAGE(dp_stage_fragments6(&ctx));
		DP_STAGE(dp_stage_icmp6_revnat(&ctx));
		DP_STAGE(dp_stage_icmp6_to_backend(&ctx));
		DP_STAGE(dp_stage_revnat6(&ctx));
		DP_STAGE(dp_stage_lb6(&ctx, 0));
		DP_STAGE(dp_track6_lookup(&ctx, 0));
		DP_STAGE(dp_stage_policy6_egress(&ctx));
		DP_STAGE(dp_track6_create(&ctx, 0));
		return dp_finish(&ctx);
	}
	DP_STAGE(dp_stage_source_check(&ctx));
	DP_STAGE(dp_stage_fragments(&ctx));
	DP_STAGE(dp_stage_revnat(&ctx));
	DP_STAGE(dp_stage_icmp_revnat(&ctx));
	DP_STAGE(dp_stage_icmp_to_backend(&ctx));
	DP_STAGE(dp_stage_lb(&ctx, 0));
	DP_STAGE(dp_track_lookup(&ctx, 0));
	DP_STAGE(dp_stage_policy_egress(&ctx));
	DP_STAGE(dp_track_create(&ctx, 0));
	DP_STAGE(dp_stage_remap_out(&ctx));
	return dp_finish(&ctx);
}

SEC("tc")
int to_pod(struct __sk_buff *skb)
{
	struct dp_ctx ctx = {};

	DP_STAGE(dp_parse(skb, DP_TO_POD, &ctx));
	if (ctx.v6) {
		/* IPv6 TCP/UDP (lib/lb6.h): reverse NAT of replies from backends behind a host device;
		 * ICMPv6 errors about translated flows (lib/icmp6.h); conntrack of the rest (lib/track6.h)
		 * around ingress policy (lib/policy.h) */
		DP_STAGE(dp_stage_fragments6(&ctx));
		DP_STAGE(dp_stage_icmp6_revnat(&ctx));
		DP_STAGE(dp_stage_revnat6(&ctx));
		DP_STAGE(dp_track6_lookup(&ctx, 1));
		DP_STAGE(dp_stage_policy6_ingress(&ctx));
		DP_STAGE(dp_track6_create(&ctx, 1));
		return dp_finish(&ctx);
	}
	DP_STAGE(dp_stage_fragments(&ctx));
	DP_STAGE(dp_stage_revnat(&ctx));
	DP_STAGE(dp_stage_icmp_revnat(&ctx));
	DP_STAGE(dp_stage_nat_icmp_error(&ctx, DP_CT_REMAP_IN));
	DP_STAGE(dp_stage_remap_in(&ctx));
	DP_STAGE(dp_track_lookup(&ctx, 1));
	DP_STAGE(dp_stage_policy_ingress(&ctx));
	DP_STAGE(dp_track_create(&ctx, 1));
	return dp_finish(&ctx);
}

char _license[] SEC("license") = "Dual BSD/GPL";
