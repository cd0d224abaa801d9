package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The export queue against a model: a FIFO that skips values already in it. */
class IntQueueTest {

    @Test
    void behavesLikeAFifoOfDistinctValues() {
        Random rnd = new Random(7);
        IntQueue q = new IntQueue();
        ArrayDeque<Integer> model = new ArrayDeque<>();
        for (int round = 0; round < 200_000; round++) {
            int op = rnd.nextInt(10);
            if (op < 6) {
                int v = rnd.nextInt(op == 0 ? 1_000_000 : 30_000);
                q.add(v);
                if (!model.contains(v)) {
                    model.addLast(v);
                }
            } else if (!model.isEmpty()) {
                assertThat(q.poll()).isEqualTo(model.pollFirst());
            }
            if (round % 50_000 == 0) {
                List<Integer> drained = new ArrayList<>();
                while (!q.isEmpty()) {
                    drained.add(q.poll());
                }
                assertThat(drained).containsExactlyElementsOf(model);
                model.clear();
                q.shrink();
            }
            assertThat(q.size()).isEqualTo(model.size());
        }
    }

    @Test
    void clearEmptiesItAndItStaysUsable() {
        IntQueue q = new IntQueue();
        for (int v = 0; v < 3 * 4096; v++) {
            q.add(v);
        }
        q.clear();
        assertThat(q.isEmpty()).isTrue();
        q.add(10);
        q.add(10);
        q.add(3);
        assertThat(q.poll()).isEqualTo(10);
        assertThat(q.poll()).isEqualTo(3);
        assertThat(q.isEmpty()).isTrue();
    }
}
