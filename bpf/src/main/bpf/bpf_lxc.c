/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Programs for a pod's host-side veth, attached by Datapath.attachPod:
 *  - from_pod: TC ingress (what the pod sends): reverse NAT of replies from local
 *    backends, Service DNAT of the pod's own connections, source address check;
 *  - to_pod:   TC egress (what the pod receives): reverse NAT of replies that reached
 *    the node without passing a from_pod program (backends behind a host device).
 * Per-pod facts (the pod address behind the veth) live in dp_endpoints keyed by ifindex:
 * attaching to a new pod loads no new code.
 */
#include "lib/lb.h"

SEC("tc")
int from_pod(struct __sk_buff *skb)
{
	return dp_lb_process(skb, DP_FROM_POD);
}

SEC("tc")
int to_pod(struct __sk_buff *skb)
{
	return dp_lb_process(skb, DP_TO_POD);
}

char _license[] SEC("license") = "Dual BSD/GPL";
