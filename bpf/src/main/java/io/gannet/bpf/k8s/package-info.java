/**
 * Kubernetes Service (v1) and EndpointSlice (discovery.k8s.io/v1) YAML from a watched
 * directory, joined into desired frontends the way kube-proxy does (clusterIP and
 * externalIPs per port, ready endpoints at the slice port of the same name and protocol).
 * Bad files are reported with path and reason and keep their last good content.
 *
 * <p>Threads: {@link io.gannet.bpf.k8s.ServiceDirectoryWatcher} owns one daemon thread
 * that reloads and calls its sink; {@link io.gannet.bpf.k8s.ServiceDirectory} is not
 * thread-safe.
 */
package io.gannet.bpf.k8s;
