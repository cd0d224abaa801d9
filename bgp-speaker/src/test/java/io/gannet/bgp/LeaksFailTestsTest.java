package io.gannet.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.testsupport.LeaksFailTests;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The module's leak check itself: a buffer dropped without release is reported to the test run. */
class LeaksFailTestsTest {
    @Test
    void aDroppedBufferIsReported() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID); // surefire's argLine
        leak();
        List<String> found = List.of();
        for (int i = 0; i < 20 && found.isEmpty(); i++) {
            found = LeaksFailTests.collect(); // also clears them, so this test's own leak does not fail it
        }
        assertThat(found).isNotEmpty();
        assertThat(found.get(0)).contains("ByteBuf").contains("LeaksFailTestsTest.leak");
    }

    private static void leak() {
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(16);
        b.writeLong(42);
    }
}
