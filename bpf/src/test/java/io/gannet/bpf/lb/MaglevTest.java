package io.gannet.bpf.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.maps.MaglevValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Maglev as a pure function, no kernel (Katran CHHelpers-style tests). */
class MaglevTest {
    static List<Backend> backends(int n) {
        List<Backend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Backend.of("10.2." + (i / 250) + "." + (i % 250 + 1), 8080));
        }
        return out;
    }

    static int[] ids(int n) {
        return IntStream.rangeClosed(1, n).toArray();
    }

    @Test
    void everyEntryFilledAndBalanced() {
        int m = MaglevValue.DEFAULT_M;
        int[] t = Maglev.table(backends(7), ids(7), m);
        for (int[] c : Maglev.counts(t, ids(7))) {
            assertThat(c[1]).as("entries of backend " + c[0]).isBetween(m / 7, m / 7 + 1);
        }
        assertThat(IntStream.of(t).allMatch(v -> v >= 1 && v <= 7)).isTrue();
    }

    @Test
    void independentOfInputOrder() {
        List<Backend> b = backends(5);
        int[] t1 = Maglev.table(b, ids(5), 251);
        List<Backend> shuffled = new ArrayList<>(b);
        Collections.reverse(shuffled);
        int[] reversedIds = {5, 4, 3, 2, 1};
        assertThat(Maglev.table(shuffled, reversedIds, 251)).isEqualTo(t1);
    }

    @Test
    void removingOneBackendMovesFewOtherFlows() {
        int m = MaglevValue.DEFAULT_M;
        List<Backend> b = backends(10);
        int[] before = Maglev.table(b, ids(10), m);
        List<Backend> fewer = new ArrayList<>(b);
        fewer.remove(3); // backend id 4
        int[] fewerIds = IntStream.rangeClosed(1, 10).filter(i -> i != 4).toArray();
        int[] after = Maglev.table(fewer, fewerIds, m);
        int kept = 0;
        int survivors = 0;
        for (int i = 0; i < m; i++) {
            if (before[i] != 4) {
                survivors++;
                if (after[i] == before[i]) {
                    kept++;
                }
            }
        }
        // The paper reports a few percent of disruption; require at least 90% kept.
        assertThat((double) kept / survivors).isGreaterThan(0.90);
        assertThat(IntStream.of(after).noneMatch(v -> v == 4)).isTrue();
    }

    @Test
    void emptyAndSingleBackend() {
        assertThat(IntStream.of(Maglev.table(List.of(), new int[0], 13)).allMatch(v -> v == 0)).isTrue();
        assertThat(IntStream.of(Maglev.table(backends(1), new int[] {9}, 13)).allMatch(v -> v == 9)).isTrue();
    }
}
