import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.l4lb.maglev.SlotPlan;
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
 *       rebuilt over the rest, so Maglev's own disruption applies;</li>
 *   <li><b>the same, with the slots agreed</b> ({@code gannet run --etcd}: {@link SlotPlan}): its
 *       slot stays, empty, and its entries fail over: nothing else should move;</li>
 *   <li><b>it is replaced by a new pod</b> (a rolling update: one endpoint leaves, another joins),
 *       slots agreed: the new pod takes the empty slot, nothing else should move.</li>
 * </ul>
 * Then, slots agreed, backends removed one by one until the plan starts afresh (the empty slots'
 * entries would fail over unevenly: {@link SlotPlan#next}), or all but one are gone: balance
 * before that step and what that step moves.
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
            double[][] removedAgreed = new double[trials][];
            double[][] replacedAgreed = new double[trials][];
            SlotPlan plan = SlotPlan.fresh(all);
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
                removedAgreed[t] = moved(before, VipTable.build(fewer, plan.next(fewer, m), fewerHealthy, m), x);
                List<WeightedBackend> replaced = new ArrayList<>(fewer);
                WeightedBackend fresh = new WeightedBackend(Backend.of("10.8.0.1", 8080), 1);
                replaced.add(fresh);
                Set<Backend> replacedHealthy = new HashSet<>(fewerHealthy);
                replacedHealthy.add(fresh.backend());
                VipTable after = VipTable.build(replaced, plan.next(replaced, m), replacedHealthy, m);
                replacedAgreed[t] = moved(before, after, x);
                for (int e = 0; e < m; e++) { // the new pod holds exactly what the old one held
                    if (x.equals(before.at(e)) != fresh.backend().equals(after.at(e))) {
                        throw new AssertionError("entry " + e + ": the new pod did not take the old pod's entry");
                    }
                }
            }
            row(n, "fails its health check", failed);
            row(n, "fails its readiness probe", unready);
            row(n, "is removed from the Service", removed);
            row(n, "is removed, slots agreed (--etcd)", removedAgreed);
            row(n, "is replaced (rolling update), slots agreed", replacedAgreed);
            afresh(all, plan, healthy, m);
        }
    }

    /** Slots agreed: remove backends one by one (spread over the set) until the plan starts afresh. */
    private static void afresh(List<WeightedBackend> all, SlotPlan plan, Set<Backend> healthy, int m) {
        int n = all.size();
        List<WeightedBackend> now = new ArrayList<>(all);
        Set<Backend> up = new HashSet<>(healthy);
        VipTable t = VipTable.build(now, plan, up, m);
        for (int k = 0; ; k++) {
            if (now.size() == 1) {
                int[] c = t.counts();
                System.out.printf("| %d | %d removals, never afresh: %d of %d slots empty, the last backend holds %d entries |%n", n, k,
                        plan.empty(), plan.slots().size(), java.util.stream.IntStream.of(c).max().orElse(0));
                return;
            }
            WeightedBackend x = now.remove((int) ((k * 7919L) % now.size()));
            up.remove(x.backend());
            SlotPlan next = plan.next(now, m);
            VipTable after = VipTable.build(now, next, up, m);
            if (next.plain()) {
                int[] c = t.counts();
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (int i = 0; i < c.length; i++) {
                    if (up.contains(t.backends().get(i).backend()) || t.backends().get(i).equals(x)) {
                        min = Math.min(min, c[i]);
                        max = Math.max(max, c[i]);
                    }
                }
                double[] mv = moved(t, after, x.backend());
                System.out.printf("| %d | the %d-th removal starts afresh (%d of %d slots were empty): entries per backend before"
                        + " it %d-%d (max/min %.2f); that removal moved %.2f %% of the others |%n", n, k + 1, plan.empty(),
                        plan.slots().size(), min, max, (double) max / min, 100 * mv[1]);
                return;
            }
            plan = next;
            t = after;
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
