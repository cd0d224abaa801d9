/**
 * Ingress and egress network policy in the datapath, IPv4 and IPv6:
 * {@link io.gannet.bpf.policy.PolicyFeature} (the feature handle: dp_policy4, whose identity keys
 * serve both families; dp_ipcache4 and dp_ipcache6; the endpoints' policy flags, outcome counters
 * and the drop-event queues dp_drop_events and dp_drop_events6), its reconciler (per-endpoint difference writes, restore from pins), and
 * {@link io.gannet.bpf.policy.PolicyEncoding}, the pure function from entries to longest-prefix
 * keys (deny precedence, port ranges, any-protocol ports). The programs' side is lib/policy.h.
 *
 * <p>Threads: the reconciler is not thread-safe; the feature handle serializes calls to it.
 */
package io.gannet.bpf.policy;
