/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sessionAffinity ClientIP of IPv6 frontends (kube-proxy's "recent" match), for lib/lb6.h: a
 * client's new flows to a service go to the backend its last new flow went to, while that was
 * less than the service's timeout ago (the master slot's backend_id, flag DP_SVC_F_AFFINITY) and
 * the backend still exists. The IPv6 twin of lib/lb.h's dp_affinity_backend/record, with
 * dp_affinity6 (lib/maps.h) keyed by the 16-byte client address.
 */
#ifndef DP_AFFINITY6_H
#define DP_AFFINITY6_H

#include "parse.h"
#include "maps.h"

/*
 * sessionAffinity ClientIP (lib/lb.h's dp_affinity_backend): the backend ID of the client's last new
 * flow to this service while the service's timeout (the master's backend_id) has not run out since,
 * else 0.
 */
static __always_inline __u32 dp_affinity6_backend(const __be32 *client, const struct dp_svc_value *svc, __u32 now)
{
	struct dp_affinity6_key ak = {};
	struct dp_affinity *af;

	if (!(svc->flags & DP_SVC_F_AFFINITY))
		return 0;
	dp_addr6_copy(ak.client, client);
	ak.rev_nat_index = svc->rev_nat_index;
	af = bpf_map_lookup_elem(&dp_affinity6, &ak);
	if (!af || now - af->last_used > svc->backend_id)
		return 0;
	return af->backend_id;
}

/* sessionAffinity ClientIP: a client's new flow went to backend_id; its next one goes there too. */
static __always_inline void dp_affinity6_record(const __be32 *client, const struct dp_svc_value *svc, __u32 backend_id,
						__u32 now)
{
	struct dp_affinity6_key ak = {};
	struct dp_affinity av = {};

	if (!(svc->flags & DP_SVC_F_AFFINITY))
		return;
	dp_addr6_copy(ak.client, client);
	ak.rev_nat_index = svc->rev_nat_index;
	av.backend_id = backend_id;
	av.last_used = now;
	bpf_map_update_elem(&dp_affinity6, &ak, &av, BPF_ANY);
}

#endif
