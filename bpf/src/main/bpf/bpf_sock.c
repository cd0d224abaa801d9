/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Socket-level load balancing for the node's own processes (kube-proxy serves them in its
 * OUTPUT chain, Cilium at connect()): cgroup sock_addr hooks, attached by
 * Datapath.attachSocketLb to a cgroup v2 directory through bpf links.
 *
 *  - sock_connect4 (connect(2), TCP and connected UDP) and sock_sendmsg4 (an unconnected UDP
 *    socket's sendto/sendmsg): a destination that is a frontend in dp_svc4 (ClusterIP,
 *    externalIP, load-balancer IP, node port) is replaced by a backend before the socket
 *    exists on the wire, chosen as lib/lb.h chooses (Maglev table or at random; the
 *    previous backend under sessionAffinity: ClientIP, the node being the one client); the
 *    socket's packets then go to the backend directly, with no DNAT and no conntrack entry.
 *    A frontend without backends fails the call with ECONNREFUSED (bpf_set_retval), as
 *    kube-proxy's REJECT rule makes a connection to it fail.
 *  - sock_recvmsg4 (UDP): a datagram from a backend this socket was sent to comes from the
 *    service address, as the application asked for it;
 *  - sock_getpeername4: a connected socket's peer is the service address.
 * The backend each socket was sent to is kept in dp_sock_revnat4 (LRU), keyed by the socket
 * cookie and the backend, for the last two.
 *
 * Only sockets of the node's own network namespace are translated (dp_sock_netns holds its
 * cookie): pods keep per-packet DNAT (lib/lb.h), where their policy and the remap of a
 * clashing tuple live, and another Gannet on the same machine (another namespace) attached
 * to the same cgroup translates only its own.
 */
#include "lib/lb.h"

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

DP_STATIC_ASSERT(sizeof(struct dp_sock_revnat_key) == 16, "dp_sock_revnat_key");
DP_STATIC_ASSERT(sizeof(struct dp_sock_revnat) == 8, "dp_sock_revnat");

#define DP_SOCK_REVNAT_MAX 65536

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_SOCK_REVNAT_MAX);
	__type(key, struct dp_sock_revnat_key);
	__type(value, struct dp_sock_revnat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_sock_revnat4 SEC(".maps");

/* The network namespace whose sockets are translated, by cookie (written by the agent). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dp_sock_netns SEC(".maps");

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

/* 1: go on (translated or not a frontend); 0: refuse the call (a frontend without backends: ECONNREFUSED). */
static __always_inline int dp_sock_translate(struct bpf_sock_addr *ctx)
{
	struct dp_svc_key sk = {};
	struct dp_svc_value *svc;
	struct dp_backend *be;
	struct dp_tuple t = {};
	struct dp_sock_revnat_key rk = {};
	struct dp_sock_revnat rv = {};
	__u32 backend_id = 0;
	__u32 now = dp_now();

	sk.proto = dp_sock_proto(ctx);
	if (!sk.proto || !dp_sock_ours(ctx))
		return 1;
	sk.addr = ctx->user_ip4;
	sk.port = (__be16)ctx->user_port;
	svc = bpf_map_lookup_elem(&dp_svc4, &sk);
	if (!svc)
		return 1;
	if (svc->count == 0) {
		dp_count(DP_REJECT_SOCKET_NO_BACKEND);
		bpf_set_retval(-111); /* ECONNREFUSED, not the EPERM a refusing hook gives by default */
		return 0;
	}
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
			return 1; /* mid-update: the per-packet path has no say here, the call goes on untranslated */
		}
	}
	dp_affinity_record(0, svc, backend_id, now);
	rk.cookie = bpf_get_socket_cookie(ctx);
	rk.backend_addr = be->addr;
	rk.backend_port = be->port;
	rv.addr = sk.addr;
	rv.port = sk.port;
	rv.rev_nat_index = svc->rev_nat_index;
	bpf_map_update_elem(&dp_sock_revnat4, &rk, &rv, BPF_ANY);
	ctx->user_ip4 = be->addr;
	ctx->user_port = be->port;
	dp_count(DP_NAT_SOCKET);
	return 1;
}

/* A backend's address as the socket sees it (a datagram's source, the peer) becomes the frontend
 * the socket was sent to instead; a frontend since removed (its rev-NAT index gone or another
 * service's) is forgotten. */
static __always_inline int dp_sock_show_frontend(struct bpf_sock_addr *ctx)
{
	struct dp_sock_revnat_key rk = {};
	struct dp_sock_revnat *rv;
	struct dp_revnat *rn;
	__u16 idx;

	if (!dp_sock_proto(ctx) || !dp_sock_ours(ctx))
		return 1;
	rk.cookie = bpf_get_socket_cookie(ctx);
	rk.backend_addr = ctx->user_ip4;
	rk.backend_port = (__be16)ctx->user_port;
	rv = bpf_map_lookup_elem(&dp_sock_revnat4, &rk);
	if (!rv)
		return 1;
	idx = rv->rev_nat_index;
	rn = bpf_map_lookup_elem(&dp_revnat4, &idx);
	if (!rn || rn->addr != rv->addr || rn->port != rv->port) {
		bpf_map_delete_elem(&dp_sock_revnat4, &rk);
		return 1;
	}
	ctx->user_ip4 = rv->addr;
	ctx->user_port = rv->port;
	return 1;
}

SEC("cgroup/connect4")
int sock_connect4(struct bpf_sock_addr *ctx)
{
	return dp_sock_translate(ctx);
}

SEC("cgroup/sendmsg4")
int sock_sendmsg4(struct bpf_sock_addr *ctx)
{
	return dp_sock_translate(ctx);
}

SEC("cgroup/recvmsg4")
int sock_recvmsg4(struct bpf_sock_addr *ctx)
{
	return dp_sock_show_frontend(ctx);
}

SEC("cgroup/getpeername4")
int sock_getpeername4(struct bpf_sock_addr *ctx)
{
	return dp_sock_show_frontend(ctx);
}

char _license[] SEC("license") = "Dual BSD/GPL";
