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
}
