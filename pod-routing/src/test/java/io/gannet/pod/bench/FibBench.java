package io.gannet.pod.bench;

import io.gannet.linux.LibC;
import io.gannet.linux.netlink.Prefix;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.pod.routes.KernelRoutes;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * bench/fib's Gannet side: hands N prefixes with 2-way ECMP to {@link KernelRoutes} in batches
 * of 1,000 (as the BGP feed does after a burst of UPDATEs) inside the namespace given, and
 * prints the time from the last batch handed in to the last route in the kernel, confirmed by
 * a dump. Usage: FibBench NETNS_PATH N GW1 GW2
 */
public final class FibBench {
    private FibBench() {}

    public static void main(String[] args) {
        Path ns = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        InetAddress gw1 = Prefix.literal(args[2]);
        InetAddress gw2 = Prefix.literal(args[3]);
        List<List<KernelRoutes.BgpRoute>> batches = new ArrayList<>();
        List<KernelRoutes.BgpRoute> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int base = (20 << 24) + (i << 8);
            String p = ((base >>> 24) & 255) + "." + ((base >>> 16) & 255) + "." + ((base >>> 8) & 255) + ".0/24";
            b.add(new KernelRoutes.BgpRoute(Prefix.parse(p), List.of(gw1, gw2)));
            if (b.size() == 1000) {
                batches.add(b);
                b = new ArrayList<>();
            }
        }
        if (!b.isEmpty()) {
            batches.add(b);
        }
        try (KernelRoutes routes = KernelRoutes.start(RtNetlink.openIn(ns), KernelRoutes.Options.defaults());
             RtNetlink probe = RtNetlink.openIn(ns)) {
            routes.podsRestored();
            long t0 = System.nanoTime();
            for (List<KernelRoutes.BgpRoute> batch : batches) {
                routes.bgp(batch);
            }
            long handedIn = System.nanoTime();
            routes.flush();
            long flushed = System.nanoTime();
            int count = probe.routes().dump(LibC.AF_INET, 254, KernelRoutes.PROTOCOL).size();
            System.out.printf("gannet: %d routes handed in over %.1f ms; last route in the kernel %.1f ms after the last batch"
                    + " (%.0f routes/s); kernel has %d proto %d routes; %d writes refused%n",
                    n, (handedIn - t0) / 1e6, (flushed - handedIn) / 1e6, n / ((flushed - t0) / 1e9), count, KernelRoutes.PROTOCOL,
                    routes.failures());
        }
    }
}
