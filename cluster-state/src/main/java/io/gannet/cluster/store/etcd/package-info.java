/**
 * The etcd v3 backend through jetcd (KV range/txn, leases with keep-alive streams, watches from
 * a revision). See {@link io.gannet.cluster.store.etcd.EtcdStore}.
 */
package io.gannet.cluster.store.etcd;
