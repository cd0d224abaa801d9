package io.gannet.l4lb.maglev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.model.WeightedBackend;
import io.gannet.bpf.lb.Maglev;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The VIP table as a pure function (Katran CHHelpers-style): no kernel, no threads. Maglev, then health failover. */
class VipTableTest {
    static final int M = 65537;

    static List<WeightedBackend> backends(int n) {
        List<WeightedBackend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new WeightedBackend(Backend.of("10.7." + (i / 250) + "." + (i % 250 + 1), 8080), 1));
        }
        return out;
    }

    @Test
    void identicalOnEveryHostWhateverOrderItLearnedTheBackendsIn() {
        List<WeightedBackend> a = backends(50);
        List<WeightedBackend> b = new ArrayList<>(a);
        Collections.shuffle(b, new Random(7));
        VipTable t1 = VipTable.build(a, M);
        VipTable t2 = VipTable.build(b, M);
        assertThat(t2.entries()).isEqualTo(t1.entries());
        assertThat(t2.fingerprint()).isEqualTo(t1.fingerprint()).hasSize(16).isNotEqualTo(VipTable.EMPTY);
        // one backend fewer: another fingerprint
        assertThat(VipTable.build(a.subList(1, 50), M).fingerprint()).isNotEqualTo(t1.fingerprint());
    }

    @Test
    void balancedWithinOneEntry() {
        for (int n : new int[] {3, 100, 1000}) {
            int[] c = VipTable.build(backends(n), M).counts();
            int min = IntStream.of(c).min().orElseThrow();
            int max = IntStream.of(c).max().orElseThrow();
            assertThat(IntStream.of(c).sum()).isEqualTo(M);
            assertThat(max - min).as("max-min entries per backend, %d backends", n).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void removingOneOfNMovesLittleBeyondItsOwnEntries() {
        int n = 100;
        List<WeightedBackend> all = backends(n);
        VipTable before = VipTable.build(all, M);
        for (int gone : new int[] {0, 37, 99}) {
            List<WeightedBackend> fewer = new ArrayList<>(all);
            Backend removed = fewer.remove(gone).backend();
            VipTable after = VipTable.build(fewer, M);
            int own = 0;
            int moved = 0;
            for (int i = 0; i < M; i++) {
                if (removed.equals(before.at(i))) {
                    own++;
                } else if (!before.at(i).equals(after.at(i))) {
                    moved++;
                }
            }
            assertThat(own).isBetween(M / n, M / n + 1);
            assertThat((double) moved / M).as("share moved beyond the removed backend's own").isLessThanOrEqualTo(1.2 / n);
        }
    }

    @Test
    void addingOneMovesAboutItsShare() {
        int n = 100;
        List<WeightedBackend> all = backends(n + 1);
        VipTable before = VipTable.build(all.subList(0, n), M);
        VipTable after = VipTable.build(all, M);
        Backend added = all.get(n).backend();
        int toNew = 0;
        int elsewhere = 0;
        for (int i = 0; i < M; i++) {
            if (added.equals(after.at(i))) {
                toNew++;
            } else if (!before.at(i).equals(after.at(i))) {
                elsewhere++;
            }
        }
        assertThat(toNew).isBetween(M / (n + 1), M / (n + 1) + 1);
        assertThat((double) elsewhere / M).isLessThanOrEqualTo(1.2 / n);
    }

    @Test
    void weightsSetEachBackendsShare() {
        List<WeightedBackend> b = List.of(
                new WeightedBackend(Backend.of("10.7.0.1", 80), 1),
                new WeightedBackend(Backend.of("10.7.0.2", 80), 2),
                new WeightedBackend(Backend.of("10.7.0.3", 80), 5),
                new WeightedBackend(Backend.of("10.7.0.4", 80), 0));
        int[] c = VipTable.build(b, M).counts();
        assertThat(c[0]).isCloseTo(M / 8, org.assertj.core.data.Offset.offset(3));
        assertThat(c[1]).isCloseTo(2 * M / 8, org.assertj.core.data.Offset.offset(3));
        assertThat(c[2]).isCloseTo(5 * M / 8, org.assertj.core.data.Offset.offset(6));
        assertThat(c[3]).as("weight 0 takes nothing").isZero();
        // a weight change is a different table
        assertThat(VipTable.build(b, M).fingerprint())
                .isNotEqualTo(VipTable.build(backends(4).stream().map(w -> new WeightedBackend(w.backend(), 1)).toList(), M).fingerprint());
    }

    @Test
    void emptyAndNonPrime() {
        VipTable none = VipTable.build(List.of(), 13);
        assertThat(none.fingerprint()).isEqualTo(VipTable.EMPTY);
        assertThat(IntStream.of(none.entries()).allMatch(e -> e == 0)).isTrue();
        assertThatThrownBy(() -> VipTable.build(backends(2), 65536)).hasMessageContaining("not prime");
        assertThat(VipTable.build(backends(2), 16381).entries()).hasSize(16381);
    }

    // --- tier 2: entries of unhealthy backends fail over by weighted rendezvous hashing

    static Set<Backend> healthyExcept(List<WeightedBackend> all, Backend... down) {
        Set<Backend> up = all.stream().map(WeightedBackend::backend).collect(Collectors.toCollection(HashSet::new));
        List.of(down).forEach(up::remove);
        return up;
    }

    /** Entries whose backend differs between two tables. */
    static List<Integer> changed(VipTable a, VipTable b) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < a.entries().length; i++) {
            if (!java.util.Objects.equals(a.at(i), b.at(i))) {
                out.add(i);
            }
        }
        return out;
    }

    static List<Integer> entriesOf(VipTable t, Backend b) {
        return IntStream.range(0, t.entries().length).filter(i -> b.equals(t.at(i))).boxed().toList();
    }

    @Test
    void allHealthyIsPlainMaglev() {
        List<WeightedBackend> all = backends(100);
        VipTable t = VipTable.build(all, healthyExcept(all), M);
        int[] ids = IntStream.rangeClosed(1, 100).toArray();
        assertThat(t.entries()).isEqualTo(Maglev.table(all.stream().map(WeightedBackend::backend).toList(), ids, M));
        assertThat(t).isEqualTo(VipTable.build(all, M));
        assertThat(t.healthy()).hasSize(100);
    }

    @Test
    void aBackendFailingItsHealthCheckMovesExactlyItsOwnEntries() {
        for (int n : new int[] {10, 100, 1000}) {
            List<WeightedBackend> all = backends(n);
            VipTable before = VipTable.build(all, M);
            for (int gone : new int[] {0, n / 3, n - 1}) {
                Backend x = all.get(gone).backend();
                VipTable after = VipTable.build(all, healthyExcept(all, x), M);
                assertThat(changed(before, after)).as("%d backends: entries that moved are exactly %s's", n, x)
                        .isEqualTo(entriesOf(before, x));
                assertThat(entriesOf(after, x)).isEmpty();
                assertThat(IntStream.of(after.entries()).allMatch(e -> e > 0)).isTrue();
            }
        }
    }

    @Test
    void aSecondFailureMovesOnlyWhatItHeldItsOwnAndWhatItHadTakenOver() {
        int n = 10;
        List<WeightedBackend> all = backends(n);
        Backend x = all.get(2).backend();
        VipTable plain = VipTable.build(all, M);
        VipTable oneDown = VipTable.build(all, healthyExcept(all, x), M);
        for (int j = 0; j < n; j++) {
            Backend y = all.get(j).backend();
            if (y.equals(x)) {
                continue;
            }
            VipTable twoDown = VipTable.build(all, healthyExcept(all, x, y), M);
            List<Integer> held = entriesOf(oneDown, y);
            // the entries that moved are exactly y's (so nothing the other backends held moved)
            assertThat(changed(oneDown, twoDown)).as("moved when %s fails too", y).isEqualTo(held);
            assertThat(held.size()).as("%s had taken over some of %s's entries", y, x).isGreaterThan(entriesOf(plain, y).size());
        }
    }

    @Test
    void aRecoveredBackendGetsExactlyItsEntriesBack() {
        int n = 100;
        List<WeightedBackend> all = backends(n);
        Backend x = all.get(17).backend();
        Backend y = all.get(60).backend();
        VipTable plain = VipTable.build(all, M);
        // x alone fails and recovers: its Maglev entries come back, the table is plain Maglev again
        VipTable recovered = VipTable.build(all, healthyExcept(all), M);
        assertThat(changed(VipTable.build(all, healthyExcept(all, x), M), recovered)).isEqualTo(entriesOf(plain, x));
        assertThat(recovered).isEqualTo(plain);
        // with y down all along: x gets back exactly what it held before it failed (its Maglev share plus
        // what it holds of y's), and every entry that moves moves to x
        VipTable yDown = VipTable.build(all, healthyExcept(all, y), M);
        VipTable bothDown = VipTable.build(all, healthyExcept(all, x, y), M);
        List<Integer> moved = changed(bothDown, yDown);
        assertThat(moved).isEqualTo(entriesOf(yDown, x));
        assertThat(moved).containsAll(entriesOf(plain, x));
        assertThat(moved.stream().allMatch(i -> x.equals(yDown.at(i)))).isTrue();
    }

    @Test
    void balanceStaysGoodWhenBackendsFail() {
        // max and min entries per healthy backend, with the seed-independent figures of this build
        record Case(int n, int failed, double maxOverMin) {}
        for (Case c : List.of(new Case(100, 1, 1.03), new Case(100, 10, 1.15), new Case(1000, 1, 1.05),
                new Case(1000, 100, 1.40))) {
            List<WeightedBackend> all = backends(c.n);
            List<Backend> down = new ArrayList<>();
            for (int i = 0; i < c.failed; i++) {
                down.add(all.get((int) ((long) i * c.n / c.failed)).backend());
            }
            VipTable t = VipTable.build(all, healthyExcept(all, down.toArray(Backend[]::new)), M);
            int[] counts = t.counts();
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int i = 0; i < c.n; i++) {
                if (t.healthy().contains(t.backends().get(i).backend())) {
                    min = Math.min(min, counts[i]);
                    max = Math.max(max, counts[i]);
                } else {
                    assertThat(counts[i]).isZero();
                }
            }
            System.out.printf("VipTableTest: %d backends, %d failed: entries per healthy backend min %d, max %d (max/min %.3f)%n",
                    c.n, c.failed, min, max, (double) max / min);
            assertThat(IntStream.of(counts).sum()).isEqualTo(M);
            assertThat(min).as("no healthy backend loses entries").isGreaterThanOrEqualTo(M / c.n);
            assertThat((double) max / min).as("%d of %d failed", c.failed, c.n).isLessThanOrEqualTo(c.maxOverMin);
        }
    }

    @Test
    void failedOverEntriesFollowTheWeights() {
        List<WeightedBackend> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(new WeightedBackend(Backend.of("10.8.0." + (i + 1), 80), i < 10 ? 1 : 3));
        }
        Backend down = all.get(0).backend();
        VipTable before = VipTable.build(all, M);
        VipTable after = VipTable.build(all, healthyExcept(all, down), M);
        List<Integer> moved = changed(before, after);
        assertThat(moved).isEqualTo(entriesOf(before, down));
        long toHeavy = moved.stream().filter(i -> after.entries()[i] > 10).count();
        long toLight = moved.size() - toHeavy;
        // 9 backends of weight 1 and 10 of weight 3: the heavy ones' share is 30/39 = 0.77
        assertThat((double) toHeavy / moved.size()).as("%d to weight 3, %d to weight 1", toHeavy, toLight).isBetween(0.70, 0.84);
        // weight 0 never takes any; its health changes nothing but the fingerprint
        List<WeightedBackend> withDrained = new ArrayList<>(all);
        Backend drained = Backend.of("10.8.1.1", 80);
        withDrained.add(new WeightedBackend(drained, 0));
        VipTable up = VipTable.build(withDrained, healthyExcept(withDrained, down), M);
        VipTable downToo = VipTable.build(withDrained, healthyExcept(withDrained, down, drained), M);
        assertThat(entriesOf(up, drained)).isEmpty();
        assertThat(up.toMaglevTable().entries()).isEqualTo(downToo.toMaglevTable().entries());
        assertThat(up.fingerprint()).isNotEqualTo(downToo.fingerprint());
    }

    @Test
    void noHealthyBackendIsAnEmptyTable() {
        List<WeightedBackend> all = backends(10);
        VipTable none = VipTable.build(all, Set.of(), M);
        assertThat(none.fingerprint()).isEqualTo(VipTable.EMPTY);
        assertThat(IntStream.of(none.entries()).allMatch(e -> e == 0)).isTrue();
        assertThat(none.counts()).containsOnly(0);
        // healthy backends of weight 0 only: nothing takes new flows either
        List<WeightedBackend> drained = List.of(new WeightedBackend(Backend.of("10.8.0.1", 80), 1),
                new WeightedBackend(Backend.of("10.8.0.2", 80), 0));
        assertThat(VipTable.build(drained, Set.of(Backend.of("10.8.0.2", 80)), M).fingerprint()).isEqualTo(VipTable.EMPTY);
    }

    @Test
    void theFingerprintCoversHealthAndIsTheSameWhateverTheOrder() {
        List<WeightedBackend> all = backends(50);
        Backend x = all.get(3).backend();
        Backend y = all.get(30).backend();
        List<WeightedBackend> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(11));
        VipTable a = VipTable.build(all, healthyExcept(all, x), M);
        VipTable b = VipTable.build(shuffled, healthyExcept(shuffled, x), M);
        assertThat(b.entries()).isEqualTo(a.entries());
        assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
        assertThat(b).isEqualTo(a);
        // another host that sees y down too, or x up: another fingerprint
        assertThat(VipTable.build(all, healthyExcept(all, x, y), M).fingerprint()).isNotEqualTo(a.fingerprint());
        assertThat(VipTable.build(all, M).fingerprint()).isNotEqualTo(a.fingerprint());
        // healthy backends that are not configured are ignored
        Set<Backend> extra = healthyExcept(all, x);
        extra.add(Backend.of("192.0.2.1", 80));
        assertThat(VipTable.build(all, extra, M)).isEqualTo(a);
        assertThat(a.builtFrom(shuffled, extra, M)).isTrue();
        assertThat(a.builtFrom(all, healthyExcept(all), M)).isFalse();
        assertThat(a.builtFrom(all, healthyExcept(all, x), 16381)).isFalse();
    }

    @Test
    void theDatapathsTableNamesTheSameBackends() {
        List<WeightedBackend> all = backends(7);
        Backend x = all.get(4).backend();
        VipTable t = VipTable.build(all, healthyExcept(all, x), 251);
        io.gannet.bpf.lb.MaglevTable d = t.toMaglevTable();
        assertThat(d.backends()).containsExactlyElementsOf(t.backends().stream().map(WeightedBackend::backend).toList());
        assertThat(d.entries()).isEqualTo(t.entries());
        assertThat(d.backends()).contains(x); // listed, named by no entry
        assertThat(IntStream.of(d.entries()).noneMatch(e -> e == 5)).isTrue();
    }
}
