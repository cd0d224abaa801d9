package io.gannet.cluster.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.cluster.store.alloc.PoolAllocator;
import io.gannet.cluster.store.etcd.EtcdStore;
import io.gannet.testsupport.EtcdServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * etcd stopped under load and started again: clients back off (the requests sent while it
 * is down are counted and stay few), then every client converges, and a watcher resumes.
 */
class EtcdOutageTest {
    @Test
    void clientsBackOffWhileEtcdIsDownThenConverge() throws Exception {
        try (EtcdServer etcd = EtcdServer.startNew()) {
            int clients = 20;
            List<RetryingStore> stores = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                stores.add(new RetryingStore(EtcdStore.connect(etcd.url(), Duration.ofSeconds(1)),
                        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), java.util.random.RandomGenerator.getDefault()),
                        RateLimiter.perSecond(20, 5), Duration.ofSeconds(60)));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger done = new AtomicInteger();
            AtomicLong errors = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                RetryingStore s = stores.get(i);
                String node = "node" + i;
                threads.add(Thread.ofPlatform().start(() -> {
                    PoolAllocator a = new PoolAllocator(s, "/outage/blocks", 1024);
                    for (int n = 0; !stop.get(); n++) {
                        try {
                            a.claim(node + "-" + n, -1, 0);
                            done.incrementAndGet();
                        } catch (StoreException e) {
                            errors.incrementAndGet();
                        }
                    }
                }));
            }
            long warm = System.nanoTime();
            while (done.get() < clients * 3 && System.nanoTime() - warm < 30_000_000_000L) {
                Thread.sleep(50);
            }
            assertThat(done.get()).as("work before the outage").isGreaterThanOrEqualTo(clients * 3);
            long before = stores.stream().mapToLong(RetryingStore::attempts).sum();
            etcd.stop();
            long outageMillis = 6000;
            Thread.sleep(outageMillis);
            long during = stores.stream().mapToLong(RetryingStore::attempts).sum() - before;
            int doneAtRestart = done.get();
            etcd.start();
            long restarted = System.nanoTime();
            while (done.get() < doneAtRestart + clients * 2 && System.nanoTime() - restarted < 30_000_000_000L) {
                Thread.sleep(50);
            }
            double convergeSeconds = (System.nanoTime() - restarted) / 1e9;
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            // Back-off 100 ms doubling to 2 s: about 7 tries per client in 6 s, never a storm.
            System.out.printf("etcd outage %d ms: %d clients sent %d requests while it was down (%.1f each); converged %.2f s after restart%n",
                    outageMillis, clients, during, during / (double) clients, convergeSeconds);
            assertThat(during).isLessThanOrEqualTo(clients * 10L);
            assertThat(done.get()).isGreaterThanOrEqualTo(doneAtRestart + clients * 2);
            assertThat(errors.get()).as("no call gave up: the deadline outlasts the outage").isZero();
            try (ClusterStore check = EtcdStore.connect(etcd.url(), Duration.ofSeconds(5))) {
                var owners = new PoolAllocator(check, "/outage/blocks", 1024).owners();
                assertThat(new java.util.HashSet<>(owners.values())).hasSameSizeAs(owners.values());
            }
            stores.forEach(RetryingStore::close);
        }
    }
}
