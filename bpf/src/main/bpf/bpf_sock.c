/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Socket-level load balancing for the node's own processes (kube-proxy serves them in its
 * OUTPUT chain, Cilium at connect()): cgroup sock_addr hooks, attached by
 * Datapath.attachSocketLb to a cgroup v2 directory through bpf links.
 *
 *  - sock_connect4/6 (connect(2), TCP and connected UDP) and sock_sendmsg4/6 (an unconnected
 *    UDP socket's sendto/sendmsg): a destination that is a frontend in dp_svc4 or dp_svc6
 *    (ClusterIP, externalIP, load-balancer IP, node port) is replaced by a backend before the
 *    socket exists on the wire, chosen as lib/lb.h and lib/lb6.h choose (Maglev table or at
 *    random; the previous backend under sessionAffinity: ClientIP, the node being the one
 *    client, 0.0.0.0 or ::); the socket's packets then go to the backend directly, with no
 *    DNAT and no conntrack entry. A frontend without backends fails the call with
 *    ECONNREFUSED (bpf_set_retval), as kube-proxy's REJECT rule makes a connection to it fail.
 *  - sock_recvmsg4/6 (UDP): a datagram from a backend this socket was sent to comes from the
 *    service address, as the application asked for it;
 *  - sock_getpeername4/6: a connected socket's peer is the service address.
 * The backend each socket was sent to is kept in dp_sock_revnat4 / dp_sock_revnat6 (LRU),
 * keyed by the socket cookie and the backend, for the last two.
 *
 * An IPv6 socket that is not IPV6_V6ONLY reaches an IPv4 Service through its IPv4-mapped
 * address (::ffff:a.b.c.d, RFC 4291 2.5.5.2), as Cilium serves it: the IPv6 hooks look such a
 * destination up in the IPv4 maps (dp_svc4, dp_sock_revnat4) and answer with the IPv4-mapped
 * backend or frontend. (The kernel runs the IPv4 sendmsg hook, not the IPv6 one, for an
 * unconnected IPv6 socket's datagram to a mapped address; the IPv6 hook handles it all the same.)
 *
 * Only sockets of the node's own network namespace are translated (dp_sock_netns holds its
 * cookie): pods keep per-packet DNAT (lib/lb.h, lib/lb6.h), where their policy and the remap
 * of a clashing tuple live, and another Gannet on the same machine (another namespace)
 * attached to the same cgroup translates only its own.
 */
#include "lib/lb6.h"

struct dp_sock_revnat_key {
	__u64 cookie;
	__be32 backend_addr;
	__be16 backend_port;
	__u16 pad;
};

struct dp_sock_revnat {
	__be32 addr;        /* the frontend the socket asked for */
	__be16 port;
	__u16 rev_nat_index;
};

/* dp_sock_revnat_key/dp_sock_revnat with 16-byte addresses (dp_sock_revnat6). */
struct dp_sock_revnat6_key {
	__u64 cookie;
	__be32 backend_addr[4];
	__be16 backend_port;
	__u16 pad;
	__u32 pad2;
};

struct dp_sock_revnat6 {
	__be32 addr[4];     /* the frontend the socket asked for */
	__be16 port;
	__u16 rev_nat_index;
};

DP_STATIC_ASSERT(sizeof(struct dp_sock_revnat_key) == 16, "dp_sock_revnat_key");
DP_STATIC_ASSERT(sizeof(struct dp_sock_revnat) == 8, "dp_sock_revnat");
DP_STATIC_ASSERT(sizeof(struct dp_sock_revnat6_key) == 32, "dp_sock_revnat6_key");
DP_STATIC_ASSERT(sizeof(struct dp_sock_revnat6) == 20, "dp_sock_revnat6");

#define DP_SOCK_REVNAT_MAX 65536

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_SOCK_REVNAT_MAX);
	__type(key, struct dp_sock_revnat_key);
	__type(value, struct dp_sock_revnat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_sock_revnat4 SEC(".maps");

/* A new map (pins of an older agent lack it: created empty, as its sockets had no IPv6 translation). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_SOCK_REVNAT_MAX);
	__type(key, struct dp_sock_revnat6_key);
	__type(value, struct dp_sock_revnat6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_sock_revnat6 SEC(".maps");

/* The network namespace whose sockets are translated, by cookie (written by the agent). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_sock_netns SEC(".maps");

/* What a connect/sendmsg hook does with the call. */
#define DP_SOCK_PASS 1   /* translated, or not a frontend: the call goes on */
#define DP_SOCK_REFUSE 0 /* a frontend without backends: ECONNREFUSED */

static __always_inline int dp_sock_ours(struct bpf_sock_addr *ctx)
{
	__u32 zero = 0;
	__u64 *netns = bpf_map_lookup_elem(&dp_sock_netns, &zero);

	return netns && *netns && *netns == bpf_get_netns_cookie(ctx);
}

static __always_inline __u8 dp_sock_proto(const struct bpf_sock_addr *ctx)
{
	if (ctx->protocol == IPPROTO_TCP)
		return IPPROTO_TCP;
	if (ctx->protocol == IPPROTO_UDP)
		return IPPROTO_UDP;
	return 0;
}

static __always_inline int dp_sock_refuse(void)
{
	dp_count(DP_REJECT_SOCKET_NO_BACKEND);
	bpf_set_retval(-111); /* ECONNREFUSED, not the EPERM a refusing hook gives by default */
	return DP_SOCK_REFUSE;
}

/* ::ffff:a.b.c.d (RFC 4291 2.5.5.2): an IPv6 socket's way to an IPv4 address. */
static __always_inline int dp_addr6_v4mapped(const __be32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0x0000ffff);
}

/* The IPv4 frontend *addr:*port of a socket (cookie) becomes a backend; see the file comment. */
static __always_inline int dp_sock_translate4(__u64 cookie, __u8 proto, __be32 *addr, __be16 *port)
{
	struct dp_svc_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend *be;
	struct dp_tuple t = {};
	struct dp_sock_revnat_key rk = {};
	struct dp_sock_revnat rv = {};
	__u32 backend_id = 0;
	__u32 now = dp_now();

	sk.proto = proto;
	sk.addr = *addr;
	sk.port = *port;
	svc = bpf_map_lookup_elem(&dp_svc4, &sk);
	if (!svc)
		return DP_SOCK_PASS;
	if (svc->count == 0)
		return dp_sock_refuse();
	be = dp_affinity_backend(0, svc, now, &backend_id); /* client 0: the node's own sockets */
	if (!be) {
		t.saddr = bpf_get_prandom_u32(); /* a socket has no source yet: Maglev hashes a random tuple */
		t.daddr = sk.addr;
		t.dport = sk.port;
		t.proto = sk.proto;
		backend_id = dp_pick_backend(&sk, svc, &t);
		be = bpf_map_lookup_elem(&dp_backends4, &backend_id);
		if (!be) {
			dp_count(DP_DROP_NO_BACKEND);
			return DP_SOCK_PASS; /* mid-update: the per-packet path has no say here, the call goes on untranslated */
		}
	}
	dp_affinity_record(0, svc, backend_id, now);
	rk.cookie = cookie;
	rk.backend_addr = be->addr;
	rk.backend_port = be->port;
	rv.addr = sk.addr;
	rv.port = sk.port;
	rv.rev_nat_index = svc->rev_nat_index;
	bpf_map_update_elem(&dp_sock_revnat4, &rk, &rv, BPF_ANY);
	*addr = be->addr;
	*port = be->port;
	dp_count(DP_NAT_SOCKET);
	return DP_SOCK_PASS;
}

/* The IPv6 frontend addr:*port of a socket (cookie) becomes a backend, from dp_svc6 as lib/lb6.h picks. */
static __always_inline int dp_sock_translate6(__u64 cookie, __u8 proto, __be32 *addr, __be16 *port)
{
	__be32 node[4] = {}; /* the node's own sockets: client :: for sessionAffinity */
	struct dp_svc6_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend6 *be = 0;
	struct dp_tuple6 t = {};
	struct dp_sock_revnat6_key rk = {};
	struct dp_sock_revnat6 rv = {};
	__u32 backend_id;
	__u32 now = dp_now();

	sk.proto = proto;
	dp_addr6_copy(sk.addr, addr);
	sk.port = *port;
	svc = bpf_map_lookup_elem(&dp_svc6, &sk);
	if (!svc)
		return DP_SOCK_PASS;
	if (svc->count == 0)
		return dp_sock_refuse();
	backend_id = dp_affinity6_backend(node, svc, now);
	if (backend_id)
		be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
	if (!be) {
		t.saddr[3] = bpf_get_prandom_u32(); /* a socket has no source yet: Maglev hashes a random tuple */
		dp_addr6_copy(t.daddr, sk.addr);
		t.dport = sk.port;
		t.proto = sk.proto;
		backend_id = dp_pick_backend6(&sk, svc, &t);
		be = bpf_map_lookup_elem(&dp_backends6, &backend_id);
		if (!be) {
			dp_count(DP_DROP_NO_BACKEND);
			return DP_SOCK_PASS; /* mid-update, as dp_sock_translate4 */
		}
	}
	dp_affinity6_record(node, svc, backend_id, now);
	rk.cookie = cookie;
	dp_addr6_copy(rk.backend_addr, be->addr);
	rk.backend_port = be->port;
	dp_addr6_copy(rv.addr, sk.addr);
	rv.port = sk.port;
	rv.rev_nat_index = svc->rev_nat_index;
	bpf_map_update_elem(&dp_sock_revnat6, &rk, &rv, BPF_ANY);
	dp_addr6_copy(addr, be->addr);
	*port = be->port;
	dp_count(DP_NAT_SOCKET);
	return DP_SOCK_PASS;
}

static __always_inline int dp_sock_connect4(struct bpf_sock_addr *ctx)
{
	__be32 addr = ctx->user_ip4;
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = dp_sock_proto(ctx);
	int verdict;

	if (!proto || !dp_sock_ours(ctx))
		return DP_SOCK_PASS;
	verdict = dp_sock_translate4(bpf_get_socket_cookie(ctx), proto, &addr, &port);
	if (addr != ctx->user_ip4 || port != (__be16)ctx->user_port) {
		ctx->user_ip4 = addr;
		ctx->user_port = port;
	}
	return verdict;
}

static __always_inline int dp_sock_connect6(struct bpf_sock_addr *ctx)
{
	__be32 addr[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3]};
	__be16 port = (__be16)ctx->user_port;
	__be16 orig_port = port;
	__u8 proto = dp_sock_proto(ctx);
	__u64 cookie;
	int verdict;

	if (!proto || !dp_sock_ours(ctx))
		return DP_SOCK_PASS;
	cookie = bpf_get_socket_cookie(ctx);
	if (dp_addr6_v4mapped(addr)) {
		__be32 orig = addr[3];

		verdict = dp_sock_translate4(cookie, proto, &addr[3], &port);
		if (addr[3] != orig || port != orig_port) {
			ctx->user_ip6[3] = addr[3];
			ctx->user_port = port;
		}
		return verdict;
	}
	verdict = dp_sock_translate6(cookie, proto, addr, &port);
	if (port != orig_port || addr[0] != ctx->user_ip6[0] || addr[1] != ctx->user_ip6[1] ||
	    addr[2] != ctx->user_ip6[2] || addr[3] != ctx->user_ip6[3]) {
		ctx->user_ip6[0] = addr[0];
		ctx->user_ip6[1] = addr[1];
		ctx->user_ip6[2] = addr[2];
		ctx->user_ip6[3] = addr[3];
		ctx->user_port = port;
	}
	return verdict;
}

/* A backend's address as the socket sees it (a datagram's source, the peer) becomes the frontend
 * the socket was sent to instead; a frontend since removed (its rev-NAT index gone or another
 * service's) is forgotten. 1: *addr and *port are now the frontend's. */
static __always_inline int dp_sock_frontend4(__u64 cookie, __be32 *addr, __be16 *port)
{
	struct dp_sock_revnat_key rk = {};
	struct dp_sock_revnat *rv;
	struct dp_revnat *rn;
	__u16 idx;

	rk.cookie = cookie;
	rk.backend_addr = *addr;
	rk.backend_port = *port;
	rv = bpf_map_lookup_elem(&dp_sock_revnat4, &rk);
	if (!rv)
		return 0;
	idx = rv->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat4, &idx);
	if (!rn || rn->addr != rv->addr || rn->port != rv->port) {
		bpf_map_delete_elem(&dp_sock_revnat4, &rk);
		return 0;
	}
	*addr = rv->addr;
	*port = rv->port;
	return 1;
}

/* dp_sock_frontend4 for an IPv6 backend (dp_sock_revnat6, dp_revnat6). */
static __always_inline int dp_sock_frontend6(__u64 cookie, __be32 *addr, __be16 *port)
{
	struct dp_sock_revnat6_key rk = {};
	struct dp_sock_revnat6 *rv;
	struct dp_revnat6 *rn;
	__u16 idx;

	rk.cookie = cookie;
	dp_addr6_copy(rk.backend_addr, addr);
	rk.backend_port = *port;
	rv = bpf_map_lookup_elem(&dp_sock_revnat6, &rk);
	if (!rv)
		return 0;
	idx = rv->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat6, &idx);
	if (!rn || rn->port != rv->port || rn->addr[0] != rv->addr[0] || rn->addr[1] != rv->addr[1] ||
	    rn->addr[2] != rv->addr[2] || rn->addr[3] != rv->addr[3]) {
		bpf_map_delete_elem(&dp_sock_revnat6, &rk);
		return 0;
	}
	dp_addr6_copy(addr, rv->addr);
	*port = rv->port;
	return 1;
}

static __always_inline int dp_sock_show_frontend4(struct bpf_sock_addr *ctx)
{
	__be32 addr = ctx->user_ip4;
	__be16 port = (__be16)ctx->user_port;

	if (!dp_sock_proto(ctx) || !dp_sock_ours(ctx))
		return 1;
	if (dp_sock_frontend4(bpf_get_socket_cookie(ctx), &addr, &port)) {
		ctx->user_ip4 = addr;
		ctx->user_port = port;
	}
	return 1;
}

static __always_inline int dp_sock_show_frontend6(struct bpf_sock_addr *ctx)
{
	__be32 addr[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3]};
	__be16 port = (__be16)ctx->user_port;
	__u64 cookie;

	if (!dp_sock_proto(ctx) || !dp_sock_ours(ctx))
		return 1;
	cookie = bpf_get_socket_cookie(ctx);
	if (dp_addr6_v4mapped(addr)) {
		if (dp_sock_frontend4(cookie, &addr[3], &port)) {
			ctx->user_ip6[3] = addr[3];
			ctx->user_port = port;
		}
		return 1;
	}
	if (dp_sock_frontend6(cookie, addr, &port)) {
		ctx->user_ip6[0] = addr[0];
		ctx->user_ip6[1] = addr[1];
		ctx->user_ip6[2] = addr[2];
		ctx->user_ip6[3] = addr[3];
		ctx->user_port = port;
	}
	return 1;
}

SEC("cgroup/connect4")
int sock_connect4(struct bpf_sock_addr *ctx)
{
	return dp_sock_connect4(ctx);
}

SEC("cgroup/sendmsg4")
int sock_sendmsg4(struct bpf_sock_addr *ctx)
{
	return dp_sock_connect4(ctx);
}

SEC("cgroup/recvmsg4")
int sock_recvmsg4(struct bpf_sock_addr *ctx)
{
	return dp_sock_show_frontend4(ctx);
}

SEC("cgroup/getpeername4")
int sock_getpeername4(struct bpf_sock_addr *ctx)
{
	return dp_sock_show_frontend4(ctx);
}

SEC("cgroup/connect6")
int sock_connect6(struct bpf_sock_addr *ctx)
{
	return dp_sock_connect6(ctx);
}

SEC("cgroup/sendmsg6")
int sock_sendmsg6(struct bpf_sock_addr *ctx)
{
	return dp_sock_connect6(ctx);
}

SEC("cgroup/recvmsg6")
int sock_recvmsg6(struct bpf_sock_addr *ctx)
{
	return dp_sock_show_frontend6(ctx);
}

SEC("cgroup/getpeername6")
int sock_getpeername6(struct bpf_sock_addr *ctx)
{
	return dp_sock_show_frontend6(ctx);
}

char _license[] SEC("license") = "Dual BSD/GPL";
