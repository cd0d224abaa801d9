package io.gannet.l4lb.maglev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The VIP Maglev table as a pure function (Katran CHHelpers-style): no kernel, no threads. */
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
}
