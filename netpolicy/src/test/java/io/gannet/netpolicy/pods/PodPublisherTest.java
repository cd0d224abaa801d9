package io.gannet.netpolicy.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.Txn;
import io.gannet.cluster.store.file.FileStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes publishing their pods in one store (the file store, as two daemons on one host share it); each watches the other's. */
class PodPublisherTest {
    @TempDir
    Path dir;

    @Test
    void eachNodeSeesTheOthersPodsComeAndGoAndARestartDropsWhatIsNoLongerThere() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (ClusterStore store = FileStore.open(dir.resolve("store"))) {
            Map<String, PublishedPod> seenByNode1 = new TreeMap<>();
            List<PublishedPods.Change> changes = new CopyOnWriteArrayList<>();
            try (AutoCloseable watch = PublishedPods.watch(store, "node1", c -> {
                    synchronized (seenByNode1) {
                        if (c.resync()) {
                            seenByNode1.clear();
                        }
                        c.removed().forEach(seenByNode1::remove);
                        c.upserts().forEach(p -> seenByNode1.put(p.storeKey(), p));
                        changes.add(c);
                    }
                });
                 PodPublisher node1 = new PodPublisher(store, "node1", Duration.ofSeconds(30), (w, m) -> log.add(m));
                 PodPublisher node2 = new PodPublisher(store, "node2", Duration.ofSeconds(30), (w, m) -> log.add(m))) {
                node1.added("default", "db", "10.4.0.10");
                node2.added("default", "employee", "10.4.1.20");
                node2.added("shop", "cart", "10.4.1.21");
                await(() -> addresses(seenByNode1).equals(List.of("10.4.1.20", "10.4.1.21")), () -> seenByNode1 + " " + log);
                assertThat(store.get("/gannet/pods/node1/default/db")).isPresent();
                assertThat(store.get("/gannet/pods/node1/default/db").get().text()).isEqualTo("{\"address\":\"10.4.0.10\"}");
                assertThat(changes).allSatisfy(c -> assertThat(c.upserts()).noneMatch(p -> p.node().equals("node1")));

                // a dual-stack pod's IPv6 address follows its IPv4 one (the CNI backend's attachIpv6)
                node2.addedIpv6("default", "employee", "fd00:10:4:1::20");
                await(() -> seenByNode1.values().stream().anyMatch(p -> p.addresses().equals(List.of("10.4.1.20", "fd00:10:4:1::20"))),
                        () -> seenByNode1 + " " + log);
                assertThat(store.get("/gannet/pods/node2/default/employee").get().text())
                        .isEqualTo("{\"address\":\"10.4.1.20\",\"address6\":\"fd00:10:4:1::20\"}");

                node2.removed("shop", "cart");
                await(() -> addresses(seenByNode1).equals(List.of("10.4.1.20")), () -> seenByNode1 + " " + log);

                // a value no node wrote is reported, never applied
                store.commit(Txn.begin().put("/gannet/pods/node3/default/x", "{\"address\":\"not-an-ip\"}"));
                await(() -> changes.stream().anyMatch(c -> c.problems().stream().anyMatch(p -> p.contains("not-an-ip"))), () -> changes.toString());
                assertThat(addresses(seenByNode1)).containsExactly("10.4.1.20");
            }
            // node2 restarts with one pod fewer than the store holds: the stale one goes
            store.commit(Txn.begin().put("/gannet/pods/node2/default/stale", "{\"address\":\"10.4.1.99\"}"));
            try (PodPublisher again = new PodPublisher(store, "node2", Duration.ofSeconds(30), (w, m) -> log.add(m))) {
                again.replaceAll(List.of(new PublishedPod("", "default", "employee", "10.4.1.20")));
                await(() -> store.list("/gannet/pods/node2/").stream().map(KeyValue::key).toList()
                        .equals(List.of("/gannet/pods/node2/default/employee")), () -> store.list("/gannet/pods/").toString());
                await(() -> again.state().startsWith("1 pods published"), again::state);
            }
        }
    }

    private static List<String> addresses(Map<String, PublishedPod> seen) {
        synchronized (seen) {
            return seen.values().stream().map(PublishedPod::address).sorted().collect(Collectors.toCollection(ArrayList::new));
        }
    }

    private static void await(BooleanSupplier c, java.util.function.Supplier<String> why) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + why.get());
            }
            Thread.sleep(20);
        }
    }
}
