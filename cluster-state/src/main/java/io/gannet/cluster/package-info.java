/**
 * Gannet cluster state: the store API with the embedded file store and etcd, allocation as transactions, Kubernetes object readers.
 * <p>
 * Skeleton: the module exists so the reactor and the module graph are fixed; its issue fills it in.
 */
package io.gannet.cluster;
