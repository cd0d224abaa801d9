package io.gannet.bfd.damping;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlapDamperTest {
    long now = 0;
    final FlapDamper d = new FlapDamper(() -> now, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(60));

    void advanceSeconds(double s) {
        now += (long) (s * 1e9);
    }

    @Test
    void firstUpIsPermittedAtOnce() {
        assertThat(d.permitted()).isFalse();
        d.up();
        assertThat(d.permitted()).isTrue();
        assertThat(d.currentHoldDown()).isZero();
    }

    @Test
    void eachFlapDoublesHoldDownUpToMax() {
        d.up();
        long[] expectedSeconds = {1, 2, 4, 8, 8};
        for (long expected : expectedSeconds) {
            d.down();
            assertThat(d.currentHoldDown()).isEqualTo(Duration.ofSeconds(expected));
            assertThat(d.permitted()).isFalse();
            advanceSeconds(0.5);
            d.up();
            assertThat(d.permittedAtNanos()).isEqualTo(now + expected * 1_000_000_000L);
            advanceSeconds(expected - 0.001);
            assertThat(d.permitted()).isFalse();
            advanceSeconds(0.001);
            assertThat(d.permitted()).isTrue();
        }
        assertThat(d.flaps()).isEqualTo(5);
    }

    @Test
    void downDuringHoldDownRestartsTheWaitLonger() {
        d.up();
        d.down();
        d.up();
        advanceSeconds(0.5);
        d.down(); // flapped again inside the 1 s hold-down
        d.up();
        assertThat(d.currentHoldDown()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.permittedAtNanos()).isEqualTo(now + 2_000_000_000L);
        assertThat(d.permittedAtNanos()).isEqualTo(d.permittedAtNanos());
        assertThat(d.isUp()).isTrue();
    }

    @Test
    void stabilityDecaysTheHoldDown() {
        d.up();
        for (int i = 0; i < 4; i++) { // hold-down reaches 8 s
            d.down();
            d.up();
        }
        assertThat(d.currentHoldDown()).isEqualTo(Duration.ofSeconds(8));
        advanceSeconds(120); // two half-lives: 8 -> 2, then the new Down doubles to 4
        d.down();
        assertThat(d.currentHoldDown()).isEqualTo(Duration.ofSeconds(4));
        d.up();
        advanceSeconds(600); // long stable: back to the initial hold-down
        d.down();
        assertThat(d.currentHoldDown()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.permittedAtNanos()).isEqualTo(Long.MAX_VALUE);
    }
}
