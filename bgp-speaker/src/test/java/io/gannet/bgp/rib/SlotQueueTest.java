package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The export queue against a model: distinct slots, served in slot order from a cursor that wraps. */
class SlotQueueTest {

    @Test
    void behavesLikeASetServedInSlotOrderFromAWrappingCursor() {
        Random rnd = new Random(7);
        SlotQueue q = new SlotQueue();
        TreeSet<Integer> model = new TreeSet<>();
        int cursor = 0;
        for (int round = 0; round < 200_000; round++) {
            int op = rnd.nextInt(10);
            if (op < 6) {
                int v = rnd.nextInt(op == 0 ? 1_000_000 : 30_000);
                q.add(v);
                model.add(v);
            } else if (!model.isEmpty()) {
                Integer want = model.ceiling(cursor);
                if (want == null) {
                    want = model.first();
                }
                model.remove(want);
                cursor = model.isEmpty() ? 0 : want + 1;
                assertThat(q.poll()).isEqualTo(want);
            }
            if (round % 50_000 == 0) {
                List<Integer> drained = new ArrayList<>();
                while (!q.isEmpty()) {
                    drained.add(q.poll());
                }
                assertThat(drained).containsExactlyInAnyOrderElementsOf(model);
                model.clear();
                cursor = 0;
                q.shrink();
            }
            assertThat(q.size()).isEqualTo(model.size());
        }
    }

    @Test
    void aSlotAddedBehindTheCursorWaitsOnePassAndSlotsAheadComeFirst() {
        SlotQueue q = new SlotQueue();
        for (int v : new int[] {5, 70, 9_000, 200_000}) {
            q.add(v);
        }
        assertThat(q.poll()).isEqualTo(5);
        assertThat(q.poll()).isEqualTo(70);
        q.add(6); // behind the cursor
        q.add(70_000);
        assertThat(q.poll()).isEqualTo(9_000);
        assertThat(q.poll()).isEqualTo(70_000);
        assertThat(q.poll()).isEqualTo(200_000);
        assertThat(q.poll()).isEqualTo(6);
        assertThat(q.isEmpty()).isTrue();
        assertThatThrownBy(q::poll).isInstanceOf(NoSuchElementException.class);
    }

    /** Issue 10: a FIFO of ints held 4 bytes per queued prefix, per peer; the queue holds a bit. */
    @Test
    void aMillionQueuedSlotsCostABitEach() {
        SlotQueue q = new SlotQueue();
        for (int v = 0; v < 1_000_000; v++) {
            q.add(v);
            q.add(v); // a change queued twice is sent once
        }
        assertThat(q.size()).isEqualTo(1_000_000);
        assertThat(q.footprintBytes()).isLessThanOrEqualTo(1_000_000 / 8 + 8 * 1024);
        for (int v = 0; v < 1_000_000; v++) {
            assertThat(q.poll()).isEqualTo(v);
        }
        q.shrink();
        assertThat(q.footprintBytes()).isZero();
    }

    @Test
    void clearEmptiesItAndItStaysUsable() {
        SlotQueue q = new SlotQueue();
        for (int v = 0; v < 3 * 4096; v++) {
            q.add(v);
        }
        q.poll();
        q.clear();
        assertThat(q.isEmpty()).isTrue();
        q.add(10);
        q.add(10);
        q.add(3);
        assertThat(q.poll()).isEqualTo(3);
        assertThat(q.poll()).isEqualTo(10);
        assertThat(q.isEmpty()).isTrue();
    }
}
