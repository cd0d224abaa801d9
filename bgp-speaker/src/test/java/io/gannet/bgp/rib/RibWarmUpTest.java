package io.gannet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.config.SpeakerConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The start-up JIT warm-up runs the whole UPDATE path on its own RIB, within its budget. Buffers
 * come from an allocator the paranoid leak detector of the module's tests skips: it records a stack
 * trace on every buffer access, which makes a decode loop a thousand times slower.
 */
class RibWarmUpTest {
    private static final SpeakerConfig SPEAKER = new SpeakerConfig(65000, 0x0A000001L, null, 0, 0, 1, List.of(), List.of());
    private static final int PREFIXES = 4096; // 5 UPDATEs per stream
    private static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(true, true);

    @Test
    void aClockThatNeverMovesRunsEveryRoundAndExportsEachStep() {
        RibWarmUp.Result r = RibWarmUp.run(SPEAKER, 1, () -> 0L, PREFIXES, UNTRACKED);
        assertThat(r.rounds()).isEqualTo(64);
        assertThat(r.updatesFed()).isEqualTo(64L * 6 * 5); // 3 sources announce, then withdraw
        // per round: the first announcement, two moves of the best path, the last withdrawal,
        // each at least 5 packed UPDATEs to the receiving peer
        assertThat(r.messagesSent()).isGreaterThanOrEqualTo(64L * 4 * 5);
    }

    @Test
    void theBudgetStopsARoundHalfWay() {
        AtomicLong now = new AtomicLong();
        // every clock reading moves time on by 1 ms: a 12 ms budget ends inside the first round
        RibWarmUp.Result r = RibWarmUp.run(SPEAKER, 12_000_000, () -> now.getAndAdd(1_000_000), PREFIXES, UNTRACKED);
        assertThat(r.rounds()).isZero();
        assertThat(r.updatesFed()).isEqualTo(11); // the start reads 0, then 1..11 ms are inside the budget
        assertThat(r.messagesSent()).isPositive();
    }

    @Test
    void ourAsAmongTheWarmUpPeersAsStillGivesLoopFreeEbgpPeers() {
        SpeakerConfig clash = new SpeakerConfig(64496, 0x0A000001L, null, 0, 0, 8, List.of(), List.of());
        RibWarmUp.Result r = RibWarmUp.run(clash, 1, () -> 0L, PREFIXES, UNTRACKED);
        assertThat(r.messagesSent()).isGreaterThanOrEqualTo(64L * 4 * 5);
    }
}
