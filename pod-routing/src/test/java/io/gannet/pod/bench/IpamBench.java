package io.gannet.pod.bench;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.RetryingStore;
import io.gannet.cluster.store.alloc.PoolAllocator;
import io.gannet.cluster.store.etcd.EtcdStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.pod.ipam.AllocationRequest;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.ipam.NodeIpam;
import io.gannet.testsupport.EtcdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/ipam: (1) local pod allocate+release latency, (2) N simulated nodes claiming PodCIDR
 * blocks concurrently against one real etcd and against the file store. See bench/ipam/README.md.
 * Usage: IpamBench [OPS] [NODES] [THREADS] [CLIENTS]   (defaults 100000 5000 64 16)
 */
public final class IpamBench {
    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        System.out.printf("cores %d, load average at start: %s%n", Runtime.getRuntime().availableProcessors(), loadavg());
        local(ops, false);
        local(Math.min(ops, 2_000), true);
        try (EtcdServer etcd = EtcdServer.startNew()) {
            List<ClusterStore> stores = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                stores.add(RetryingStore.of(EtcdStore.connect(etcd.url(), Duration.ofSeconds(10))));
            }
            cluster("etcd 3.4 (one server, " + clients + " client connections)", stores, nodes, threads);
            stores.forEach(ClusterStore::close);
        }
        Path dir = Files.createTempDirectory("gannet-bench-filestore-");
        try (FileStore fs = FileStore.open(dir)) {
            cluster("file store (one JSON file, fsync per transaction)", List.of(RetryingStore.of(fs)), nodes, threads);
        }
        System.out.printf("load average at end: %s%n", loadavg());
    }

    private static String loadavg() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static void local(int ops, boolean fsync) throws Exception {
        Path dir = Files.createTempDirectory("gannet-bench-ipam-");
        try (NodeIpam ipam = NodeIpam.open(NodeIpam.Options.of(dir, IpBlock.parse("10.244.7.0/24")).withFsync(fsync))) {
            // keep 100 pods around, as a busy node has
            for (int i = 0; i < 100; i++) {
                ipam.allocate(AllocationRequest.of("resident-" + i, "eth0", "default", "resident-" + i));
            }
            int warm = Math.min(ops / 5, 20_000);
            long[] lat = new long[ops];
            for (int i = -warm; i < ops; i++) {
                String id = "c" + i;
                long t0 = System.nanoTime();
                ipam.allocate(AllocationRequest.of(id, "eth0", "default", "pod"));
                ipam.release(id, "eth0");
                long t = System.nanoTime() - t0;
                if (i >= 0) {
                    lat[i] = t;
                }
            }
            Arrays.sort(lat);
            System.out.printf("local allocate+release, %s, %,d ops after %,d warm-up: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                    fsync ? "fsync per record" : "write per record (page cache; survives kill -9)", ops, warm,
                    lat[ops / 2] / 1e3, lat[(int) (ops * 0.99)] / 1e3, lat[(int) (ops * 0.999)] / 1e3, lat[ops - 1] / 1e3);
        }
    }

    private static void cluster(String what, List<ClusterStore> stores, int nodes, int threads) throws Exception {
        String root = "/bench/podcidr/" + System.nanoTime();
        long size = 1L << 14; // 10.0.0.0/10 in /24 blocks: 16,384
        AtomicLong txns = new AtomicLong();
        long attemptsBefore = stores.stream().mapToLong(s -> ((RetryingStore) s).attempts()).sum();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int n = 0; n < nodes; n++) {
            ClusterStore s = stores.get(n % stores.size());
            String node = "node-" + n;
            results.add(pool.submit(() -> {
                PoolAllocator.Claim c = new PoolAllocator(s, root, size).claim(node, -1, 0);
                txns.addAndGet(c.transactions());
                return c.index();
            }));
        }
        HashSet<Long> seen = new HashSet<>();
        int conflicts = 0;
        for (Future<Long> f : results) {
            if (!seen.add(f.get())) {
                conflicts++;
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long requests = stores.stream().mapToLong(s -> ((RetryingStore) s).attempts()).sum() - attemptsBefore;
        Map<String, Long> owners = new PoolAllocator(stores.get(0), root, size).owners();
        int dupInStore = owners.size() - new HashSet<>(owners.values()).size();
        System.out.printf("%s: %,d nodes, %d threads: %.2f s total, %.0f claims/s, %.2f requests/node (%.2f transactions/node), "
                        + "%d duplicate blocks handed out, %d duplicates in the store, %,d owners stored; load %s%n",
                what, nodes, threads, secs, nodes / secs, requests / (double) nodes, txns.get() / (double) nodes, conflicts, dupInStore,
                owners.size(), loadavg());
    }
}
