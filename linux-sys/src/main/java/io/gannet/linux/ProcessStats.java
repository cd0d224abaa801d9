package io.gannet.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of another process, from Linux /proc (proc(5)): utime + stime of
 * /proc/PID/stat (all threads, in clock ticks of USER_HZ = 100 on Linux), VmHWM (peak
 * resident set) / VmRSS of /proc/PID/status, and the time its threads were runnable but
 * waiting for a CPU (second field of /proc/PID/task/TID/schedstat, nanoseconds), which shows
 * how much of a wall time the machine's other load took away.
 */
public final class ProcessStats {
    /** USER_HZ: fixed at 100 on Linux for the /proc ABI, whatever the kernel's HZ. */
    private static final double TICKS_PER_SECOND = 100.0;
    private final long pid;

    public ProcessStats(long pid) {
        this.pid = pid;
    }

    /** User plus system CPU seconds so far. */
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may contain spaces and parentheses: fields restart after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // After the name: state is field 3, so utime (field 14) and stime (field 15) sit at 11 and 12.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** Seconds the process's live threads spent runnable on a run queue, summed. */
    public double runQueueWaitSeconds() throws IOException {
        long nanos = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    nanos += Long.parseLong(f[1]);
                } catch (IOException threadEnded) {
                    // a thread that ended between listing and reading has nothing left to count
                }
            }
        }
        return nanos / 1e9;
    }

    /** One thread's name, CPU seconds (utime + stime) and run-queue wait seconds so far. */
    public record ThreadTimes(String name, double cpuSeconds, double runQueueSeconds) {}

    /** Every live thread's times, by thread id. */
    public java.util.Map<Long, ThreadTimes> threads() throws IOException {
        java.util.Map<Long, ThreadTimes> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                    String[] sched = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    out.put(Long.parseLong(task.getFileName().toString()),
                            new ThreadTimes(name, cpu, Long.parseLong(sched[1]) / 1e9));
                } catch (IOException threadEnded) {
                    // ended between listing and reading
                }
            }
        }
        return out;
    }

    /** Peak resident set size in MiB (VmHWM). */
    public double peakRssMiB() throws IOException {
        return statusKiB("VmHWM:") / 1024.0;
    }

    /** Current resident set size in MiB (VmRSS). */
    public double rssMiB() throws IOException {
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
