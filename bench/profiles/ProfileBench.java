import io.gannet.topology.LoadedProfile;
import io.gannet.topology.TopologyProfiles;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.render.NodeConfigWriter;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Path;

/**
 * In-JVM timing of "check" (load + validate + resolve every host) and "render --node"
 * (check, then build and print one host's NodeConfig) on a generated profile, excluding JVM
 * start. Reports the first (cold) run and the median of the following warm runs, each as wall
 * time and as the main thread's CPU time (which a busy shared machine does not inflate).
 * Usage: java -cp <gannet classpath> ProfileBench.java FILE HOST [RUNS]
 */
public final class ProfileBench {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String host = args[1];
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        SecretResolver secrets = SecretResolver.referencesOnly();
        long[] check = new long[runs];
        long[] render = new long[runs];
        long[] checkCpu = new long[runs];
        long[] renderCpu = new long[runs];
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < runs; i++) {
            long c0 = cpu.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            LoadedProfile p = TopologyProfiles.load(file);
            if (p.hasErrors()) {
                throw new IllegalStateException(p.problems().toString());
            }
            long t1 = System.nanoTime();
            long c1 = cpu.getCurrentThreadCpuTime();
            LoadedProfile q = TopologyProfiles.load(file);
            NodeConfig n = q.nodeConfig(host, secrets);
            String out = NodeConfigWriter.yaml(n);
            long t2 = System.nanoTime();
            long c2 = cpu.getCurrentThreadCpuTime();
            if (out.isEmpty()) {
                throw new IllegalStateException();
            }
            check[i] = t1 - t0;
            render[i] = t2 - t1;
            checkCpu[i] = c1 - c0;
            renderCpu[i] = c2 - c1;
        }
        System.out.printf("check          first %6.0f ms wall %6.0f ms cpu   warm median %6.0f ms wall %6.0f ms cpu%n",
                check[0] / 1e6, checkCpu[0] / 1e6, median(check) / 1e6, median(checkCpu) / 1e6);
        System.out.printf("render --node  first %6.0f ms wall %6.0f ms cpu   warm median %6.0f ms wall %6.0f ms cpu%n",
                render[0] / 1e6, renderCpu[0] / 1e6, median(render) / 1e6, median(renderCpu) / 1e6);
    }

    private static double median(long[] v) {
        long[] w = java.util.Arrays.copyOfRange(v, 1, v.length);
        java.util.Arrays.sort(w);
        return w.length == 0 ? v[0] : w[w.length / 2];
    }
}
