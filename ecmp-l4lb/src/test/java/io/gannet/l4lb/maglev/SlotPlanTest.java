package io.gannet.l4lb.maglev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Maglev slots agreed among the LB hosts: a backend that leaves the Service moves only its own
 * entries (the disruption target at N = 1,000, which plain Maglev misses with 6/N), a
 * rolling update's new pod takes the old pod's entries, and the plan is a pure, idempotent
 * function of the stored plan and the backends seen.
 */
class SlotPlanTest {
    static final int M = 65537;

    private static Set<Backend> all(List<WeightedBackend> bs) {
        Set<Backend> s = new HashSet<>();
        bs.forEach(b -> s.add(b.backend()));
        return s;
    }

    private static List<WeightedBackend> without(List<WeightedBackend> bs, int i) {
        List<WeightedBackend> out = new ArrayList<>(bs);
        out.remove(i);
        return out;
    }

    private static WeightedBackend be(String addr) {
        return new WeightedBackend(Backend.of(addr, 8080), 1);
    }

    /** Entries whose backend changed between two tables, not counting those {@code gone} held before. */
    private static int movedBeyond(VipTable before, VipTable after, Backend gone) {
        int moved = 0;
        for (int e = 0; e < M; e++) {
            Backend a = before.at(e);
            if (!a.equals(gone) && !a.equals(after.at(e))) {
                moved++;
            }
        }
        return moved;
    }

    @Test
    void aFreshPlanIsPlainMaglevWithItsFingerprint() {
        List<WeightedBackend> bs = VipTableTest.backends(100);
        VipTable plain = VipTable.build(bs, all(bs), M);
        VipTable slotted = VipTable.build(bs, SlotPlan.fresh(bs), all(bs), M);
        assertThat(slotted.entries()).isEqualTo(plain.entries());
        assertThat(slotted.fingerprint()).isEqualTo(plain.fingerprint());
        assertThat(SlotPlan.fresh(bs).plain()).isTrue();
    }

    @Test
    void removingOneOfAThousandMovesOnlyItsOwnEntriesWhereMaglevMovesSixOverN() {
        int n = 1000;
        List<WeightedBackend> bs = VipTableTest.backends(n);
        SlotPlan plan = SlotPlan.fresh(bs);
        VipTable before = VipTable.build(bs, plan, all(bs), M);
        for (int gone : new int[] {0, 321, 999}) {
            Backend b = bs.get(gone).backend();
            List<WeightedBackend> rest = without(bs, gone);
            SlotPlan next = plan.next(rest, M);
            assertThat(next.empty()).isEqualTo(1);
            VipTable after = VipTable.build(rest, next, all(rest), M);
            assertThat(movedBeyond(before, after, b)).as("other entries moved when %s left", b).isZero();
            assertThat(after.counts()).doesNotContain(0);
            int plainMoved = movedBeyond(before, VipTable.build(rest, all(rest), M), b);
            assertThat(plainMoved).as("plain Maglev's own disruption, for contrast").isGreaterThan(M * 2 / n);
        }
    }

    @Test
    void aRollingUpdatesNewPodTakesTheOldPodsEntriesAndNothingElseMoves() {
        List<WeightedBackend> bs = VipTableTest.backends(200);
        SlotPlan plan = SlotPlan.fresh(bs);
        VipTable before = VipTable.build(bs, plan, all(bs), M);
        Backend old = bs.get(17).backend();
        List<WeightedBackend> rest = without(bs, 17);
        List<WeightedBackend> replaced = new ArrayList<>(rest);
        WeightedBackend fresh = be("10.9.9.9");
        replaced.add(fresh);
        // the old pod goes first, then the new one comes: the new one takes the empty slot
        SlotPlan p1 = plan.next(rest, M);
        SlotPlan p2 = p1.next(replaced, M);
        assertThat(p2.empty()).isZero();
        assertThat(p2.slots()).hasSize(200);
        VipTable after = VipTable.build(replaced, p2, all(replaced), M);
        for (int e = 0; e < M; e++) {
            Backend was = before.at(e);
            assertThat(after.at(e)).isEqualTo(was.equals(old) ? fresh.backend() : was);
        }
        // both in one step (the EndpointSlice changed once): the same plan
        assertThat(plan.next(replaced, M)).isEqualTo(p2);
    }

    @Test
    void nextIsIdempotentAndABackendThatComesBackTakesItsOwnSlot() {
        List<WeightedBackend> bs = VipTableTest.backends(20);
        SlotPlan plan = SlotPlan.fresh(bs);
        SlotPlan gone = plan.next(without(without(bs, 3), 7), M); // .4 and .8 leave
        assertThat(gone.empty()).isEqualTo(2);
        assertThat(gone.next(without(without(bs, 3), 7), M)).isEqualTo(gone);
        // .8 comes back: it takes the slot made for it, not .4's (which comes first in slot order)
        SlotPlan back = gone.next(without(bs, 3), M);
        assertThat(back.slots()).filteredOn(s -> s.holder() != null && s.holder().equals(bs.get(7).backend()))
                .singleElement().extracting(SlotPlan.Slot::name).isEqualTo(bs.get(7).backend());
        assertThat(back.next(bs, M)).isEqualTo(plan);
    }

    @Test
    void aNewcomerOfAnotherWeightGetsASlotOfItsOwnAndAWeightChangeKeepsTheSlot() {
        List<WeightedBackend> bs = VipTableTest.backends(10);
        SlotPlan p = SlotPlan.fresh(bs).next(without(bs, 0), M);
        List<WeightedBackend> heavy = new ArrayList<>(without(bs, 0));
        heavy.add(new WeightedBackend(Backend.of("10.9.9.9", 8080), 3));
        SlotPlan q = p.next(heavy, M);
        assertThat(q.empty()).isEqualTo(1);
        assertThat(q.slots()).hasSize(11);
        // a weight change: the same slot, the new weight
        List<WeightedBackend> reweighted = new ArrayList<>(without(bs, 0));
        reweighted.set(0, new WeightedBackend(reweighted.get(0).backend(), 5));
        SlotPlan r = p.next(reweighted, M);
        assertThat(r.slots()).hasSize(10);
        assertThat(r.slots()).filteredOn(s -> reweighted.get(0).backend().equals(s.holder())).singleElement()
                .extracting(SlotPlan.Slot::weight).isEqualTo(5);
        VipTable t = VipTable.build(reweighted, r, all(reweighted), M);
        assertThat(t.backends().get(0).backend()).isEqualTo(reweighted.get(0).backend());
        assertThat(t.counts()[0]).as("weight 5 against 1").isGreaterThan(3 * t.counts()[1]);
    }

    @Test
    void aSlotMadeAgainForABackendWhoseFirstSlotIsTakenGetsTheNextGeneration() {
        List<WeightedBackend> bs = List.of(be("10.0.0.1"), be("10.0.0.2"), be("10.0.0.3"), be("10.0.0.4"), be("10.0.0.5"));
        SlotPlan p = SlotPlan.fresh(bs).next(bs.subList(1, 5), M); // .1 leaves
        SlotPlan q = p.next(List.of(bs.get(1), bs.get(2), bs.get(3), bs.get(4), be("10.0.0.9")), M); // .9 takes .1's slot
        SlotPlan r = q.next(List.of(bs.get(0), bs.get(1), bs.get(2), bs.get(3), bs.get(4), be("10.0.0.9")), M); // .1 is back
        assertThat(r.slots()).hasSize(6);
        assertThat(r.slots()).filteredOn(s -> bs.get(0).backend().equals(s.holder())).singleElement()
                .satisfies(s -> assertThat(s.generation()).isEqualTo(1));
        assertThat(new String(r.slots().stream().filter(s -> s.generation() == 1).findFirst().orElseThrow().seed()))
                .isEqualTo("10.0.0.1:8080#1");
        assertThat(SlotPlan.decode(r.encode())).isEqualTo(r);
        List<WeightedBackend> six = List.of(bs.get(0), bs.get(1), bs.get(2), bs.get(3), bs.get(4), be("10.0.0.9"));
        VipTable t = VipTable.build(six, r, all(six), M);
        assertThat(IntStream.of(t.counts()).min().orElseThrow()).isGreaterThan(M / 6 - 2);
    }

    @Test
    void aPlanStartsAfreshOnlyWhenEmptySlotsWouldFailOverUnevenly() {
        // 100 slots of a 4,099-entry table: e empty fail over unevenly (over 5 % of a holder's
        // share) when e (100 - e) > 0.0025 x 100 x 4,099 = 1,024.75, from the 12th
        List<WeightedBackend> bs = VipTableTest.backends(100);
        SlotPlan p = SlotPlan.fresh(bs);
        SlotPlan eleven = p.next(bs.subList(11, 100), 4099);
        assertThat(eleven.empty()).isEqualTo(11);
        assertThat(eleven.next(bs.subList(12, 100), 4099)).isEqualTo(SlotPlan.fresh(bs.subList(12, 100)));
        // the same removals in a table of 65,537 entries: never unbalanced enough at 100 backends
        assertThat(p.next(bs.subList(50, 100), M).empty()).isEqualTo(50);
        // three backends, one gone: its slot stays empty (a third of the table fails over evenly)
        List<WeightedBackend> three = VipTableTest.backends(3);
        assertThat(SlotPlan.fresh(three).next(three.subList(1, 3), M).empty()).isEqualTo(1);
        // none left: no slots
        assertThat(p.next(List.of(), M)).isEqualTo(SlotPlan.NONE);
        // balance just before a 1,000-backend plan of 65,537 entries starts afresh
        List<WeightedBackend> k = VipTableTest.backends(1000);
        SlotPlan q = SlotPlan.fresh(k);
        int removed = 0;
        while (true) {
            SlotPlan n = q.next(k.subList(removed + 1, 1000), M);
            if (n.plain()) {
                break;
            }
            q = n;
            removed++;
        }
        assertThat(removed).as("empty slots kept before starting afresh").isBetween(150, 250);
        List<WeightedBackend> live = k.subList(removed, 1000);
        int[] c = VipTable.build(live, q, all(live), M).counts();
        int min = IntStream.of(c).min().orElseThrow();
        int max = IntStream.of(c).max().orElseThrow();
        assertThat((double) max / min).as("max/min entries per backend, %d of 1,000 slots empty", removed).isLessThan(1.6);
    }

    @Test
    void encodedAndDecodedIncludingIpv6AndEmptySlots() {
        List<WeightedBackend> bs = List.of(be("10.0.0.1"), new WeightedBackend(Backend.of("fd00:97::21", 443), 2), be("10.0.0.2"),
                be("10.0.0.3"), be("10.0.0.4"));
        SlotPlan p = SlotPlan.fresh(bs).next(bs.subList(1, 5), M);
        assertThat(p.encode()).isEqualTo("""
                10.0.0.1:8080 1 -
                10.0.0.2:8080 1 10.0.0.2:8080
                10.0.0.3:8080 1 10.0.0.3:8080
                10.0.0.4:8080 1 10.0.0.4:8080
                [fd00:97::21]:443 2 [fd00:97::21]:443
                """);
        assertThat(SlotPlan.decode(p.encode())).isEqualTo(p);
    }

    @Test
    void aBadStoredPlanIsAClearError() {
        assertThatThrownBy(() -> SlotPlan.decode("10.0.0.1:8080 1\n")).hasMessageContaining("line 1: want \"name weight holder\"");
        assertThatThrownBy(() -> SlotPlan.decode("10.0.0.1:8080 1 -\n10.0.0.2 1 -\n")).hasMessageContaining("line 2")
                .hasMessageContaining("is not address:port");
        assertThatThrownBy(() -> SlotPlan.decode("10.0.0.1:8080 0 -\n")).hasMessageContaining("slot weight 0 is not 1-1000");
        assertThatThrownBy(() -> SlotPlan.decode("10.0.0.1:8080 1 10.0.0.2:8080\n10.0.0.3:8080 1 10.0.0.2:8080\n"))
                .hasMessageContaining("10.0.0.2:8080 holds two slots");
    }
}
