/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every map of the datapath, the single source of their names, key/value structs and
 * sizes. Maps are pinned by name (LIBBPF_PIN_BY_NAME) under the pin root the loader passes
 * in bpf_object_open_opts.pin_root_path, so all objects (bpf_lxc.o, bpf_host.o) share one
 * instance and a restarted agent re-adopts them.
 *
 * The Java mirrors live in io.gannet.bpf.maps; BtfLayoutTest compares their sizes and
 * field offsets with the BTF of the compiled objects. Every pad byte is named here so
 * both sides agree on it (and it is always written as zero, keeping hash keys stable).
 *
 * Service layout follows Cilium's bpf/lib/lb.h: a frontend (address, port, protocol) has a
 * master slot 0 holding the backend count, the rev-NAT index and flags; slots 1..count hold
 * backend IDs, and the backend itself (address, port) is one indirection further in
 * dp_backends4, so a backend shared by several services is written once and its ID stays
 * stable while the conntrack entries that reference it live.
 */
#ifndef DP_MAPS_H
#define DP_MAPS_H

#include "common.h"

#define DP_SVC_MAX 262144
#define DP_BACKEND_MAX 262144
#define DP_REVNAT_MAX 65536
#define DP_CT_MAX 262144
#define DP_FRAG_MAX 8192
#define DP_MAGLEV_MAX 1024
#define DP_MAGLEV_M_DEFAULT 65537 /* prime; Maglev table size per service (the Maglev paper's default) */
#define DP_ENDPOINT_MAX 4096
#define DP_AFFINITY_MAX 65536
#define DP_SNAT_MAX DP_CT_MAX
#define DP_SRC_RANGE_MAX 16384
#define DP_SVC6_MAX 262144
#define DP_BACKEND6_MAX 262144

/* Ports a NodePort flow SNATed to the node's address gets (lib/nodeport.h), and a pod flow whose
 * tuple was taken (lib/remap.h): above Linux's default ephemeral range (32768-60999), so the
 * host's and the pods' own connections never collide with them. */
#define DP_SNAT_PORT_MIN 61000
#define DP_SNAT_PORT_MAX 65535
#define DP_IPCACHE_MAX 65536
/* Masquerade (lib/masq.h): devices it runs on, destinations it leaves alone, and how many random
 * ports a new flow tries when its own source port is taken (Cilium tries 32-128). */
#define DP_MASQ_DEV_MAX 64
#define DP_NOMASQ_MAX 4096
#define DP_MASQ_RETRIES 32
#define DP_MASQ_RETRY_BUCKETS 8
#define DP_POLICY_MAX 262144
#define DP_DROP_EVENTS_MAX 8192

/* Flags of a service's master slot. */
#define DP_SVC_F_EXTERNAL 0x01 /* externalIP: also translated on host devices */
#define DP_SVC_F_MAGLEV 0x02   /* pick with the service's Maglev table, not at random */
#define DP_SVC_F_AFFINITY 0x04 /* sessionAffinity ClientIP: the master's backend_id holds the timeout (s) */
#define DP_SVC_F_NODEPORT 0x08 /* a node port: the address is one of this node's (lib/nodeport.h) */
#define DP_SVC_F_SNAT 0x10     /* externalTrafficPolicy Cluster: flows from a host device are SNATed
                                * to a node address (kube-proxy's masquerade): a node port's own,
                                * else the one in dp_snat4_src / dp_snat6_src */
#define DP_SVC_F_SRC_RANGES 0x20 /* loadBalancerSourceRanges: only sources in dp_src_range4 for this
                                  * rev-NAT index reach it from a host device */

struct dp_svc_key {
	__be32 addr;       /* frontend IPv4 address */
	__be16 port;       /* frontend L4 port */
	__u16 slot;        /* 0 = master, 1..count = backend slots */
	__u8 proto;        /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 pad[3];
};

struct dp_svc_value {
	__u32 backend_id;  /* slots >= 1: backend ID in dp_backends4; master: affinity timeout (s) */
	__u16 count;       /* master: number of backend slots */
	__u16 rev_nat_index; /* master: index into dp_revnat4 */
	__u8 flags;        /* master: DP_SVC_F_* */
	__u8 pad[3];
};

struct dp_backend {
	__be32 addr;
	__be16 port;
	__u8 proto;
	__u8 pad;
};

/* Flags of a rev-NAT entry. */
#define DP_REVNAT_F_NODEPORT 0x01 /* the address is this node's: a rev-NATed reply arriving at an
                                   * ingress hook is sent on by FIB lookup + redirect (the stack drops
                                   * a forwarded packet with a local source as martian), and its flow
                                   * may be SNATed (dp_snat4) */

struct dp_revnat {
	__be32 addr;       /* service address the client talked to */
	__be16 port;
	__u8 flags;        /* DP_REVNAT_F_* */
	__u8 pad;
};

/* Conntrack: one entry per direction. CT_EGRESS keys are the client's tuple towards the
 * frontend; CT_REPLY keys are the backend's tuple towards the client. */
#define DP_CT_EGRESS 0
#define DP_CT_REPLY 1
/* A flow no service translated, keyed by its originator's tuple; its replies find it by the
 * reversed tuple (lib/track.h). Policy and SNAT read these. */
#define DP_CT_PLAIN 2
/* A masqueraded pod flow (lib/masq.h): MASQ_OUT is keyed by the pod's tuple (pod -> remote),
 * MASQ_IN by the translated reply's (remote -> node:port); dp_snat4 holds, under the same keys,
 * the node address and port the flow leaves with and the pod address and port replies go to. */
#define DP_CT_MASQ_OUT 3
#define DP_CT_MASQ_IN 4
/* A pod's new flow whose tuple on the wire another live flow holds (lib/remap.h): the pod's
 * kernel may use one source port towards a Service and towards its backend at once, as
 * these are two destinations to it, and DNAT makes them one tuple. The flow that comes second
 * leaves with another source port of DP_SNAT_PORT_MIN..MAX (above the pods' ephemeral range),
 * as Linux's NAT remaps a clashing tuple. An untranslated flow's remap: REMAP_OUT keyed by the
 * pod's tuple, REMAP_IN by the reply's (remote -> pod:new port); dp_snat4 holds, under the same
 * keys, the pod address and the port the flow leaves with, and the port replies go back to.
 * (A Service flow's remap is a SNAT to the pod's own address: CT_EGRESS/CT_REPLY, lib/lb.h.) */
#define DP_CT_REMAP_OUT 5
#define DP_CT_REMAP_IN 6

struct dp_ct_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 dir;          /* DP_CT_EGRESS / DP_CT_REPLY / DP_CT_PLAIN */
	__u16 pad;
};

/* TCP flags seen on a conntrack entry (either direction). */
#define DP_CT_SEEN_SYN 0x01
#define DP_CT_SEEN_ACK 0x02 /* a non-SYN packet: the handshake went on */
#define DP_CT_SEEN_FIN 0x04
#define DP_CT_SEEN_RST 0x08

struct dp_ct_entry {
	__u32 backend_id;
	__u32 expires;     /* CLOCK_MONOTONIC seconds (bpf_ktime_get_ns() / 1e9) */
	__u32 created;     /* CLOCK_MONOTONIC seconds */
	__u16 rev_nat_index;
	__u8 seen;         /* DP_CT_SEEN_* */
	__u8 flags;        /* DP_CT_F_* */
};

/* Flags of a conntrack entry. */
/* The flow is SNATed (a node port reached from outside with externalTrafficPolicy Cluster, or a
 * pod reaching itself through its service: hairpin); dp_snat4 holds both sides' rewrites. */
#define DP_CT_F_SNAT 0x01
#define DP_CT_F_INGRESS_OK 0x02 /* to_pod let this flow in: its later packets pass ingress policy (lib/policy.h) */
#define DP_CT_F_EGRESS_OK 0x04  /* from_pod let this flow out: its later packets pass egress policy (lib/policy.h) */
#define DP_CT_F_REMAPPED 0x08   /* a DP_CT_PLAIN flow that leaves with another source port (DP_CT_REMAP_OUT, lib/remap.h) */

/* Non-first IPv4 fragments carry no ports: the first fragment of a translated flow records
 * the address rewrite here, keyed by the IP identification, so later fragments follow it. */
struct dp_frag_key {
	__be32 saddr;
	__be32 daddr;
	__be16 id;
	__u8 proto;
	__u8 pad;
};

#define DP_FRAG_REWRITE_DST 0
#define DP_FRAG_REWRITE_SRC 1

struct dp_frag_value {
	__be32 new_addr;
	__u8 rewrite;      /* DP_FRAG_REWRITE_* */
	__u8 pad[3];
};

/* IPv6 fragments (RFC 8200 section 4.5): the first fragment of a translated flow records its
 * address rewrites here, keyed by the addresses it arrived with and the fragment header's
 * Identification (unique per source and destination, so no protocol), so later fragments (no
 * L4 header) follow it (dp_stage_fragments6, lib/lb6.h). Both addresses may change (DNAT with SNAT, reverse NAT of
 * a SNATed flow). */
struct dp_frag6_key {
	__be32 saddr[4];
	__be32 daddr[4];
	__be32 id;
};

#define DP_FRAG6_F_SRC 0x01      /* new_saddr replaces the source */
#define DP_FRAG6_F_DST 0x02      /* new_daddr replaces the destination */
#define DP_FRAG6_F_REDIRECT 0x04 /* the first fragment left by FIB redirect (from a node address) */

struct dp_frag6_value {
	__be32 new_saddr[4];
	__be32 new_daddr[4];
	__u8 flags;        /* DP_FRAG6_F_* */
	__u8 pad[3];
};

/* A dp_maglev4 value is dp_maglev_m __u32 backend IDs, the service's Maglev lookup table. */

/* Flags of an endpoint. */
#define DP_EP_F_INGRESS_POLICY 0x01 /* some policy selects the pod for ingress: default deny (lib/policy.h) */
#define DP_EP_F_EGRESS_POLICY 0x02  /* some policy selects the pod for egress: default deny (lib/policy.h) */

struct dp_endpoint {
	__be32 pod_addr;   /* the pod's IPv4 address behind this veth; 0 for an IPv6-only pod */
	__u32 flags;       /* DP_EP_F_* */
};

/* A pod's IPv6 address (dp_endpoints6, keyed like dp_endpoints): the only IPv6 source the pod may
 * send from besides link-local neighbour discovery (lib/endpoint.h); all zero for a pod without an
 * IPv6 address. A map of its own, so dp_endpoints keeps its layout and pin. */
struct dp_endpoint6 {
	__be32 addr[4];
};

/*
 * Ingress policy (lib/policy.h).
 *
 * dp_ipcache4: longest-prefix map from a source address to its security identity (a pod's
 * /32 to the pod's label-set identity, a policy CIDR to its CIDR identity, the node's own
 * addresses to reserved identity host = 1). No match is reserved identity world = 2.
 */
struct dp_ipcache_key {
	__u32 prefixlen;   /* LPM trie: significant bits of addr */
	__be32 addr;
};

struct dp_ipcache_value {
	__u32 identity;
	__u32 pad;
};

/*
 * dp_ipcache6: dp_ipcache4 for IPv6 (lib/policy.h's IPv6 stages): an IPv6 prefix to its security
 * identity (a pod's /128, a policy ipBlock, the node's own addresses = host); no match is world.
 * A map of its own, so dp_ipcache4 keeps its layout and pin. The policy lookup itself is by
 * identity: both families share dp_policy4.
 */
struct dp_ipcache6_key {
	__u32 prefixlen;   /* LPM trie: significant bits of addr (0..128) */
	__be32 addr[4];
};

/*
 * dp_policy4: every policy-enforced endpoint's ingress entries in one longest-prefix map,
 * Cilium's layout with a port prefix so a port range is a few entries: the endpoint and the
 * source identity always match exactly (identity 0 = any source); proto 0 with prefixlen 64
 * = every protocol and port; otherwise prefixlen 80 + the significant bits of dport
 * (80 = every port of proto, 96 = exactly dport). The agent resolves deny precedence inside
 * one (endpoint, identity) before writing (an allow covered by a deny is written as a deny),
 * so the longest match of each of the two lookups (exact identity, any identity) is its answer.
 */
struct dp_policy_key {
	__u32 prefixlen;
	__u32 ep_id;       /* the endpoint: its host-side veth's ifindex (dp_endpoints' key), with
	                    * DP_POLICY_EGRESS_EP set for its egress entries */
	__u32 identity;    /* source security identity; 0 = any */
	__u8 proto;        /* IPPROTO_TCP / IPPROTO_UDP / ...; 0 = any (then no port) */
	__u8 pad;
	__be16 dport;      /* destination port, its top (prefixlen - 80) bits significant */
};

#define DP_POLICY_EGRESS_EP 0x80000000u /* dp_policy_key.ep_id of an egress entry */
#define DP_POLICY_DIR_INGRESS 0
#define DP_POLICY_DIR_EGRESS 1

#define DP_POLICY_ALLOW 0
#define DP_POLICY_DENY 1

struct dp_policy_value {
	__u32 rule_id;     /* the agent's number for the rule that made the entry (counters, drop reports) */
	__u8 verdict;      /* DP_POLICY_ALLOW / DP_POLICY_DENY */
	__u8 pad[3];
	__u64 packets;     /* packets this entry decided (updated by the programs) */
	__u64 bytes;
};

/* A dropped packet, as `gannet monitor --drops` reports it (dp_drop_events, a FIFO the agent drains). */
struct dp_drop_event {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u32 identity;    /* the peer's security identity: the source (ingress) or destination (egress) */
	__u32 ep_id;       /* the endpoint that dropped it */
	__u32 rule_id;     /* the deny entry's rule, 0 for default deny */
	__u32 ktime;       /* CLOCK_MONOTONIC seconds */
	__u8 proto;
	__u8 reason;       /* enum dp_policy_reason */
	__u8 dir;          /* DP_POLICY_DIR_INGRESS / _EGRESS */
	__u8 pad;
};

/* An IPv6 packet lib/policy.h dropped (dp_drop_events6): struct dp_drop_event with IPv6 addresses,
 * in a queue of its own so dp_drop_events keeps its layout. */
struct dp_drop_event6 {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;      /* destination port, or the ICMPv6 type */
	__u32 identity;
	__u32 ep_id;
	__u32 rule_id;
	__u32 ktime;
	__u8 proto;
	__u8 reason;
	__u8 dir;
	__u8 pad;
};

/* sessionAffinity: ClientIP (kube-proxy's "recent" match): a client's new flows to a service
 * go to the backend its last new flow went to, while that was less than the service's
 * timeout ago and the backend still exists. */
struct dp_affinity_key {
	__be32 client;
	__u16 rev_nat_index; /* the service */
	__u16 pad;
};

struct dp_affinity {
	__u32 backend_id;
	__u32 last_used;     /* CLOCK_MONOTONIC seconds of the client's last new flow */
};

/* NodePort SNAT (lib/nodeport.h), keyed like dp_ct4: under the client's CT_EGRESS key, the
 * node address and port the flow leaves with; under the SNATed flow's CT_REPLY key (backend ->
 * node address:port), the client address and port replies are restored to.
 * dp_snat4_src holds the same struct per rev-NAT index of a DP_SVC_F_SNAT frontend that is not
 * a node port (an IPv4 externalIP or load-balancer IP with externalTrafficPolicy Cluster): the
 * node IPv4 address its flows leave with (chosen by the agent), port 0. A node port has no
 * entry: its flows leave from its own address. */
struct dp_nat {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

/* Masquerade on a host device (dp_masq4, keyed by its ifindex): pod sources (the pod pool) leave
 * it with node_addr, the address the node's FIB picks for the device. */
struct dp_masq {
	__be32 node_addr;
	__be32 pool_addr;  /* the pod pool: a source s is a pod when (s & pool_mask) == pool_addr */
	__be32 pool_mask;
	__u32 pad;
};

/* IPv6 masquerade on a host device (dp_masq6, keyed by its ifindex; lib/masq6.h): the IPv6 twin of
 * struct dp_masq in a map of its own, so dp_masq4 keeps its layout. */
struct dp_masq6 {
	__be32 node_addr[4]; /* the device's global IPv6 address (not temporary, deprecated or link-local) */
	__be32 pool_addr[4]; /* the IPv6 pod pool: s is a pod when (s & pool_mask) == pool_addr, word by word */
	__be32 pool_mask[4];
};

/* Destinations never masqueraded over IPv6 (dp_nomasq6, LPM): the IPv6 pod pool, node CIDRs, the
 * profile's IPv6 nonMasqueradeCIDRs. */
struct dp_nomasq6_key {
	__u32 prefixlen;
	__be32 addr[4];
};

/* loadBalancerSourceRanges: an LPM key of the service (rev-NAT index) and a source prefix. */
struct dp_src_range_key {
	__u32 prefixlen;     /* 32 (the rev-NAT index and pad) + the CIDR's prefix length */
	__u16 rev_nat_index;
	__u16 pad;
	__be32 addr;
};

/*
 * IPv6 service DNAT (lib/lb6.h): maps of their own, so the IPv4 maps keep their layouts and
 * pinned names. The layout is the IPv4 one with 16-byte addresses: dp_svc6 master and backend
 * slots (values are struct dp_svc_value), dp_backends6 by backend ID, dp_revnat6 by rev-NAT
 * index, dp_ct6 NAT pairs (values are struct dp_ct_entry). Backend IDs and rev-NAT indexes come
 * from one allocator for both families (io.gannet.bpf.lb.ServiceReconciler), so a Maglev table
 * in dp_maglev4 (keyed by rev-NAT index, holding backend IDs) serves an IPv6 frontend too.
 * Addresses are in network order, as in the IPv6 header.
 */
struct dp_svc6_key {
	__be32 addr[4];    /* frontend IPv6 address */
	__be16 port;
	__u16 slot;        /* 0 = master, 1..count = backend slots */
	__u8 proto;
	__u8 pad[3];
};

struct dp_backend6 {
	__be32 addr[4];
	__be16 port;
	__u8 proto;
	__u8 pad;
};

struct dp_revnat6 {
	__be32 addr[4];    /* service address the client talked to */
	__be16 port;
	__u8 flags;        /* DP_REVNAT_F_* (DP_REVNAT_F_NODEPORT: a node port on a node IPv6 address) */
	__u8 pad;
};

/* One entry per direction, as dp_ct4: DP_CT_EGRESS (client -> frontend), DP_CT_REPLY (backend -> client). */
struct dp_ct6_key {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 dir;
	__u16 pad;
};

/*
 * IPv6 SNAT of external frontends reached from a host device with externalTrafficPolicy
 * Cluster (lib/nodeport6.h), and of hairpin flows (lib/lb6.h: the frontend address instead of a
 * node's), the IPv6 twin of dp_nat/dp_snat4: dp_snat6 is keyed like dp_ct6
 * (under the client's CT_EGRESS key: the node address and port the flow leaves with; under
 * the SNATed CT_REPLY key, backend -> node:port: the client it is restored to);
 * dp_snat6_src holds, per rev-NAT index of a DP_SVC_F_SNAT frontend, the node IPv6 address
 * its flows leave with (port 0): a node port's own address, an externalIP's or load-balancer
 * IP's node address (chosen by the agent).
 */
struct dp_nat6 {
	__be32 addr[4];
	__be16 port;
	__u16 pad;
};

/* sessionAffinity ClientIP of an IPv6 frontend (dp_affinity6, lib/lb6.h): values are struct dp_affinity. */
struct dp_affinity6_key {
	__be32 client[4];
	__u16 rev_nat_index; /* the service */
	__u16 pad;
};

/* loadBalancerSourceRanges of an IPv6 frontend (dp_src_range6): the service and an IPv6 source prefix. */
struct dp_src_range6_key {
	__u32 prefixlen;     /* 32 (the rev-NAT index and pad) + the CIDR's prefix length */
	__u16 rev_nat_index;
	__u16 pad;
	__be32 addr[4];
};

/* Tunables written once by the agent at open; zero fields fall back to defaults. */
struct dp_config {
	__u32 tcp_syn_timeout;
	__u32 tcp_established_timeout;
	__u32 tcp_closing_timeout;
	__u32 udp_timeout;
};

DP_STATIC_ASSERT(sizeof(struct dp_svc_key) == 12, "dp_svc_key");
DP_STATIC_ASSERT(sizeof(struct dp_svc_value) == 12, "dp_svc_value");
DP_STATIC_ASSERT(sizeof(struct dp_backend) == 8, "dp_backend");
DP_STATIC_ASSERT(sizeof(struct dp_revnat) == 8, "dp_revnat");
DP_STATIC_ASSERT(sizeof(struct dp_ct_key) == 16, "dp_ct_key");
DP_STATIC_ASSERT(sizeof(struct dp_ct_entry) == 16, "dp_ct_entry");
DP_STATIC_ASSERT(sizeof(struct dp_frag_key) == 12, "dp_frag_key");
DP_STATIC_ASSERT(sizeof(struct dp_frag_value) == 8, "dp_frag_value");
DP_STATIC_ASSERT(sizeof(struct dp_endpoint) == 8, "dp_endpoint");
DP_STATIC_ASSERT(sizeof(struct dp_endpoint6) == 16, "dp_endpoint6");
DP_STATIC_ASSERT(sizeof(struct dp_config) == 16, "dp_config");
DP_STATIC_ASSERT(sizeof(struct dp_affinity_key) == 8, "dp_affinity_key");
DP_STATIC_ASSERT(sizeof(struct dp_affinity) == 8, "dp_affinity");
DP_STATIC_ASSERT(sizeof(struct dp_nat) == 8, "dp_nat");
DP_STATIC_ASSERT(sizeof(struct dp_src_range_key) == 12, "dp_src_range_key");
DP_STATIC_ASSERT(sizeof(struct dp_masq) == 16, "dp_masq");
DP_STATIC_ASSERT(sizeof(struct dp_masq6) == 48, "dp_masq6");
DP_STATIC_ASSERT(sizeof(struct dp_nomasq6_key) == 20, "dp_nomasq6_key");
DP_STATIC_ASSERT(sizeof(struct dp_ipcache_key) == 8, "dp_ipcache_key");
DP_STATIC_ASSERT(sizeof(struct dp_ipcache_value) == 8, "dp_ipcache_value");
DP_STATIC_ASSERT(sizeof(struct dp_policy_key) == 16, "dp_policy_key");
DP_STATIC_ASSERT(sizeof(struct dp_policy_value) == 24, "dp_policy_value");
DP_STATIC_ASSERT(sizeof(struct dp_drop_event) == 32, "dp_drop_event");
DP_STATIC_ASSERT(sizeof(struct dp_svc6_key) == 24, "dp_svc6_key");
DP_STATIC_ASSERT(sizeof(struct dp_backend6) == 20, "dp_backend6");
DP_STATIC_ASSERT(sizeof(struct dp_revnat6) == 20, "dp_revnat6");
DP_STATIC_ASSERT(sizeof(struct dp_ct6_key) == 40, "dp_ct6_key");
DP_STATIC_ASSERT(sizeof(struct dp_nat6) == 20, "dp_nat6");
DP_STATIC_ASSERT(sizeof(struct dp_src_range6_key) == 24, "dp_src_range6_key");
DP_STATIC_ASSERT(sizeof(struct dp_affinity6_key) == 20, "dp_affinity6_key");
DP_STATIC_ASSERT(sizeof(struct dp_frag6_key) == 36, "dp_frag6_key");
DP_STATIC_ASSERT(sizeof(struct dp_frag6_value) == 36, "dp_frag6_value");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_SVC_MAX);
	__type(key, struct dp_svc_key);
	__type(value, struct dp_svc_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_svc4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_BACKEND_MAX);
	__type(key, __u32);
	__type(value, struct dp_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_backends4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_REVNAT_MAX);
	__type(key, __u16);
	__type(value, struct dp_revnat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_revnat4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_CT_MAX);
	__type(key, struct dp_ct_key);
	__type(value, struct dp_ct_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_ct4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_FRAG_MAX);
	__type(key, struct dp_frag_key);
	__type(value, struct dp_frag_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_frag4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_MAGLEV_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(__u32)); /* rev_nat_index of the service */
	/* dp_maglev_m backend IDs; the agent sets the value size with the table size before load
	 * (a typed value would pin the size in BTF). */
	__uint(value_size, sizeof(__u32) * DP_MAGLEV_M_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_maglev4 SEC(".maps");

/* The Maglev table size (a prime), set by the agent before load: read-only, so the verifier
 * knows it and bounds every table index by it. In a section of its own, alone at offset 0. */
const volatile __u32 dp_maglev_m SEC(".rodata.maglev") = DP_MAGLEV_M_DEFAULT;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_ENDPOINT_MAX);
	__type(key, __u32); /* ifindex of the pod's host-side veth */
	__type(value, struct dp_endpoint);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_ENDPOINT_MAX);
	__type(key, __u32); /* ifindex of the pod's host-side veth */
	__type(value, struct dp_endpoint6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_endpoints6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_AFFINITY_MAX);
	__type(key, struct dp_affinity_key);
	__type(value, struct dp_affinity);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_affinity4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_SNAT_MAX);
	__type(key, struct dp_ct_key);
	__type(value, struct dp_nat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_snat4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_SRC_RANGE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_src_range_key);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_src_range4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_MASQ_DEV_MAX);
	__type(key, __u32); /* ifindex of the host device */
	__type(value, struct dp_masq);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_masq4 SEC(".maps");

/* Destinations never masqueraded: the pod pool, the node CIDRs, the profile's nonMasqueradeCIDRs. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_NOMASQ_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_ipcache_key);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_nomasq4 SEC(".maps");

/* IPv6 masquerade (lib/masq6.h): new maps beside dp_masq4 / dp_nomasq4. Its flows are dp_ct6
 * MASQ_OUT / MASQ_IN pairs with their rewrites in dp_snat6; its port tries count in dp_masq_retries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_MASQ_DEV_MAX);
	__type(key, __u32); /* ifindex of the host device */
	__type(value, struct dp_masq6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_masq6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_NOMASQ_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_nomasq6_key);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_nomasq6 SEC(".maps");

/* Random ports a new masqueraded flow tried: bucket 0 = its own port was free, bucket b (1..6) =
 * 2^(b-1) .. 2^b - 1 tries, bucket 7 = every try taken (the flow was dropped). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_MASQ_RETRY_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_masq_retries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dp_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_ipcache_key);
	__type(value, struct dp_ipcache_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_ipcache4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_POLICY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_policy_key);
	__type(value, struct dp_policy_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_policy4 SEC(".maps");

/* IPv6 services (lib/lb6.h). Written by the agent only: allocated on update, not preallocated. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_SVC6_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_svc6_key);
	__type(value, struct dp_svc_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_svc6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_BACKEND6_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct dp_backend6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_backends6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_REVNAT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u16);
	__type(value, struct dp_revnat6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_revnat6 SEC(".maps");

/* Sized at load like dp_ct4 (io.gannet.bpf.ConntrackSize). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_CT_MAX);
	__type(key, struct dp_ct6_key);
	__type(value, struct dp_ct_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_ct6 SEC(".maps");

/* IPv6 SNAT (lib/nodeport6.h); dp_snat6 sized at load like dp_snat4 (io.gannet.bpf.ConntrackSize). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_SNAT_MAX);
	__type(key, struct dp_ct6_key);
	__type(value, struct dp_nat6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_snat6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_REVNAT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u16); /* rev-NAT index of the frontend */
	__type(value, struct dp_nat6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_snat6_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_SRC_RANGE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_src_range6_key);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_src_range6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_AFFINITY_MAX);
	__type(key, struct dp_affinity6_key);
	__type(value, struct dp_affinity);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_affinity6 SEC(".maps");

/* Written and read by the programs only (lib/lb6.h), as dp_frag4; a new map, so no pinned
 * layout changes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_FRAG_MAX);
	__type(key, struct dp_frag6_key);
	__type(value, struct dp_frag6_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_frag6 SEC(".maps");

/* IPv4 SNAT sources (lib/nodeport.h, struct dp_nat above): written by the agent only (io.gannet.bpf.lb.ServiceReconciler), before the master slot that
 * names DP_SVC_F_SNAT and removed after it; a new map, so dp_snat4 and dp_svc4 keep their layouts. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_REVNAT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u16); /* rev-NAT index of the frontend */
	__type(value, struct dp_nat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_snat4_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, DP_DROP_EVENTS_MAX);
	__type(value, struct dp_drop_event);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_drop_events SEC(".maps");

/* IPv6 policy (lib/policy.h): new maps, so dp_ipcache4 and dp_drop_events keep their layouts. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_ipcache6_key);
	__type(value, struct dp_ipcache_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_ipcache6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, DP_DROP_EVENTS_MAX);
	__type(value, struct dp_drop_event6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_drop_events6 SEC(".maps");

#endif
