/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Program for a host (uplink) device, attached by Datapath.attachHost at TC ingress:
 * DNAT of traffic from outside the node to externalIP frontends, and reverse NAT of
 * replies from this node's backends to remote clients. ClusterIPs are not translated
 * here: they are reachable from pods only.
 */
#include "lib/lb.h"

SEC("tc")
int from_host(struct __sk_buff *skb)
{
	return dp_lb_process(skb, DP_FROM_HOST);
}

char _license[] SEC("license") = "Dual BSD/GPL";
