package io.gannet.cluster.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.gannet.cluster.store.Backoff;
import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.Keys;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.Txn;
import io.gannet.cluster.store.TxnResult;
import io.gannet.cluster.store.WatchEvent;
import io.gannet.cluster.store.WatchListener;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd v3 through jetcd. Keys are UTF-8 strings; transactions map one to one onto etcd's
 * {@code Txn} (compare {@code version == 0} for absent, {@code mod_revision}, {@code value});
 * leases onto etcd leases kept alive by jetcd's keep-alive stream; watches onto etcd watches
 * started at the revision of an initial range read (list-then-watch), re-established with
 * back-off and jitter, resyncing from a fresh read when the gap cannot be bridged.
 *
 * <p>jetcd's own retries are switched off: {@code RetryingStore} owns retry, back-off and
 * rate limiting, so requests can be counted in one place. Every call has a deadline.
 *
 * <p>Threads: callers any; one scheduler thread for watch restarts; one thread delivers
 * watch news in order.
 */
public final class EtcdStore implements ClusterStore {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdStore.class);

    private final List<URI> endpoints;
    private final Client client;
    private final KV kv;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService delivery;
    private final Backoff watchBackoff;
    private volatile boolean closed;

    private EtcdStore(List<URI> endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
        this.client = Client.builder().endpoints(endpoints.toArray(URI[]::new))
                .retryMaxAttempts(0)
                .connectTimeout(Duration.ofSeconds(2))
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5))
                .build();
        this.kv = client.getKVClient();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "gannet-etcd-watch-restart"));
        this.delivery = Executors.newSingleThreadExecutor(r -> daemon(r, "gannet-etcd-watch"));
        this.watchBackoff = Backoff.standard();
    }

    /**
     * Connects lazily to {@code urls} (comma separated {@code http://host:port}).
     *
     * @throws StoreException BAD_REQUEST when a URL is malformed
     */
    public static EtcdStore connect(String urls, Duration timeout) {
        List<URI> list = new ArrayList<>();
        for (String u : urls.split(",")) {
            String t = u.trim();
            URI uri;
            try {
                uri = URI.create(t);
            } catch (IllegalArgumentException e) {
                throw new StoreException(StoreException.Reason.BAD_REQUEST, "etcd URL '" + t + "' is malformed");
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
                throw new StoreException(StoreException.Reason.BAD_REQUEST, "etcd URL '" + t + "' must be http://HOST:PORT (TLS is not supported yet)");
            }
            list.add(uri);
        }
        return new EtcdStore(List.copyOf(list), timeout);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String describe() {
        return "etcd:" + String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static ByteSequence bs(byte[] b) {
        return ByteSequence.from(b);
    }

    private static KeyValue kv(io.etcd.jetcd.KeyValue k) {
        return new KeyValue(k.getKey().toString(StandardCharsets.UTF_8), k.getValue().getBytes(), k.getCreateRevision(), k.getModRevision(),
                k.getVersion(), k.getLease());
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        if (closed) {
            throw new StoreException(StoreException.Reason.CLOSED, "the etcd client is closed");
        }
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "etcd at " + describe() + " did not answer " + what + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Reason.UNAVAILABLE, what + " was interrupted");
        } catch (ExecutionException e) {
            throw translate(e.getCause(), what);
        }
    }

    private StoreException translate(Throwable t, String what) {
        Status s = t instanceof StatusRuntimeException sre ? sre.getStatus() : Status.fromThrowable(t);
        return switch (s.getCode()) {
            case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, PERMISSION_DENIED, UNAUTHENTICATED ->
                    new StoreException(StoreException.Reason.BAD_REQUEST, "etcd refused " + what + ": " + s.getDescription(), t);
            default -> new StoreException(StoreException.Reason.UNAVAILABLE, "etcd at " + describe() + " failed " + what + ": "
                    + s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription()), t);
        };
    }

    @Override
    public Optional<KeyValue> get(String key) {
        GetResponse r = await(kv.get(bs(Keys.check(key))), "a read of " + key);
        return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(kv(r.getKvs().get(0)));
    }

    @Override
    public List<KeyValue> list(String prefix) {
        GetResponse r = await(kv.get(bs(Keys.check(prefix)), GetOption.builder().isPrefix(true).build()), "a list of " + prefix);
        return r.getKvs().stream().map(EtcdStore::kv).toList();
    }

    @Override
    public TxnResult commit(Txn txn) {
        List<Cmp> cmps = new ArrayList<>();
        for (Txn.Compare c : txn.compares()) {
            cmps.add(switch (c) {
                case Txn.Absent a -> new Cmp(bs(a.key()), Cmp.Op.EQUAL, CmpTarget.version(0));
                case Txn.ModRevision m -> new Cmp(bs(m.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(m.revision()));
                case Txn.ValueEquals v -> new Cmp(bs(v.key()), Cmp.Op.EQUAL, CmpTarget.value(bs(v.value())));
            });
        }
        List<Op> ops = new ArrayList<>();
        for (Txn.Op o : txn.ops()) {
            ops.add(switch (o) {
                case Txn.Put p -> Op.put(bs(p.key()), bs(p.value()), p.lease() == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(p.lease()).build());
                case Txn.Delete d -> Op.delete(bs(d.key()), DeleteOption.DEFAULT);
            });
        }
        TxnResponse r = await(kv.txn().If(cmps.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new)).commit(), "a transaction");
        return new TxnResult(r.isSucceeded(), r.getHeader().getRevision());
    }

    @Override
    public Lease grantLease(Duration ttl) {
        long seconds = Math.max(1, ttl.toSeconds());
        long asked = System.nanoTime();
        long id = await(client.getLeaseClient().grant(seconds), "a lease grant").getID();
        java.util.concurrent.atomic.AtomicLong confirmed = new java.util.concurrent.atomic.AtomicLong(asked + TimeUnit.SECONDS.toNanos(seconds));
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        CloseableClient keepAlive = client.getLeaseClient().keepAlive(id, new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                if (r.getTTL() <= 0) {
                    lost.set(true);
                    LOG.warn("store: etcd lease {} expired; what it held was released", Long.toHexString(id));
                } else {
                    // the TTL left at the server when it answered: counted from now it can only be late, never early
                    // by more than the answer's flight time, which the holder's fencing margin covers
                    confirmed.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(r.getTTL()));
                }
            }

            @Override
            public void onError(Throwable t) {
                if (String.valueOf(t.getMessage()).contains("not found")) {
                    lost.set(true);
                }
                LOG.warn("store: keeping etcd lease {} alive failed: {}", Long.toHexString(id), t.getMessage());
            }

            @Override
            public void onCompleted() {}
        });
        return new Lease() {
            @Override
            public long id() {
                return id;
            }

            @Override
            public Duration ttl() {
                return Duration.ofSeconds(seconds);
            }

            @Override
            public long confirmedUntilNanos() {
                return confirmed.get();
            }

            @Override
            public boolean lost() {
                return lost.get();
            }

            @Override
            public void revoke() {
                lost.set(true);
                keepAlive.close();
                await(client.getLeaseClient().revoke(id), "a lease revoke");
            }

            @Override
            public void close() {
                keepAlive.close();
            }
        };
    }

    @Override
    public AutoCloseable watch(String prefix, WatchListener listener) {
        EtcdWatch w = new EtcdWatch(Keys.check(prefix), listener);
        w.start(0);
        return w;
    }

    /** One list-then-watch on a prefix that restarts itself after errors. */
    private final class EtcdWatch implements AutoCloseable {
        private final String prefix;
        private final WatchListener listener;
        private volatile Watch.Watcher watcher;
        private volatile boolean stopped;
        private long revision;

        EtcdWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        void start(int attempt) {
            if (stopped || closed) {
                return;
            }
            GetResponse r;
            try {
                r = await(kv.get(bs(prefix), GetOption.builder().isPrefix(true).build()), "a list of " + prefix);
            } catch (StoreException e) {
                retry(attempt, e.getMessage());
                return;
            }
            List<KeyValue> now = r.getKvs().stream().map(EtcdStore::kv).toList();
            long rev = r.getHeader().getRevision();
            revision = rev;
            delivery.execute(() -> deliver(() -> listener.onResync(now, rev)));
            WatchOption opt = WatchOption.builder().isPrefix(true).withRevision(rev + 1).withPrevKV(true).build();
            watcher = client.getWatchClient().watch(bs(prefix), opt, Watch.listener(resp -> {
                List<WatchEvent> events = new ArrayList<>(resp.getEvents().size());
                for (io.etcd.jetcd.watch.WatchEvent e : resp.getEvents()) {
                    KeyValue k = kv(e.getKeyValue());
                    if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT) {
                        events.add(new WatchEvent(WatchEvent.Type.PUT, k));
                    } else if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.DELETE) {
                        KeyValue prev = e.getPrevKV() == null || e.getPrevKV().getKey().isEmpty() ? k : kv(e.getPrevKV());
                        events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(k.key(), prev.value(), prev.createRevision(), k.modRevision(), prev.version(), prev.lease())));
                    }
                }
                if (!events.isEmpty()) {
                    delivery.execute(() -> deliver(() -> listener.onEvents(events)));
                }
            }, err -> {
                Watch.Watcher w = watcher;
                if (w != null) {
                    w.close();
                }
                delivery.execute(() -> deliver(() -> listener.onDisconnected(err.getMessage())));
                retry(0, err.getMessage());
            }));
        }

        private void retry(int attempt, String why) {
            if (stopped || closed) {
                return;
            }
            Duration d = watchBackoff.delay(attempt);
            LOG.info("store: watch of {} restarts in {} ms: {}", prefix, d.toMillis(), why);
            scheduler.schedule(() -> start(attempt + 1), d.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            stopped = true;
            Watch.Watcher w = watcher;
            if (w != null) {
                w.close();
            }
        }
    }

    private static void deliver(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("store: a watch listener failed: {}", e.toString(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        delivery.shutdown();
        client.close();
    }
}
