package io.gannet.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes a ByteBuf leak that netty's paranoid detector reports fail the test, instead of only
 * logging it. Registered for every test of a module that lists it (junit-platform.properties enables
 * extension auto-detection; META-INF/services lists this class). It installs a leak detector
 * factory whose detectors record each report; after every test it collects garbage, lets the
 * detector look at what was collected, and fails the test if anything leaked.
 *
 * <p>Netty finds a leak only once the buffer is garbage collected, so a leak is reported by the
 * test that leaked it, or at the latest by a later test of the same run: either way the run fails.
 */
public final class LeaksFailTests implements AfterEachCallback {
    private static final List<String> LEAKS = new ArrayList<>();

    static {
        // Before any ByteBuf class sets up its detector: this class is loaded when the engine starts.
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " ByteBuf leak(s) reported by netty's leak detector:\n"
                    + String.join("\n", found));
        }
    }

    /** Collects garbage, lets the detector report what it finds, and returns (and forgets) the reports. */
    public static List<String> collect() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            // A tracked allocation makes the detector poll its reference queue.
            ByteBuf probe = UnpooledByteBufAllocator.DEFAULT.buffer(1);
            probe.release();
        }
        synchronized (LEAKS) {
            List<String> out = List.copyOf(LEAKS);
            LEAKS.clear();
            return out;
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String type, String records) {
                    super.reportTracedLeak(type, records);
                    record(type + records);
                }

                @Override
                protected void reportUntracedLeak(String type) {
                    super.reportUntracedLeak(type);
                    record(type);
                }
            };
        }

        private static void record(String leak) {
            synchronized (LEAKS) {
                LEAKS.add(leak);
            }
        }
    }
}
