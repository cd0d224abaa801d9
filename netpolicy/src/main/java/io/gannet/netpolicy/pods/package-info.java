/**
 * Pods of every node in the cluster store, so a node's ingress policy knows the identity of a
 * client pod on another node: each node publishes its own pods ({@link PodPublisher}: address,
 * namespace and name, under a lease), and each node that enforces policy watches them all
 * ({@link PublishedPods}). Labels are not published: every node derives a pod's labels from
 * its own policy directory's Pod and Namespace objects, as it does for its own pods, so a
 * label change in the directory moves local and remote pods alike.
 */
package io.gannet.netpolicy.pods;
