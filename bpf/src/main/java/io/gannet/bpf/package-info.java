/**
 * The node's eBPF service datapath, as the agent sees it: {@link io.gannet.bpf.Datapath}
 * (open/re-adopt, attach to pod veths and host devices, apply desired services, show
 * services, conntrack GC, metrics, close leaving pins) and its
 * {@link io.gannet.bpf.DatapathOptions}.
 *
 * <p>Layers, in the order data flows: {@code k8s} (Service/EndpointSlice YAML to desired
 * frontends) -> {@code lb} (desired-state model, Maglev, reconciler, conntrack GC) ->
 * {@code maps} (Java mirrors of the C structs in src/main/bpf/lib/maps.h) -> {@code libbpf}
 * (jnr-ffi binding to Debian's libbpf 1.1). The C programs are in src/main/bpf and are
 * compiled by clang during the build into the jar's /bpf/ folder.
 *
 * <p>Threads: Datapath's public methods are synchronized; the agent calls them from one
 * datapath thread. Nothing here knows about BGP.
 */
package io.gannet.bpf;
