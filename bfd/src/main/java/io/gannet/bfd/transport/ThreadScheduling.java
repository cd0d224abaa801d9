package io.gannet.bfd.transport;

import io.gannet.linux.LibC;
import java.io.IOException;
import jnr.ffi.Pointer;

/**
 * Real-time scheduling for BFD's own threads. Under CPU saturation a normal thread can wait
 * tens of milliseconds for a core, which at 10-50 ms intervals is a false Down; SCHED_FIFO
 * lets the timer and receive threads (which use very little CPU) run as soon as they wake.
 * The kernel's RT throttling (sched_rt_runtime_us) still bounds them.
 */
public final class ThreadScheduling {
    private ThreadScheduling() {}

    /** Makes the calling thread SCHED_FIFO at {@code priority} (1..99); needs CAP_SYS_NICE. */
    public static void realtime(int priority) throws IOException {
        Pointer param = NativeMemory.allocate(4);
        param.putInt(0, priority);
        // pid 0 is the calling thread: Linux schedules threads, not processes.
        if (LibC.INSTANCE.sched_setscheduler(0, LibC.SCHED_FIFO, param) != 0) {
            throw NativeMemory.lastError("sched_setscheduler SCHED_FIFO " + priority);
        }
    }
}
