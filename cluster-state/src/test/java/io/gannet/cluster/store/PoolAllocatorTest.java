package io.gannet.cluster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.cluster.store.alloc.PoolAllocator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Allocation as transactions, on both backends: threads, processes, leases, garbage. */
class PoolAllocatorTest {
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

    private String root() {
        return backends.prefix + "pool";
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void anOwnerGetsTheSameItemBackAndAPreferredOneWhenFree(String backend) throws Exception {
        PoolAllocator a = new PoolAllocator(store(backend), root(), 16);
        PoolAllocator.Claim c = a.claim("node1", 5, 0);
        assertThat(c.index()).isEqualTo(5);
        assertThat(c.existing()).isFalse();
        PoolAllocator.Claim again = a.claim("node1", 7, 0);
        assertThat(again.index()).isEqualTo(5);
        assertThat(again.existing()).isTrue();
        assertThat(again.transactions()).isZero();
        assertThat(a.claim("node2", 5, 0).index()).isNotEqualTo(5);
        assertThat(a.owners()).containsEntry("node1", 5L).hasSize(2);
        assertThat(a.release("node1")).isTrue();
        assertThat(a.release("node1")).isFalse();
        assertThat(a.claim("node3", 5, 0).index()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void fiftyThreadsForFortyItemsGiveFortyDistinctWinnersAndTenClearRefusals(String backend) throws Exception {
        ClusterStore s = store(backend);
        PoolAllocator a = new PoolAllocator(s, root(), 40);
        Map<Long, String> winners = Collections.synchronizedMap(new HashMap<>());
        List<String> dupes = Collections.synchronizedList(new ArrayList<>());
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            String owner = "node" + t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    long idx = a.claim(owner, 0, 0).index();
                    String prev = winners.putIfAbsent(idx, owner);
                    if (prev != null) {
                        dupes.add(idx + ": " + prev + " and " + owner);
                    }
                } catch (StoreException e) {
                    refused.add(e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(dupes).isEmpty();
        assertThat(winners).hasSize(40);
        assertThat(refused).hasSize(10).allSatisfy(m -> assertThat(m).contains("is exhausted: all 40 items are held"));
        assertThat(a.owners()).hasSize(40);
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void fiveProcessesRacingNeverGetTheSameItem(String backend) throws Exception {
        String location = backends.location(backend);
        List<Process> procs = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            procs.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), AllocatorChild.class.getName(), backend, location, root(), "64", "p" + p + "-", "12")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        Map<Long, String> winners = new HashMap<>();
        List<String> dupes = new ArrayList<>();
        for (Process p : procs) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(" ");
                    String prev = winners.putIfAbsent(Long.parseLong(f[1]), f[0]);
                    if (prev != null) {
                        dupes.add(f[1] + ": " + prev + " and " + f[0]);
                    }
                }
            }
            assertThat(p.waitFor()).isZero();
        }
        assertThat(dupes).isEmpty();
        assertThat(winners).hasSize(60);
        PoolAllocator a = new PoolAllocator(store(backend), root(), 64);
        Map<String, Long> owners = a.owners();
        assertThat(owners).hasSize(60);
        owners.forEach((o, i) -> assertThat(winners.get(i)).isEqualTo(o));
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void aVanishedOwnersLeasedItemIsReleasedAPinnedOneStays(String backend) throws Exception {
        ClusterStore node = backends.open(backend);
        ClusterStore other = store(backend);
        ClusterStore.Lease lease = node.grantLease(Duration.ofSeconds(2));
        new PoolAllocator(node, root(), 8).claim("leased", 1, lease.id());
        new PoolAllocator(node, root(), 8).claim("pinned", 2, 0);
        node.close();
        PoolAllocator a = new PoolAllocator(other, root(), 8);
        StoreContractTest.waitFor(() -> a.find("leased").isEmpty(), 10_000);
        assertThat(a.find("pinned")).contains(2L);
        assertThat(a.claim("newcomer", 1, 0).index()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {Backends.FILE, Backends.ETCD})
    void garbageInTheStoreIsAClearErrorAndChangesNothing(String backend) throws Exception {
        ClusterStore s = store(backend);
        s.commit(Txn.begin().put(root() + "/owners/node1", "\u0001junk"));
        PoolAllocator a = new PoolAllocator(s, root(), 8);
        assertThatThrownBy(() -> a.claim("node1", -1, 0))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CORRUPT))
                .hasMessage("store key " + root() + "/owners/node1 holds '?junk', not an index of pool " + root()
                        + " (0-7); Gannet did not write this: delete or fix the key");
        assertThat(s.list(root())).hasSize(1);
    }

    /** Child JVM of the 5-process race. */
    public static final class AllocatorChild {
        public static void main(String[] args) {
            try (ClusterStore s = RetryingStore.of(Backends.open(args[0], args[1], Duration.ofSeconds(15)))) {
                PoolAllocator a = new PoolAllocator(s, args[2], Long.parseLong(args[3]));
                int n = Integer.parseInt(args[5]);
                for (int i = 0; i < n; i++) {
                    String owner = args[4] + i;
                    System.out.println(owner + " " + a.claim(owner, i, 0).index());
                }
            }
            System.exit(0);
        }
    }

}
