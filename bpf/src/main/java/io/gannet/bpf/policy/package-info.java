/**
 * Ingress network policy in the datapath: {@link io.gannet.bpf.policy.PolicyFeature} (the
 * feature handle: dp_policy4, dp_ipcache4, the endpoints' policy flag, outcome counters and the
 * drop-event queue), its reconciler (per-endpoint difference writes, restore from pins), and
 * {@link io.gannet.bpf.policy.PolicyEncoding}, the pure function from entries to longest-prefix
 * keys (deny precedence, port ranges, any-protocol ports). The programs' side is lib/policy.h.
 *
 * <p>Threads: the reconciler is not thread-safe; the feature handle serializes calls to it.
 */
package io.gannet.bpf.policy;
