package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive prefix table against a HashMap model, through growth, removal and slot reuse. */
class PrefixTableTest {
    private record Key(long hi, long lo, int len) {}

    @Test
    void behavesLikeAMapForBothFamilies() {
        for (boolean v6 : new boolean[] {false, true}) {
            Random rnd = new Random(v6 ? 6 : 4);
            PrefixTable t = new PrefixTable(v6, 16);
            Map<Key, Integer> model = new HashMap<>();
            List<Key> keys = new ArrayList<>();
            for (int i = 0; i < 60_000; i++) {
                int len = v6 ? rnd.nextInt(129) : rnd.nextInt(33);
                // a small key space so inserts, hits and removals all happen often
                long hi = v6 ? (long) rnd.nextInt(4000) << 40 : (rnd.nextInt(4000) << 8) & 0xFFFFFFFFL;
                long lo = v6 ? rnd.nextInt(3) : 0;
                Key k = new Key(hi, lo, len);
                if (rnd.nextInt(3) == 0 && !keys.isEmpty()) {
                    Key victim = keys.remove(rnd.nextInt(keys.size()));
                    int slot = model.remove(victim);
                    assertThat(t.find(victim.hi, victim.lo, victim.len)).isEqualTo(slot);
                    t.remove(slot);
                    assertThat(t.find(victim.hi, victim.lo, victim.len)).isEqualTo(-1);
                } else {
                    int slot = t.findOrInsert(hi, lo, len);
                    Integer known = model.putIfAbsent(k, slot);
                    if (known != null) {
                        assertThat(slot).isEqualTo(known);
                    } else {
                        keys.add(k);
                        assertThat(t.hi(slot)).isEqualTo(hi);
                        assertThat(t.lo(slot)).isEqualTo(lo);
                        assertThat(t.length(slot)).isEqualTo(len);
                    }
                }
                assertThat(t.size()).isEqualTo(model.size());
            }
            for (Map.Entry<Key, Integer> e : model.entrySet()) {
                assertThat(t.find(e.getKey().hi, e.getKey().lo, e.getKey().len)).isEqualTo(e.getValue());
                assertThat(t.live(e.getValue())).isTrue();
            }
        }
    }

    @Test
    void ipv4AddressesWithTheTopBitSetRoundTripThroughTheIntKeys() {
        PrefixTable t = new PrefixTable(false, 16);
        long[] addrs = {0xE0000000L, 0xFFFFFF00L, 0x80000000L, 0x0A000000L, 0L};
        for (long a : addrs) {
            for (int len = 0; len <= 32; len += 8) {
                int s = t.findOrInsert(a, 0, len);
                assertThat(t.hi(s)).isEqualTo(a);
                assertThat(t.length(s)).isEqualTo(len);
                assertThat(t.find(a, 0, len)).isEqualTo(s);
            }
        }
        assertThat(t.size()).isEqualTo(addrs.length * 5);
        assertThat(t.find(0x7FFFFF00L, 0, 24)).isEqualTo(-1);
    }

    @Test
    void compactRenumbersLiveSlotsDenselyAndShrinks() {
        for (boolean v6 : new boolean[] {false, true}) {
            PrefixTable t = new PrefixTable(v6, 16);
            Map<Key, Integer> kept = new HashMap<>();
            int[] slots = new int[10_000];
            for (int i = 0; i < 10_000; i++) {
                slots[i] = t.findOrInsert(v6 ? (long) i << 32 : (long) i << 8, v6 ? i : 0, 24);
            }
            for (int i = 0; i < 10_000; i++) {
                long hi = v6 ? (long) i << 32 : (long) i << 8;
                if (i % 1000 == 7) {
                    kept.put(new Key(hi, v6 ? i : 0, 24), slots[i]);
                } else {
                    t.remove(slots[i]);
                }
            }
            assertThat(t.capacity()).isGreaterThanOrEqualTo(8192);
            int[] map = t.compact(64);
            assertThat(t.capacity()).isEqualTo(64);
            assertThat(t.size()).isEqualTo(10);
            assertThat(t.highWater()).isEqualTo(10);
            for (Map.Entry<Key, Integer> e : kept.entrySet()) {
                Key k = e.getKey();
                int now = t.find(k.hi, k.lo, k.len);
                assertThat(now).isEqualTo(map[e.getValue()]).isBetween(0, 9);
                assertThat(t.hi(now)).isEqualTo(k.hi);
                assertThat(t.lo(now)).isEqualTo(k.lo);
            }
            // still a working table: grows again from the compacted size
            for (int i = 0; i < 1000; i++) {
                int slot = t.findOrInsert(v6 ? 7L << 60 | i : 0xF0000000L | (long) i << 8, 0, 24);
                assertThat(t.find(v6 ? 7L << 60 | i : 0xF0000000L | (long) i << 8, 0, 24)).isEqualTo(slot);
            }
            assertThat(t.size()).isEqualTo(1010);
        }
    }
}
