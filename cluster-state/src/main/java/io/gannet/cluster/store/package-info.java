/**
 * The cluster store: what hosts must agree on (which node owns which PodCIDR block, which node
 * holds a fixed IP), behind one API ({@link io.gannet.cluster.store.ClusterStore}: get, prefix
 * list, compare-and-set transactions, leases, list-then-watch) with two backends:
 * {@code file.FileStore} (default, one host) and {@code etcd.EtcdStore} (etcd v3 via jetcd).
 *
 * <p>Built for thousands of nodes, the lessons Cilium learned at 5,000: watch, never poll;
 * {@link io.gannet.cluster.store.RetryingStore} retries only what is retryable, with
 * exponential back-off plus jitter ({@link io.gannet.cluster.store.Backoff}) behind a token
 * bucket ({@link io.gannet.cluster.store.RateLimiter}), and counts every request; a holder that
 * vanishes loses its leased keys after the TTL.
 *
 * <p>Threads: stores are thread safe; each backend runs its own timer and watch-delivery
 * threads, and calls watch listeners one at a time from the latter.
 */
package io.gannet.cluster.store;
