/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-CPU counters, one per named outcome. Every drop and every pass-through has a reason;
 * io.gannet.bpf.maps.Reason mirrors this enum (same order) and Datapath.metrics() sums it.
 */
#ifndef DP_METRICS_H
#define DP_METRICS_H

#include "common.h"

enum dp_reason {
	DP_PASS_NON_IPV4 = 0,     /* ARP, ICMPv6 but errors, IPv6 with extension headers or fragments...: not ours */
	DP_PASS_NO_SERVICE,       /* IPv4, or IPv6 TCP/UDP, to no frontend: untouched */
	DP_PASS_OTHER_L4,         /* host devices: ICMP and other protocols nothing translates */
	DP_PASS_FRAGMENT,         /* non-first fragment of an untranslated flow */
	DP_NAT_NEW,               /* new flow: backend picked, DNAT */
	DP_NAT_CT_HIT,            /* established flow: DNAT to its backend */
	DP_NAT_REVERSE,           /* reply: source rewritten back to the service */
	DP_NAT_FRAGMENT,          /* non-first fragment following its first fragment */
	DP_REJECT_NO_BACKEND,     /* service without backends: TCP RST / ICMP port unreachable sent back */
	DP_REJECT_BACKEND_GONE,   /* TCP flow whose backend was removed: RST sent back */
	DP_DROP_NO_BACKEND,       /* the picked backend ID has no backend entry (mid-update) */
	DP_DROP_MALFORMED,        /* truncated or invalid IPv4/L4 header */
	DP_DROP_SPOOFED,          /* a pod sent from an address that is not its own */
	DP_DROP_NAT_FAILED,       /* a packet rewrite helper failed */
	DP_NAT_AFFINITY,          /* new flow sent to the client's previous backend (sessionAffinity ClientIP) */
	DP_CT_NEW_PLAIN,          /* conntrack entry created for a flow no service translated */
	DP_NAT_ICMP_ERROR,        /* ICMP error about a translated flow: quoted packet reverse-translated */
	DP_NAT_SNAT,              /* new flow from outside to a node port, externalIP or load-balancer IP SNATed to a node address (externalTrafficPolicy Cluster) */
	DP_REDIRECT_FIB,          /* a packet leaving from a node address sent on by FIB lookup + redirect */
	DP_DROP_NO_ROUTE,         /* such a packet had no route (FIB lookup failed) */
	DP_DROP_SNAT_PORTS,       /* no free SNAT port for a new NodePort, hairpin or remapped flow */
	DP_DROP_SOURCE_RANGE,     /* a source outside a Service's loadBalancerSourceRanges */
	DP_NAT_HAIRPIN,           /* new flow of a pod to itself through its service: SNATed to the service address */
	DP_REJECT_SERVICE_GONE,   /* TCP flow of a deleted Service: RST sent back */
	DP_DROP_SERVICE_GONE,     /* UDP flow of a deleted Service: dropped until its conntrack entry expires */
	DP_NAT_MASQ,              /* new pod flow to outside the cluster masqueraded to the node's address */
	DP_NAT_MASQ_REPLY,        /* reply of a masqueraded flow translated back to the pod */
	DP_DROP_MASQ_PORTS,       /* no free port for a new masqueraded flow after the bounded tries (lib/masq.h) */
	DP_CT_PORT_REMAP,         /* a pod's new flow whose tuple on the wire another live flow held left with another source port (lib/remap.h, lib/lb.h) */
	DP_NAT_SOCKET,            /* a node process's connect/sendmsg to a frontend sent to a backend instead (bpf_sock.c) */
	DP_REJECT_SOCKET_NO_BACKEND, /* ... to a frontend without backends: the call refused (ECONNREFUSED) */
	DP_DROP_TTL_EXCEEDED,     /* a packet to send on by FIB redirect arrived with TTL 1 (RFC 1812 5.3.1) */
	DP_DROP_NO_BACKEND_IPV6,  /* no longer counted (an IPv6 frontend without backends is rejected now, lib/reject6.h); kept for the order */
	DP_DROP_POLICY_IPV6,      /* no longer counted: IPv6 is judged by policy (lib/policy.h, dp_policy_metrics);
	                           * kept so the reasons after it keep their index */
	DP_DROP_NO_SNAT_SOURCE,   /* a frontend to SNAT (not a node port) has no node address in dp_snat4_src / dp_snat6_src (mid-update) */
	DP_REASON_MAX,
};

/* Sized above today's reasons, so adding one does not change a pinned map's definition. */
#define DP_METRICS_MAX 64
DP_STATIC_ASSERT(DP_REASON_MAX <= DP_METRICS_MAX, "dp_metrics too small");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_METRICS_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_metrics SEC(".maps");

static __always_inline void dp_count(enum dp_reason reason)
{
	__u32 key = reason;
	__u64 *v = bpf_map_lookup_elem(&dp_metrics, &key);

	if (v)
		*v += 1;
}

#endif
