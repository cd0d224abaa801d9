package io.gannet.bgp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrefixSetTest {
    @Test
    void agreesWithAHashSetUnderRandomAddsAndRemoves() {
        PrefixSet set = new PrefixSet(16);
        Set<Long> model = new HashSet<>();
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            // A small key space so removals hit and probe chains collide.
            long key = PrefixSet.key(random.nextInt(4096) << 8, 24 + random.nextInt(2));
            if (random.nextInt(3) == 0) {
                assertThat(set.remove(key)).isEqualTo(model.remove(key));
            } else {
                assertThat(set.add(key)).isEqualTo(model.add(key));
            }
            assertThat(set.size()).isEqualTo(model.size());
        }
        for (long k : model) {
            assertThat(set.contains(k)).isTrue();
        }
    }

    @Test
    void keysKeepAddressAndLengthApart() {
        PrefixSet set = new PrefixSet(4);
        assertThat(set.add(PrefixSet.key(0x14000000, 24))).isTrue();
        assertThat(set.add(PrefixSet.key(0x14000000, 16))).isTrue();
        assertThat(set.add(PrefixSet.key(0xC0000201, 32))).isTrue();
        assertThat(set.add(PrefixSet.key(0x14000000, 24))).isFalse();
        assertThat(set.size()).isEqualTo(3);
    }
}
