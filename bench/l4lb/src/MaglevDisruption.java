import io.gannet.bpf.lb.Backend;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * Share of a VIP's table entries (M = each size given as an argument; 65,537 and 1,048,391 by default) that move to another surviving backend when one of N
 * backends is removed (beyond the removed backend's own entries, which must move), for each
 * backend removed in turn (up to 50 of them), reported as max and mean, and as a multiple of 1/N.
 */
public final class MaglevDisruption {
    public static void main(String[] args) {
        for (String a : args.length == 0 ? new String[] {"65537", "1048391"} : args) {
            run(Integer.parseInt(a));
        }
    }

    private static void run(int m) {
        System.out.println("## Maglev disruption, M = " + m);
        System.out.println("| N | removed backend's own share | others moved, mean | others moved, max | max x N |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int n : new int[] {10, 100, 1000}) {
            List<WeightedBackend> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(new WeightedBackend(Backend.of("10.7." + (i / 250) + "." + (i % 250 + 1), 8080), 1));
            }
            VipTable before = VipTable.build(all, m);
            double sum = 0;
            double max = 0;
            double own = 0;
            int trials = Math.min(n, 50);
            for (int t = 0; t < trials; t++) {
                int gone = (int) ((long) t * n / trials);
                List<WeightedBackend> fewer = new ArrayList<>(all);
                Backend removed = fewer.remove(gone).backend();
                VipTable after = VipTable.build(fewer, m);
                int moved = 0;
                int mine = 0;
                for (int i = 0; i < m; i++) {
                    if (removed.equals(before.at(i))) {
                        mine++;
                    } else if (!before.at(i).equals(after.at(i))) {
                        moved++;
                    }
                }
                double share = (double) moved / m;
                sum += share;
                max = Math.max(max, share);
                own += (double) mine / m;
            }
            System.out.printf("| %d | %.4f %% | %.4f %% | %.4f %% | %.2f |%n", n, 100 * own / trials, 100 * sum / trials, 100 * max, max * n);
        }
    }
}
