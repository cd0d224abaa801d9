package io.gannet.l4lb.maglev;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.Txn;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.l4lb.model.WeightedBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LB hosts sharing one cluster store (the file store here; etcd through {@code gannet run --etcd}
 * in the agent's L4lbSlotsEtcdTest): they agree on a VIP's slots, a host whose view lags does not
 * undo another's write, and a host that starts later builds the same table.
 */
class SlotAgreementTest {
    static final int M = 4099;
    static final String FE = "203.0.113.10:80/TCP";

    @TempDir
    Path dir;

    private static Set<Backend> all(List<WeightedBackend> bs) {
        Set<Backend> s = new HashSet<>();
        bs.forEach(b -> s.add(b.backend()));
        return s;
    }

    private static VipTable table(SlotAgreement a, List<WeightedBackend> bs) {
        return VipTable.build(bs, a.plan(FE, bs, M), all(bs), M);
    }

    private static void await(String what, Supplier<Boolean> cond) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!cond.get()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void hostsAgreeOnEmptySlotsAndALaterHostReadsThem() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        List<WeightedBackend> bs = VipTableTest.backends(40);
        List<WeightedBackend> rest = new ArrayList<>(bs);
        Backend gone = rest.remove(5).backend();
        try (ClusterStore store = FileStore.open(dir.resolve("store"));
                SlotAgreement a = SlotAgreement.inStore(store, Duration.ofSeconds(5), (s, m) -> log.add("a " + s + ": " + m));
                SlotAgreement b = SlotAgreement.inStore(store, Duration.ofSeconds(5), (s, m) -> log.add("b " + s + ": " + m))) {
            VipTable a0 = table(a, bs);
            await("a's first plan stored", () -> store.get(SlotAgreement.PREFIX + FE).isPresent());
            VipTable b0 = table(b, bs);
            assertThat(b0.fingerprint()).isEqualTo(a0.fingerprint()).isEqualTo(VipTable.build(bs, all(bs), M).fingerprint());

            // a sees the backend leave first and writes the plan with its slot empty
            VipTable a1 = table(a, rest);
            await("a's plan stored", () -> store.get(SlotAgreement.PREFIX + FE).orElseThrow().text().contains(" -\n"));
            for (int e = 0; e < M; e++) {
                if (!a0.at(e).equals(gone)) {
                    assertThat(a1.at(e)).isEqualTo(a0.at(e));
                }
            }
            // b still sees it: b's table is still the one with it, and b writes nothing back
            long rev = store.get(SlotAgreement.PREFIX + FE).orElseThrow().modRevision();
            await("b read a's plan", () -> b.plan(FE, bs, M).slots().stream().anyMatch(s -> s.holder() != null && s.holder().equals(gone)));
            assertThat(table(b, bs).fingerprint()).isEqualTo(a0.fingerprint());
            Thread.sleep(300);
            assertThat(store.get(SlotAgreement.PREFIX + FE).orElseThrow().modRevision()).as("b did not undo a's write").isEqualTo(rev);
            // b catches up: the same table as a's
            assertThat(table(b, rest).fingerprint()).isEqualTo(a1.fingerprint());
            assertThat(a1.fingerprint()).isNotEqualTo(VipTable.build(rest, all(rest), M).fingerprint());

            // a host that starts now (or restarts with nothing of its own) reads the same plan
            try (SlotAgreement c = SlotAgreement.inStore(store, Duration.ofSeconds(5), (s, m) -> log.add("c " + s + ": " + m))) {
                assertThat(table(c, rest).fingerprint()).isEqualTo(a1.fingerprint());
            }
            assertThat(log).anyMatch(l -> l.startsWith("a " + FE + ": Maglev slots agreed in file:")
                    && l.contains("1 slot(s) left empty by backends that left (40 slots, 1 empty)"));
            assertThat(log).noneMatch(l -> l.startsWith("b ") && l.contains("agreed"));
        }
    }

    /** A store whose writes fail while {@code down} is set: etcd unreachable. */
    private static ClusterStore failingWrites(ClusterStore inner, java.util.concurrent.atomic.AtomicBoolean down) {
        return (ClusterStore) java.lang.reflect.Proxy.newProxyInstance(ClusterStore.class.getClassLoader(),
                new Class<?>[] {ClusterStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("commit") && down.get()) {
                        throw new io.gannet.cluster.store.StoreException(io.gannet.cluster.store.StoreException.Reason.UNAVAILABLE,
                                "etcd does not answer");
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aPlanTheStoreDidNotTakeIsWrittenWhenItAnswersAndTheOutageIsLoggedOnce() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        List<WeightedBackend> bs = VipTableTest.backends(10);
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (ClusterStore file = FileStore.open(dir.resolve("store"));
                SlotAgreement a = SlotAgreement.inStore(failingWrites(file, down), Duration.ofSeconds(5), (s, m) -> log.add(s + ": " + m))) {
            VipTable t = table(a, bs);
            for (int i = 0; i < 20; i++) { // the L4LB's tick asks again and again
                assertThat(table(a, bs).fingerprint()).isEqualTo(t.fingerprint());
                Thread.sleep(20);
            }
            assertThat(log).filteredOn(l -> l.contains("not written")).containsExactly(FE
                    + ": Maglev slots not written to the cluster store (etcd does not answer): written when it answers");
            assertThat(file.get(SlotAgreement.PREFIX + FE)).isEmpty();
            down.set(false);
            await("written once the store answers", () -> {
                table(a, bs);
                return file.get(SlotAgreement.PREFIX + FE).isPresent();
            });
            assertThat(file.get(SlotAgreement.PREFIX + FE).orElseThrow().text()).isEqualTo(SlotPlan.fresh(bs).encode());
        }
    }

    /** A store whose watch never brings news after an empty first resync: a host that has not seen a plan yet. */
    private static ClusterStore blindWatch(ClusterStore inner) {
        return (ClusterStore) java.lang.reflect.Proxy.newProxyInstance(ClusterStore.class.getClassLoader(),
                new Class<?>[] {ClusterStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("watch")) {
                        ((io.gannet.cluster.store.WatchListener) args[1]).onResync(List.of(), 0);
                        return (AutoCloseable) () -> { };
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aHostsFirstLookNeverWritesOverANewerPlan() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        List<WeightedBackend> bs = VipTableTest.backends(40);
        List<WeightedBackend> rest = new ArrayList<>(bs);
        rest.remove(5);
        try (ClusterStore store = FileStore.open(dir.resolve("store"));
                SlotAgreement a = SlotAgreement.inStore(store, Duration.ofSeconds(5), (s, m) -> log.add("a " + s + ": " + m))) {
            table(a, bs);
            await("a's first plan stored", () -> store.get(SlotAgreement.PREFIX + FE).isPresent());
            table(a, rest);
            await("a's plan stored", () -> store.get(SlotAgreement.PREFIX + FE).orElseThrow().text().contains(" -\n"));
            long rev = store.get(SlotAgreement.PREFIX + FE).orElseThrow().modRevision();
            // b has not seen any plan yet and still sees the backend that left: its first look's write
            // meets a's newer plan, takes it, and does not put the backend back
            try (SlotAgreement b = SlotAgreement.inStore(blindWatch(store), Duration.ofSeconds(5), (s, m) -> log.add("b " + s + ": " + m))) {
                table(b, bs);
                Thread.sleep(500);
                assertThat(store.get(SlotAgreement.PREFIX + FE).orElseThrow().modRevision()).as("a's plan stands").isEqualTo(rev);
                assertThat(log).noneMatch(l -> l.startsWith("b "));
            }
        }
    }

    @Test
    void anUnreadablePlanInTheStoreIsReportedAndReplaced() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        List<WeightedBackend> bs = VipTableTest.backends(10);
        try (ClusterStore store = FileStore.open(dir.resolve("store"))) {
            store.commit(Txn.begin().put(SlotAgreement.PREFIX + FE, "garbage\n"));
            try (SlotAgreement a = SlotAgreement.inStore(store, Duration.ofSeconds(5), (s, m) -> log.add(s + ": " + m))) {
                assertThat(log).anyMatch(l -> l.equals(FE + ": the Maglev slots in the cluster store cannot be read (line 1: want"
                        + " \"name weight holder\", got \"garbage\"): this host uses plain Maglev for it until a good plan is written"));
                assertThat(table(a, bs).fingerprint()).isEqualTo(VipTable.build(bs, all(bs), M).fingerprint());
                await("a good plan written over it", () -> store.get(SlotAgreement.PREFIX + FE).orElseThrow().text()
                        .equals(SlotPlan.fresh(bs).encode()));
            }
        }
    }
}
