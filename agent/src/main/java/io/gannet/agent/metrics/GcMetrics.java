package io.gannet.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.TimeUnit;

/**
 * The collector's series under the names of Micrometer's {@code JvmGcMetrics}, read from the
 * management beans when scraped instead of from GC notifications. The notification machinery
 * (JMX notification emitters, open-type composite data, GcInfo builders) loaded some 150 classes,
 * ~0.9 MiB of the daemon's idle RSS, for series a scrape can compute:
 * <ul>
 *   <li>{@code jvm_gc_pause_seconds_count} / {@code _sum}, per collector ({@code gc}) with
 *       {@code action} "end of minor GC" or "end of major GC": collections and their total time.
 *       Per-pause maxima and the {@code cause} label need the notifications and are not kept;</li>
 *   <li>{@code jvm_gc_max_data_size_bytes} and {@code jvm_gc_live_data_size_bytes}: the old
 *       generation's maximum and its use after the last collection;</li>
 *   <li>{@code jvm_gc_memory_allocated_bytes_total}: bytes allocated by all threads, where the JVM
 *       counts them (HotSpot does). Promoted bytes need the notifications and are not kept.</li>
 * </ul>
 */
final class GcMetrics {
    private GcMetrics() {}

    static void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionTimer.builder("jvm.gc.pause", gc, GarbageCollectorMXBean::getCollectionCount,
                            GarbageCollectorMXBean::getCollectionTime, TimeUnit.MILLISECONDS)
                    .tags("gc", gc.getName(), "action", action(gc.getName()))
                    .description("Collections and their total time, per collector")
                    .register(registry);
        }
        MemoryPoolMXBean old = oldGeneration();
        if (old != null) {
            Gauge.builder("jvm.gc.max.data.size", old, p -> max(p.getUsage()))
                    .baseUnit(BaseUnits.BYTES).description("Max size of the old generation")
                    .register(registry);
            Gauge.builder("jvm.gc.live.data.size", old, p -> bytes(p.getCollectionUsage()))
                    .baseUnit(BaseUnits.BYTES).description("Size of the old generation after the last collection")
                    .register(registry);
        }
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            FunctionCounter.builder("jvm.gc.memory.allocated", threads, com.sun.management.ThreadMXBean::getTotalThreadAllocatedBytes)
                    .baseUnit(BaseUnits.BYTES).description("Bytes allocated by all threads since the start")
                    .register(registry);
        }
    }

    /** Young-generation collectors by the names HotSpot gives them; every other one counts as major. */
    static String action(String collector) {
        String n = collector.toLowerCase(java.util.Locale.ROOT);
        boolean minor = n.equals("copy") || n.contains("young") || n.contains("scavenge") || n.equals("parnew") || n.contains("minor");
        return minor ? "end of minor GC" : "end of major GC";
    }

    private static MemoryPoolMXBean oldGeneration() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            String n = p.getName();
            if (p.getType() == MemoryType.HEAP && (n.contains("Old Gen") || n.contains("Tenured Gen"))) {
                return p;
            }
        }
        return null;
    }

    /** The pool's maximum, NaN when it has none (-1). */
    private static double max(MemoryUsage u) {
        return u == null || u.getMax() < 0 ? Double.NaN : u.getMax();
    }

    private static double bytes(MemoryUsage u) {
        return u == null ? Double.NaN : u.getUsed();
    }
}
