package io.gannet.bgp.bench;

import io.gannet.bgp.wire.StreamMessageReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bgp.wire.BgpError;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a DUT sends the collector is decoded by the tools: garbage must end in an error value, never a crash. */
class GarbageInputTest {
    @Test
    void randomAndMutatedUpdateBodiesAreCountedAsErrorsNotThrown() throws Exception {
        PrefixCounter counter = new PrefixCounter(10, 0, System::nanoTime);
        Random random = new Random(42);
        InjectorFeed feed = InjectorFeed.encode(PropagationRun.FIRST_PREFIX, 24, 100, PropagationRun.MARKER_BASE | 1, 65001, 1);
        byte[] valid = InjectorFeedTest.bytesOf(feed);
        int body = 19; // the first UPDATE's body starts after its header
        for (int i = 0; i < 20_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[random.nextInt(64)];
                random.nextBytes(b);
            } else {
                int len = Math.min(4077, 4 + random.nextInt(400));
                b = java.util.Arrays.copyOfRange(valid, body, body + len);
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            counter.update(Unpooled.wrappedBuffer(b));
        }
        assertThat(counter.decodeErrors()).isPositive();
    }

    @Test
    void aBadHeaderIsABgpErrorAndATruncatedStreamAnEof() {
        byte[] notAMarker = new byte[19];
        assertThatThrownBy(() -> new StreamMessageReader(new ByteArrayInputStream(notAMarker)).next()).isInstanceOf(BgpError.class);
        byte[] truncated = new byte[25];
        java.util.Arrays.fill(truncated, 0, 16, (byte) -1);
        truncated[17] = 40; // length 40, but only 25 bytes arrive
        truncated[18] = 2;
        assertThatThrownBy(() -> new StreamMessageReader(new ByteArrayInputStream(truncated)).next()).isInstanceOf(EOFException.class);
    }
}
