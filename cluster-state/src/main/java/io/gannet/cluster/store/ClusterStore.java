package io.gannet.cluster.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What Gannet needs from a cluster store: keys under prefixes, atomic compare-and-set
 * transactions, leases that delete their keys when their holder stops renewing them, and
 * watches. Two backends: {@code FileStore} (one host) and {@code EtcdStore} (etcd v3).
 *
 * <p>Every call may throw {@link StoreException}; {@code UNAVAILABLE} is the retryable one.
 * Callers that must ride out outages wrap a store in {@link RetryingStore}.
 */
public interface ClusterStore extends AutoCloseable {
    Optional<KeyValue> get(String key);

    /** Every key starting with {@code prefix}, in key order. */
    List<KeyValue> list(String prefix);

    TxnResult commit(Txn txn);

    /**
     * Grants a lease of {@code ttl} that this store keeps alive (renewing at a third of the
     * TTL) until it is revoked or the store is closed; keys put with it vanish when it
     * expires, that is when this process is gone for longer than the TTL.
     */
    Lease grantLease(Duration ttl);

    /** Watches the keys under {@code prefix}; the listener first gets the current state. Close the handle to stop. */
    AutoCloseable watch(String prefix, WatchListener listener);

    /** Short name for logs and show: {@code file:/var/lib/gannet/store} or {@code etcd:http://...}. */
    String describe();

    @Override
    void close();

    /** A granted lease. */
    interface Lease extends AutoCloseable {
        long id();

        Duration ttl();

        /**
         * Until when ({@link System#nanoTime()}) the store is known to keep this lease alive: the
         * TTL counted from the last renewal the store confirmed. Past it the store may have
         * expired the lease and deleted its keys, so what they claimed may be someone else's now
         * (a holder fences itself: it stops acting on them until the lease is confirmed again).
         */
        long confirmedUntilNanos();

        /** True once the store said the lease no longer exists (expired or revoked): its keys are gone. */
        boolean lost();

        /** Revokes now: its keys are deleted at once. */
        void revoke();

        /** Stops renewing without revoking: the keys stay until the TTL runs out. */
        @Override
        void close();
    }
}
