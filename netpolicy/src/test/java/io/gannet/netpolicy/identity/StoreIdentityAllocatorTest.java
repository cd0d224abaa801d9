package io.gannet.netpolicy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.etcd.EtcdStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.netpolicy.model.Labels;
import io.gannet.testsupport.EtcdServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identities through the cluster store: one number per label set on every host, reserved ones never handed out. */
class StoreIdentityAllocatorTest {
    private static final Labels EMPLOYEE = Labels.of(Map.of("app", "employee", Labels.NAMESPACE, "default"));
    private static final Labels DB = Labels.of(Map.of("app", "protected-db", Labels.NAMESPACE, "default"));

    @TempDir
    Path dir;

    @Test
    void twoHostsOnOneFileStoreGetTheSameNumberAndTheLastReleaseFreesIt() {
        try (ClusterStore store = FileStore.open(dir.resolve("store"));
             StoreIdentityAllocator a = new StoreIdentityAllocator(store, "/t/ids", "node1", Duration.ofSeconds(30));
             StoreIdentityAllocator b = new StoreIdentityAllocator(store, "/t/ids", "node2", Duration.ofSeconds(30))) {
            int e = a.allocate(EMPLOYEE);
            assertThat(e).isBetween(ReservedIdentity.FIRST_ENDPOINT, ReservedIdentity.LAST_ENDPOINT);
            assertThat(b.allocate(EMPLOYEE)).isEqualTo(e);
            int d = b.allocate(DB);
            assertThat(d).isNotEqualTo(e).isBetween(ReservedIdentity.FIRST_ENDPOINT, ReservedIdentity.LAST_ENDPOINT);
            assertThat(a.allocate(DB)).isEqualTo(d);
            assertThat(a.all()).containsEntry(e, EMPLOYEE.toString()).containsEntry(d, DB.toString());

            a.release(EMPLOYEE);
            assertThat(a.all()).as("node2 still uses it").containsKey(e);
            assertThat(b.allocate(EMPLOYEE)).isEqualTo(e);
            b.release(EMPLOYEE);
            assertThat(a.all()).as("node2 counts two local uses").containsKey(e);
            b.release(EMPLOYEE);
            assertThat(a.all()).as("no host uses it any more").doesNotContainKey(e).containsKey(d);

            // a restarted host (a new allocator, a new lease) finds the numbers again
            a.close();
            try (StoreIdentityAllocator restarted = new StoreIdentityAllocator(store, "/t/ids", "node1", Duration.ofSeconds(30))) {
                assertThat(restarted.allocate(DB)).isEqualTo(d);
            }
        }
    }

    @Test
    void reservedNumbersAreNeverHandedOut() {
        try (ClusterStore store = FileStore.open(dir.resolve("store"));
             StoreIdentityAllocator a = new StoreIdentityAllocator(store, "/t/ids", "node1", Duration.ZERO)) {
            for (int i = 0; i < 300; i++) {
                assertThat(a.allocate(Labels.of(Map.of("app", "a" + i)))).isBetween(ReservedIdentity.FIRST_ENDPOINT,
                        ReservedIdentity.LAST_ENDPOINT);
            }
            assertThat(a.all()).hasSize(300);
        }
    }

    @Test
    void hostsRacingOnEtcdForOneLabelSetAgreeOnOneNumber() throws Exception {
        try (EtcdServer etcd = EtcdServer.startNew()) {
            int hosts = 6;
            List<ClusterStore> stores = new ArrayList<>();
            List<StoreIdentityAllocator> allocators = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(hosts);
            try {
                for (int i = 0; i < hosts; i++) {
                    ClusterStore s = EtcdStore.connect(etcd.url(), Duration.ofSeconds(5));
                    stores.add(s);
                    allocators.add(new StoreIdentityAllocator(s, StoreIdentityAllocator.ROOT, "node" + i, Duration.ofSeconds(30)));
                }
                Set<Integer> seen = ConcurrentHashMap.newKeySet();
                for (int round = 0; round < 5; round++) {
                    Labels l = Labels.of(Map.of("app", "race-" + round));
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<Integer>> got = new ArrayList<>();
                    for (StoreIdentityAllocator a : allocators) {
                        got.add(pool.submit(() -> {
                            go.await();
                            return a.allocate(l);
                        }));
                    }
                    go.countDown();
                    Set<Integer> numbers = new java.util.HashSet<>();
                    for (Future<Integer> f : got) {
                        numbers.add(f.get());
                    }
                    assertThat(numbers).as("round " + round).hasSize(1);
                    assertThat(seen.add(numbers.iterator().next())).as("a new number per label set").isTrue();
                }
                assertThat(allocators.get(0).all()).hasSize(5);
            } finally {
                pool.shutdownNow();
                allocators.forEach(StoreIdentityAllocator::close);
                stores.forEach(ClusterStore::close);
            }
        }
    }
}
