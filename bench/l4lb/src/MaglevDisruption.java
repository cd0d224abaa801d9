import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.HealthCheckSpec;
import io.gannet.l4lb.model.Readiness;
import io.gannet.l4lb.model.VipService;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Share of a VIP's table entries (M = each size given as an argument; 65,537 and 1,048,391 by
 * default) that move to another backend when one of N backends goes, beyond the entries that
 * backend held (which must move), for three events:
 * <ul>
 *   <li><b>the backend fails its health check</b>: it stays configured, the table is rebuilt with
 *       it unhealthy (Maglev over the configured backends, its entries failed over by rendezvous
 *       hashing): nothing else should move;</li>
 *   <li><b>the backend fails its readiness probe</b> (its EndpointSlice says {@code ready: false}):
 *       it stays configured too, and {@link VipService#serving()} leaves it out of the backends
 *       that take new flows, so it fails over as an unhealthy one does;</li>
 *   <li><b>the backend is removed from the Service</b>: the configured set shrinks and Maglev is
 *       rebuilt over the rest, so Maglev's own disruption applies.</li>
 * </ul>
 * Each backend in turn (up to 50 of them, spread over the N), reported as mean and max, and the
 * max as a multiple of 1/N (issue 15's target: at most 1.2).
 */
public final class MaglevDisruption {
    public static void main(String[] args) {
        for (String a : args.length == 0 ? new String[] {"65537", "1048391"} : args) {
            run(Integer.parseInt(a));
        }
    }

    private static void run(int m) {
        System.out.println("## Disruption, M = " + m);
        System.out.println("| N | one backend ... | its own entries (share) | others moved, mean | others moved, max | max x N |");
        System.out.println("|---:|---|---:|---:|---:|---:|");
        for (int n : new int[] {100, 1000}) {
            List<WeightedBackend> all = new ArrayList<>();
            Set<Backend> healthy = new HashSet<>();
            for (int i = 0; i < n; i++) {
                WeightedBackend b = new WeightedBackend(Backend.of("10.7." + (i / 250) + "." + (i % 250 + 1), 8080), 1);
                all.add(b);
                healthy.add(b.backend());
            }
            VipTable before = VipTable.build(all, healthy, m);
            int trials = Math.min(n, 50);
            double[][] failed = new double[trials][];
            double[][] unready = new double[trials][];
            double[][] removed = new double[trials][];
            for (int t = 0; t < trials; t++) {
                int gone = (int) ((long) t * n / trials);
                Backend x = all.get(gone).backend();
                Set<Backend> fewerHealthy = new HashSet<>(healthy);
                fewerHealthy.remove(x);
                failed[t] = moved(before, VipTable.build(all, fewerHealthy, m), x);
                VipService notReady = new VipService("bench/web:http", Frontend.of("203.0.113.10", 80, Protocol.TCP), all,
                        HealthCheckSpec.DEFAULT_TCP, Map.of(x, Readiness.NOT_READY));
                Set<Backend> serving = new HashSet<>(notReady.serving());
                serving.retainAll(healthy);
                unready[t] = moved(before, VipTable.build(notReady.backends(), serving, m), x);
                List<WeightedBackend> fewer = new ArrayList<>(all);
                fewer.remove(gone);
                removed[t] = moved(before, VipTable.build(fewer, fewerHealthy, m), x);
            }
            row(n, "fails its health check", failed);
            row(n, "fails its readiness probe", unready);
            row(n, "is removed from the Service", removed);
        }
    }

    /** {own share, others' share moved} between two tables when backend x goes. */
    private static double[] moved(VipTable before, VipTable after, Backend x) {
        int m = before.entries().length;
        int own = 0;
        int others = 0;
        for (int i = 0; i < m; i++) {
            Backend b = before.at(i);
            if (x.equals(b)) {
                own++;
            } else if (!b.equals(after.at(i))) {
                others++;
            }
        }
        return new double[] {(double) own / m, (double) others / m};
    }

    private static void row(int n, String event, double[][] r) {
        double own = 0;
        double sum = 0;
        double max = 0;
        for (double[] t : r) {
            own += t[0];
            sum += t[1];
            max = Math.max(max, t[1]);
        }
        System.out.printf("| %d | %s | %.4f %% | %.4f %% | %.4f %% | %.2f |%n", n, event, 100 * own / r.length, 100 * sum / r.length,
                100 * max, max * n);
    }
}
