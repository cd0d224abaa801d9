/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Programs for a host (uplink) device, attached by Datapath.attachHost:
 *  - from_host (host ingress; TC ingress): DNAT of traffic from outside the node to
 *    external frontends (externalIPs, load-balancer ingress IPs, node ports, L4LB VIPs), and
 *    reverse NAT of replies from remote backends:
 *      parse -> fragments -> masquerade reply and ICMP errors (lib/masq.h) -> reverse NAT -> ICMP
 *      errors about requests back to the client (SNATed ones too) -> ICMP errors about external
 *      frontends' replies on to the backend -> service DNAT (external frontends only; SNAT to a
 *      node address for externalTrafficPolicy Cluster) -> finish
 *  - to_host (host egress; TC egress): reverse NAT of replies that leave the node without
 *    passing a pod program (a backend in the host's own network namespace), and ICMP errors the
 *    node itself sends about a Service's answer after its reverse NAT (fragmentation needed
 *    forwarding it into a pod's smaller veth, routed as the node routes the ClusterIP) on to the
 *    backend:
 *      parse -> fragments -> reverse NAT -> ICMP errors about requests back to the client -> ICMP
 *      errors about replies on to the backend -> masquerade of pod traffic leaving the node
 *      (lib/masq.h, when the device has a dp_masq4 entry) -> finish
 * ClusterIPs are not translated on host devices: they are reachable from pods only. Node
 * ports, externalIPs and load-balancer IPs are, with externalTrafficPolicy as kube-proxy applies
 * it (lib/nodeport.h): Cluster SNATs to a node address (a node port's own, an externalIP's or
 * load-balancer IP's from dp_snat4_src), so a backend on another node replies through this
 * node, and whatever leaves from a node address is sent on by FIB redirect; Local keeps the
 * client's address.
 * IPv6 TCP and UDP (dp_parse6) run the IPv6 stages of lib/lb6.h instead: from_host reverse NAT
 * and DNAT of external frontends (SNAT to a node IPv6 address for externalTrafficPolicy Cluster,
 * lib/nodeport6.h), to_host reverse NAT, both ICMPv6 errors about translated flows back to the
 * client (SNATed requests too) and those about replies on to the backend (lib/icmp6.h);
 * non-first fragments follow their first fragment (dp_stage_fragments6). IPv6 masquerade (lib/masq6.h,
 * when the device has a dp_masq6 entry): from_host translates replies and ICMPv6 errors about
 * masqueraded flows back to the pod first, to_host masquerades last; ICMPv6 echo (parsed on host
 * devices only) runs the masquerade stages alone.
 */
#include "lib/lb.h"
#include "lib/lb6.h"
#include "lib/icmp6.h"
#include "lib/masq.h"
#include "lib/masq6.h"

SEC("tc")
int from_host(struct __sk_buff *skb)
{
	struct dp_ctx ctx = {};

	DP_STAGE(dp_parse(skb, DP_FROM_HOST, &ctx));
	if (ctx.v6) {
		DP_STAGE(dp_stage_fragments6(&ctx));
		DP_STAGE(dp_stage_masq6_reply(&ctx));
		DP_STAGE(dp_stage_masq6_icmp_error(&ctx));
		if (ctx.icmp_echo)
			return dp_finish(&ctx);
		DP_STAGE(dp_stage_icmp6_revnat(&ctx));
		DP_STAGE(dp_stage_icmp6_to_backend(&ctx));
		DP_STAGE(dp_stage_revnat6(&ctx));
		DP_STAGE(dp_stage_lb6(&ctx, 1));
		return dp_finish(&ctx);
	}
	DP_STAGE(dp_stage_fragments(&ctx));
	DP_STAGE(dp_stage_masq_reply(&ctx));
	DP_STAGE(dp_stage_nat_icmp_error(&ctx, DP_CT_MASQ_IN));
	DP_STAGE(dp_stage_masq_icmp_echo_error(&ctx));
	DP_STAGE(dp_stage_revnat(&ctx));
	DP_STAGE(dp_stage_icmp_revnat(&ctx));
	DP_STAGE(dp_stage_icmp_to_backend(&ctx));
	DP_STAGE(dp_stage_lb(&ctx, 1));
	return dp_finish(&ctx);
}

SEC("tc")
int to_host(struct __sk_buff *skb)
{
	struct dp_ctx ctx = {};

	DP_STAGE(dp_parse(skb, DP_TO_HOST, &ctx));
	if (ctx.v6) {
		if (!ctx.icmp_echo) {
			DP_STAGE(dp_stage_fragments6(&ctx));
			DP_STAGE(dp_stage_icmp6_revnat(&ctx));
			DP_STAGE(dp_stage_icmp6_to_backend(&ctx));
			DP_STAGE(dp_stage_revnat6(&ctx));
		}
		DP_STAGE(dp_stage_masq6(&ctx));
		return dp_finish(&ctx);
	}
	DP_STAGE(dp_stage_fragments(&ctx));
	DP_STAGE(dp_stage_revnat(&ctx));
	DP_STAGE(dp_stage_icmp_revnat(&ctx));
	DP_STAGE(dp_stage_icmp_to_backend(&ctx));
	DP_STAGE(dp_stage_masq(&ctx));
	return dp_finish(&ctx);
}

char _license[] SEC("license") = "Dual BSD/GPL";
