package io.gannet.cluster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store contract, run against the file store and a real etcd. */
class StoreContractTest {
    private Backends backends;
    private final List<ClusterStore> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        backends = new Backends();
    }

    @AfterEach
    void tearDown() {
        open.forEach(ClusterStore::close);
        backends.close();
    }

    private ClusterStore store(String backend) throws Exception {
        ClusterStore s = backends.open(backend);
        open.add(s);
        return s;
    }

    private String k(String name) {
        return backends.prefix + name;
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void putGetListDeleteWithRevisions(String backend) throws Exception {
        ClusterStore s = store(backend);
        assertThat(s.get(k("a"))).isEmpty();
        TxnResult r1 = s.commit(Txn.begin().put(k("a"), "1").put(k("b/x"), "2"));
        assertThat(r1.succeeded()).isTrue();
        KeyValue a = s.get(k("a")).orElseThrow();
        assertThat(a.text()).isEqualTo("1");
        assertThat(a.modRevision()).isEqualTo(r1.revision());
        assertThat(a.version()).isEqualTo(1);
        TxnResult r2 = s.commit(Txn.begin().put(k("a"), "3"));
        KeyValue a2 = s.get(k("a")).orElseThrow();
        assertThat(a2.createRevision()).isEqualTo(a.createRevision());
        assertThat(a2.modRevision()).isEqualTo(r2.revision()).isGreaterThan(r1.revision());
        assertThat(a2.version()).isEqualTo(2);
        assertThat(s.list(k(""))).extracting(KeyValue::key).containsExactly(k("a"), k("b/x"));
        assertThat(s.list(k("b/"))).extracting(KeyValue::text).containsExactly("2");
        s.commit(Txn.begin().delete(k("a")));
        assertThat(s.get(k("a"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void compareAndSet(String backend) throws Exception {
        ClusterStore s = store(backend);
        assertThat(s.commit(Txn.begin().ifAbsent(k("blk")).put(k("blk"), "node1")).succeeded()).isTrue();
        assertThat(s.commit(Txn.begin().ifAbsent(k("blk")).put(k("blk"), "node2")).succeeded()).isFalse();
        assertThat(s.get(k("blk")).orElseThrow().text()).isEqualTo("node1");
        long rev = s.get(k("blk")).orElseThrow().modRevision();
        assertThat(s.commit(Txn.begin().ifModRevision(k("blk"), rev - 1).put(k("blk"), "x")).succeeded()).isFalse();
        assertThat(s.commit(Txn.begin().ifValue(k("blk"), "node2").delete(k("blk"))).succeeded()).isFalse();
        assertThat(s.commit(Txn.begin().ifValue(k("blk"), "node1").ifModRevision(k("blk"), rev).put(k("blk"), "node3").put(k("other"), "y")).succeeded()).isTrue();
        assertThat(s.get(k("blk")).orElseThrow().text()).isEqualTo("node3");
        assertThat(s.get(k("other"))).isPresent();
        // a failed compare changes nothing, not even the keys the transaction would have written
        assertThat(s.commit(Txn.begin().ifAbsent(k("other")).put(k("third"), "z")).succeeded()).isFalse();
        assertThat(s.get(k("third"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void fiftyThreadsRacingForTwentyBlocksNeverBothWin(String backend) throws Exception {
        ClusterStore s = store(backend);
        Map<String, List<String>> winners = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            String node = "node" + t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int b = 0; b < 20; b++) {
                    String key = k("blocks/" + b);
                    if (s.commit(Txn.begin().ifAbsent(key).put(key, node)).succeeded()) {
                        winners.computeIfAbsent(key, x -> new CopyOnWriteArrayList<>()).add(node);
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(winners).hasSize(20);
        winners.forEach((key, who) -> {
            assertThat(who).as(key).hasSize(1);
            assertThat(s.get(key).orElseThrow().text()).isEqualTo(who.get(0));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void aLeaseReleasesWhatAVanishedHolderHeldButNotPinnedKeys(String backend) throws Exception {
        ClusterStore holder = backends.open(backend);
        ClusterStore observer = store(backend);
        ClusterStore.Lease lease = holder.grantLease(Duration.ofSeconds(2));
        holder.commit(Txn.begin().put(k("leased"), "n1", lease.id()).put(k("pinned"), "n1"));
        // renewal keeps it past its TTL
        Thread.sleep(3000);
        assertThat(observer.get(k("leased"))).isPresent();
        holder.close(); // the holder vanishes without revoking
        waitFor(() -> observer.get(k("leased")).isEmpty(), 10_000);
        assertThat(observer.get(k("pinned"))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void revokeReleasesAtOnce(String backend) throws Exception {
        ClusterStore s = store(backend);
        ClusterStore.Lease lease = s.grantLease(Duration.ofSeconds(30));
        s.commit(Txn.begin().put(k("x"), "1", lease.id()));
        lease.revoke();
        assertThat(s.get(k("x"))).isEmpty();
        assertThatThrownBy(() -> s.commit(Txn.begin().put(k("y"), "1", lease.id())))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.BAD_REQUEST));
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void watchResyncsThenSeesAnotherClientsChangesInOrder(String backend) throws Exception {
        ClusterStore writer = store(backend);
        ClusterStore watcher = store(backend);
        writer.commit(Txn.begin().put(k("w/a"), "1").put(k("elsewhere"), "0"));
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        AutoCloseable w = watcher.watch(k("w/"), new WatchListener() {
            @Override
            public void onResync(List<KeyValue> current, long revision) {
                current.forEach(kv -> seen.add("resync " + kv.key().substring(backends.prefix.length()) + "=" + kv.text()));
            }

            @Override
            public void onEvents(List<WatchEvent> events) {
                events.forEach(e -> seen.add(e.type() + " " + e.kv().key().substring(backends.prefix.length())
                        + (e.type() == WatchEvent.Type.PUT ? "=" + e.kv().text() : "")));
            }
        });
        waitFor(() -> seen.size() == 1, 5000);
        writer.commit(Txn.begin().put(k("w/b"), "2"));
        writer.commit(Txn.begin().put(k("elsewhere"), "9"));
        writer.commit(Txn.begin().put(k("w/a"), "3"));
        writer.commit(Txn.begin().delete(k("w/b")));
        waitFor(() -> seen.size() == 4, 5000);
        assertThat(seen).containsExactly("resync w/a=1", "PUT w/b=2", "PUT w/a=3", "DELETE w/b");
        w.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void badKeysAreClearErrors(String backend) throws Exception {
        ClusterStore s = store(backend);
        assertThatThrownBy(() -> s.get("has space")).hasMessage("store key 'has space' must be 1-1024 printable ASCII characters without spaces");
        assertThatThrownBy(() -> s.commit(Txn.begin().put("", "x"))).hasMessage("a store key is missing");
    }

    static void waitFor(BooleanSupplier c, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + millis + " ms");
            }
            Thread.sleep(20);
        }
    }
}
