package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The per-slot marks behind "prefixes received" and the Adj-RIB-Out, against a plain set model. */
class SlotSetTest {
    @Test
    void matchesASetModelThroughGrowthAndRemoval() {
        SlotSet set = new SlotSet();
        TreeSet<Integer> model = new TreeSet<>();
        Random rnd = new Random(7);
        for (int step = 0; step < 200_000; step++) {
            int slot = rnd.nextInt(step < 100_000 ? 300 : 5_000); // re-adds, removals of absent slots, growth
            if (rnd.nextInt(3) == 0) {
                assertThat(set.remove(slot)).isEqualTo(model.remove(slot));
            } else {
                assertThat(set.add(slot)).isEqualTo(model.add(slot));
            }
            assertThat(set.size()).isEqualTo(model.size());
        }
        for (int s = 0; s < 6_000; s++) {
            assertThat(set.contains(s)).as("slot %d", s).isEqualTo(model.contains(s));
        }
        int n = 0;
        for (int s = set.next(0); s >= 0; s = set.next(s + 1)) {
            assertThat(model).contains(s);
            n++;
        }
        assertThat(n).isEqualTo(model.size());
        set.clear();
        assertThat(set.size()).isZero();
        assertThat(set.next(0)).isEqualTo(-1);
        assertThat(set.remove(5)).isFalse();
    }

    @Test
    void remapFollowsACompaction() {
        SlotSet set = new SlotSet();
        set.add(0);
        set.add(63);
        set.add(64);
        set.add(200);
        int[] map = new int[201];
        Arrays.fill(map, -1);
        map[63] = 0;   // kept, moved down
        map[200] = 1;  // kept
        map[64] = 2;
        // slot 0 is gone (map -1)
        set.remap(map);
        assertThat(set.size()).isEqualTo(3);
        assertThat(set.contains(0)).isTrue();
        assertThat(set.contains(1)).isTrue();
        assertThat(set.contains(2)).isTrue();
        assertThat(set.contains(63)).isFalse();
        assertThat(set.next(3)).isEqualTo(-1);
    }
}
