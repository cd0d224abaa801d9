/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Common definitions for every Gannet datapath object: packet layout constants, the
 * verdicts a TC program returns, and the compile-time checks that keep the shared structs
 * at the sizes the Java mirrors (io.gannet.bpf.maps) state.
 *
 * IPv4 is translated on every attach point (lib/lb.h); IPv6 TCP and UDP on pod and host devices
 * (lib/lb6.h); everything else passes untouched.
 */
#ifndef DP_COMMON_H
#define DP_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* RFC 792 ICMP header (linux/icmp.h drags in libc headers that a BPF target lacks). */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

#define DP_IP_MF 0x2000
#define DP_IP_OFFSET 0x1fff

/* Where a program runs; decides which frontends it may translate. */
enum dp_where {
	DP_FROM_POD = 0,  /* ingress of a pod's host-side veth: traffic the pod sends */
	DP_TO_POD = 1,    /* egress of a pod's host-side veth: traffic towards the pod */
	DP_FROM_HOST = 2, /* ingress of a host device: traffic from outside the node */
	DP_TO_HOST = 3,   /* egress of a host device: traffic leaving the node */
};

/* Composes a program from stages (lib/parse.h): a stage's verdict other than DP_CONTINUE ends it. */
#define DP_STAGE(call)                       \
	do {                                 \
		int __v = (call);            \
		if (__v != DP_CONTINUE)      \
			return __v;          \
	} while (0)

#define DP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif
