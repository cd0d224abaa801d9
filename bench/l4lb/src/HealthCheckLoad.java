import io.gannet.l4lb.health.HealthChecker;
import io.gannet.l4lb.model.HealthCheckSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU the health checker uses for N TCP backends probed every second: N targets
 * 127.0.x.y:PORT (all of 127/8 is loopback) answered by four acceptor threads in this JVM,
 * whose own CPU is subtracted (the kernel's share of the listener's work is not). Reported as cores (CPU seconds per second) of the checker's
 * threads (timer thread, virtual-thread carriers) over the measurement window.
 */
public final class HealthCheckLoad {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(System.getProperty("bench.backends", "10000"));
        int seconds = Integer.parseInt(System.getProperty("bench.seconds", "20"));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), 4096);
        int port = server.getLocalPort();
        AtomicLong accepted = new AtomicLong();
        long[] acceptorId = new long[4];
        for (int a = 0; a < acceptorId.length; a++) {
            Thread acceptor = new Thread(() -> {
                while (true) {
                    try (Socket s = server.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "bench-acceptor-" + a);
            acceptor.setDaemon(true);
            acceptor.start();
            acceptorId[a] = acceptor.threadId();
        }
        AtomicLong changes = new AtomicLong();
        HealthCheckSpec spec = new HealthCheckSpec(HealthCheckSpec.Type.TCP, 0, "/", 200, List.of(), "",
                Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 3);
        try (HealthChecker hc = new HealthChecker((t, up, d) -> changes.incrementAndGet())) {
            for (int i = 0; i < n; i++) {
                hc.retain(new HealthChecker.Target("127.0." + (i / 250) + "." + (i % 250 + 1), port, spec));
            }
            Thread.sleep(5000); // every target probed at least 4 times: all healthy, JIT warm
            long cpu0 = totalCpu(mx) - cpuOf(mx, acceptorId);
            long user0 = totalUser(mx) - userOf(mx, acceptorId);
            long probes0 = hc.probesRun();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu1 = totalCpu(mx) - cpuOf(mx, acceptorId);
            long user1 = totalUser(mx) - userOf(mx, acceptorId);
            long probes1 = hc.probesRun();
            double wall = (System.nanoTime() - t0) / 1e9;
            long healthy = hc.status().stream().filter(HealthChecker.TargetStatus::healthy).count();
            System.out.printf("## health checks: %d TCP backends every 1 s, %d s window%n", n, seconds);
            System.out.printf("probes/s %.0f (expected %d), healthy %d/%d, checker CPU %.3f cores (%.1f us per probe), load average %.2f%n",
                    (probes1 - probes0) / wall, n, healthy, n, (cpu1 - cpu0) / 1e9 / wall,
                    (cpu1 - cpu0) / 1e3 / Math.max(1, probes1 - probes0),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            // On loopback the kernel runs both ends of each handshake (and the RST) in the prober's
            // system calls: the kernel share is what a remote backend's host would mostly pay itself.
            System.out.printf("of which user (Java) %.3f cores, kernel %.3f cores%n", (user1 - user0) / 1e9 / wall,
                    ((cpu1 - cpu0) - (user1 - user0)) / 1e9 / wall);
        }
        server.close();
    }

    private static long cpuOf(ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    private static long userOf(ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadUserTime(id));
        }
        return sum;
    }

    private static long totalUser(ThreadMXBean mx) {
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            sum += Math.max(0, mx.getThreadUserTime(id));
        }
        return sum;
    }

    private static long totalCpu(ThreadMXBean mx) {
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            long c = mx.getThreadCpuTime(id);
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }
}
