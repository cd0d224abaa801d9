/**
 * Gannet's network policy: identities, selectors, the compiler from Kubernetes NetworkPolicy
 * and CiliumNetworkPolicy to per-endpoint datapath entries, and external endpoints.
 *
 * <p>Packages, in the order data flows: {@code k8s} reads policy objects (every field either
 * enforced or reported per policy as unsupported; a broken object is refused whole and changes
 * nothing: fail closed) -> {@code model} (labels, peers, ports, rules: immutable values) ->
 * {@code selector} (Kubernetes label selectors) -> {@code identity} (label set -> number, the
 * same on every host; reserved identities) -> {@code compile} (the pure compiler and the
 * incremental engine that recomputes only the endpoints a change can affect) -> {@code enforce}
 * (the watched policy directory with per-file fail-closed, and the enforcer that feeds the
 * datapath's PolicyFeature: this node's pods, the ipcache, drop reports, {@code show policy}).
 *
 * <p>Semantics (Kubernetes and Cilium): once any policy selects an endpoint for ingress, its
 * ingress is default deny; deny rules beat allow rules at every specificity; replies of allowed
 * connections pass by connection tracking in the datapath, not by policy entries. Traffic from
 * the node itself (identity {@code host}: kubelet probes) is allowed into an endpoint in default
 * deny, as Cilium's default does, unless a deny rule names it ({@code ingressDeny} with
 * {@code fromEntities: [host]}): a liveness probe never dies of a policy that forgot it.
 *
 * <p>Threads: values are immutable; the engine is owned by one thread (the policy reconciler).
 */
package io.gannet.netpolicy;
