/**
 * The node's eBPF datapath, as its callers see it: {@link io.gannet.bpf.Datapath}
 * (open/re-adopt, attach to pod veths and host devices, feature handles, conntrack GC,
 * metrics, close leaving pins), its {@link io.gannet.bpf.DatapathOptions}, and
 * {@link io.gannet.bpf.PinRootLock} (one daemon per pin root).
 *
 * <h2>APIs other modules call</h2>
 * <ul>
 *   <li><b>Per-pod attach/detach</b> (the CNI plugin's backend, pod-routing):
 *       {@code dp.attachPod(hostVethName, podIPv4)} attaches {@code from_pod} (TC ingress of
 *       the host-side veth: what the pod sends) and {@code to_pod} (TC egress: what the pod
 *       receives) and records the pod address in {@code dp_endpoints} (its IPv6 address, or none,
 *       in {@code dp_endpoints6}: {@code attachPod(name, v4, v6)} or {@code attachPodIpv6}, the
 *       sources the pod may send from; {@code attachPod(name, null, v6)} for an IPv6-only pod,
 *       address 0 in dp_endpoints; {@code restorePod} at agent start); no compiler runs, it is
 *       a map write plus two netlink filter replaces, idempotent. {@code dp.detachPod(name)}
 *       removes Gannet's filters only and forgets the endpoint. Both are safe to call
 *       while Services are being reconciled.</li>
 *   <li><b>Service frontends</b> (the agent from Kubernetes Services, an L4LB host for its
 *       VIPs): {@code dp.servicesFeature().apply(List<ServiceSpec>)} makes the frontends
 *       exactly the given list (idempotent; {@code apply(list, true)} only adds and updates).
 *       A VIP is {@code new ServiceSpec(name, Frontend.of(vip, port, TCP), true, MAGLEV,
 *       backends)}: {@code external = true} translates it on host devices
 *       ({@code dp.attachHost(dev)}, optionally {@code attachHostXdp}), {@code MAGLEV} makes
 *       every host pick the same backend for a flow ({@code spec.withMaglevTable(t)} programs
 *       a table the caller computed, as the L4LB's health-aware one, instead of
 *       {@code Maglev.table} over the backends). {@code status()} lists what is programmed.</li>
 * </ul>
 *
 * <p>Layers, in the order data flows: {@code lb} (desired-state model, feature handle,
 * Maglev, reconciler, conntrack GC) -> {@code maps} (Java mirrors of the C structs in
 * src/main/bpf/lib/maps.h) -> {@code libbpf} (jnr-ffi binding to Debian's libbpf 1.1). The C
 * programs are in src/main/bpf and are compiled by clang during the build into the jar's
 * /bpf/ folder. Kubernetes objects are read elsewhere (cluster-state, io.gannet.cluster.k8s)
 * and mapped to {@link io.gannet.bpf.lb.ServiceSpec}s by the caller: this module never sees
 * YAML.
 *
 * <p>Threads: Datapath's public methods are synchronized, and so is each feature handle.
 * Nothing here knows about BGP.
 */
package io.gannet.bpf;
