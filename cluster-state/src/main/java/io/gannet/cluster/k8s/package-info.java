/**
 * Kubernetes Service (core/v1) and EndpointSlice (discovery.k8s.io/v1) objects read from a
 * watched directory of YAML, and joined into {@link io.gannet.cluster.k8s.ServiceFrontend}s
 * the way kube-proxy does (clusterIPs per family, externalIPs, load-balancer ingress IPs,
 * node ports; ready endpoints of the frontend's family at the slice port of the same name
 * and protocol; Local traffic policies; terminating-endpoint fallback, KEP-1669).
 *
 * <p>Independent of any datapath: a consumer (the agent, an L4LB) maps frontends to its own
 * model and reports what it cannot serve. Every field is either modelled, accepted as
 * meaningful only to other controllers (selector, ipFamilyPolicy, loadBalancerClass), or kept
 * as a note on its object; nothing is dropped in silence. Bad files are reported as
 * {@code file:line:column: reason} and keep their last good content.
 *
 * <p>Threads: {@link io.gannet.cluster.k8s.ServiceDirectoryWatcher} owns one daemon thread
 * that reloads and calls its sink; {@link io.gannet.cluster.k8s.ServiceDirectory} is not
 * thread-safe; the readers and {@link io.gannet.cluster.k8s.ServiceCatalog} are pure.
 */
package io.gannet.cluster.k8s;
