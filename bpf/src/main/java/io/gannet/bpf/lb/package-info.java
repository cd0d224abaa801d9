/**
 * Service load balancing state: frontends, backends and desired
 * {@link io.gannet.bpf.lb.ServiceSpec}s; the {@link io.gannet.bpf.lb.ServiceReconciler}
 * that writes them to the maps (Cilium lb.h layout: master slot 0 with count and rev-NAT
 * index, backend slots, backend-ID indirection) idempotently and re-adopts pinned maps;
 * {@link io.gannet.bpf.lb.Maglev} (NSDI 2016) as a pure function, or a
 * {@link io.gannet.bpf.lb.MaglevTable} the caller computed; and the conntrack
 * garbage collector driven by an injected {@link io.gannet.bpf.lb.Clock}.
 *
 * {@link io.gannet.bpf.lb.ServicesFeature} is the services feature handle (its maps and its
 * reconciler; policy and SNAT get handles of their own).
 *
 * <p>Threads: the reconciler is not thread-safe; {@link io.gannet.bpf.lb.ServicesFeature}
 * serializes calls to it.
 */
package io.gannet.bpf.lb;
