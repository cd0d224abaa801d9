package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The primitive set behind "prefixes received", against a plain HashSet model. */
class ReceivedPrefixesTest {
    private record Key(long hi, long lo, int length) {}

    private static void compareWithModel(boolean ipv6, long seed) {
        ReceivedPrefixes set = new ReceivedPrefixes(ipv6);
        Set<Key> model = new HashSet<>();
        Random rnd = new Random(seed);
        for (int step = 0; step < 200_000; step++) {
            // A small key space makes re-adds, removals of absent keys and long probe chains common.
            long hi = ipv6 ? rnd.nextInt(64) * 0x0100_0000_0000_0000L : rnd.nextInt(4096) << 8;
            long lo = ipv6 ? rnd.nextInt(8) : 0;
            int length = ipv6 ? 120 + rnd.nextInt(9) : 16 + rnd.nextInt(9);
            Key k = new Key(hi, lo, length);
            if (rnd.nextInt(3) == 0) {
                assertThat(set.remove(hi, lo, length)).isEqualTo(model.remove(k));
            } else {
                assertThat(set.add(hi, lo, length)).isEqualTo(model.add(k));
            }
            assertThat(set.size()).isEqualTo(model.size());
        }
        for (Key k : model) {
            assertThat(set.add(k.hi(), k.lo(), k.length())).as("still present: %s", k).isFalse();
        }
        set.clear();
        assertThat(set.size()).isZero();
        assertThat(set.remove(0, 0, 24)).isFalse();
    }

    @Test
    void ipv4MatchesASetModelThroughGrowthShrinkAndDeletion() {
        compareWithModel(false, 7);
    }

    @Test
    void ipv6MatchesASetModelIncludingSlash128() {
        compareWithModel(true, 11);
        ReceivedPrefixes set = new ReceivedPrefixes(true);
        assertThat(set.add(1, 2, 128)).isTrue();
        assertThat(set.add(1, 2, 127)).isTrue();
        assertThat(set.add(1, 2, 128)).isFalse();
        assertThat(set.remove(1, 2, 128)).isTrue();
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void theDefaultRouteAndLengthsOfOneAddressAreDistinctKeys() {
        ReceivedPrefixes set = new ReceivedPrefixes(false);
        assertThat(set.add(0, 0, 0)).isTrue();
        assertThat(set.add(0x0A000000L, 0, 8)).isTrue();
        assertThat(set.add(0x0A000000L, 0, 16)).isTrue();
        assertThat(set.add(0, 0, 0)).isFalse();
        assertThat(set.size()).isEqualTo(3);
    }
}
