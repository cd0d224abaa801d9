import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The same builds as MaglevBuildBenchmark (65,537 entries, 100 and 1,000 backends, 0, 1 and
 * 10 % unhealthy), timed by the thread's CPU time as well as by the wall clock: on a shared,
 * loaded machine the CPU time leaves out the time the thread waited for a core, which the JMH
 * average includes. Not a replacement for JMH; a second view when the load is high.
 */
public final class TableBuildCpu {
    public static void main(String[] args) {
        int m = 65537;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("| backends | unhealthy | CPU per build (median of 9 x 50) | wall per build (median) |");
        System.out.println("|---:|---:|---:|---:|");
        for (int n : new int[] {100, 1000}) {
            for (int pct : new int[] {0, 1, 10}) {
                List<WeightedBackend> set = new ArrayList<>();
                Set<Backend> healthy = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    Backend b = Backend.of("10.7." + (i / 250) + "." + (i % 250 + 1), 8080);
                    set.add(new WeightedBackend(b, 1));
                    healthy.add(b);
                }
                int failed = n * pct / 100;
                for (int i = 0; i < failed; i++) {
                    healthy.remove(set.get((int) ((long) i * n / failed)).backend());
                }
                long sink = 0;
                for (int i = 0; i < 100; i++) {
                    sink += VipTable.build(set, healthy, m).entries()[i];
                }
                double[] cpu = new double[9];
                double[] wall = new double[9];
                for (int r = 0; r < 9; r++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    for (int i = 0; i < 50; i++) {
                        sink += VipTable.build(set, healthy, m).entries()[i];
                    }
                    cpu[r] = (mx.getCurrentThreadCpuTime() - c0) / 50 / 1e6;
                    wall[r] = (System.nanoTime() - w0) / 50 / 1e6;
                }
                java.util.Arrays.sort(cpu);
                java.util.Arrays.sort(wall);
                System.out.printf("| %d | %d %% (%d) | %.2f ms | %.2f ms |%s%n", n, pct, failed, cpu[4], wall[4], sink == 42 ? " " : "");
            }
        }
    }
}
