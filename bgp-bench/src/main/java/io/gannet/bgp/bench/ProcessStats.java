package io.gannet.bgp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of another process, from Linux /proc (proc(5)): utime + stime of
 * /proc/PID/stat (all threads, in clock ticks of USER_HZ = 100 on Linux), and VmHWM (peak
 * resident set) / VmRSS of /proc/PID/status.
 */
final class ProcessStats {
    /** USER_HZ: fixed at 100 on Linux for the /proc ABI, whatever the kernel's HZ. */
    private static final double TICKS_PER_SECOND = 100.0;
    private final long pid;

    ProcessStats(long pid) {
        this.pid = pid;
    }

    /** User plus system CPU seconds so far. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may contain spaces and parentheses: fields restart after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // After the name: state is field 3, so utime (field 14) and stime (field 15) sit at 11 and 12.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** Peak resident set size in MiB (VmHWM). */
    double peakRssMiB() throws IOException {
        return statusKiB("VmHWM:") / 1024.0;
    }

    /** Current resident set size in MiB (VmRSS). */
    double rssMiB() throws IOException {
        return statusKiB("VmRSS:") / 1024.0;
    }

    private long statusKiB(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(field + " missing in /proc/" + pid + "/status");
    }
}
