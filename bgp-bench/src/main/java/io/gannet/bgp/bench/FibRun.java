package io.gannet.bgp.bench;

import io.gannet.linux.ProcessStats;

import io.gannet.bgp.wire.BgpError;
import io.gannet.linux.LibC;
import io.gannet.linux.netlink.Route;
import io.gannet.linux.netlink.RtNetlink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One FIB measurement through a device under test: how long after the last UPDATE the DUT's
 * kernel holds every prefix as an ECMP route over all injectors.
 *
 * <ol>
 *   <li>every injector's UPDATEs are encoded ({@link InjectorFeed}): the same {@code prefixes}
 *       /24s from every injector, in one AS, each with its own address as NEXT_HOP, so a DUT
 *       with multipath forms one ECMP set per prefix as wide as there are injectors;
 *   <li>the injectors connect to the DUT and reach Established; the DUT's kernel table holds no
 *       route of the DUT's protocol in the bulk range (checked);
 *   <li><b>t0</b>: all injectors start writing at once; <b>last UPDATE</b>: the last injector's
 *       last write returned;
 *   <li>the DUT's main table is dumped over rtnetlink, in the DUT's namespace, every
 *       {@code poll} until every bulk prefix is a route of the DUT's protocol with a next hop per
 *       injector: <b>t1</b> is the end of that dump (a dump takes tens of milliseconds at
 *       100,000 routes; its mean duration is reported).
 * </ol>
 *
 * The DUT's CPU seconds (every DUT process: FRR's bgpd and zebra are two) are summed between t0
 * and t1; its peak RSS is the sum of VmHWM at t1.
 */
final class FibRun {
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final int MAIN_TABLE = 254;

    /**
     * @param dut         the DUT's BGP address and port
     * @param dutNetns    the DUT's network namespace ({@code /run/netns/NAME}), whose main table is read
     * @param protocol    the rtnetlink protocol number the DUT writes its routes with (BIRD 12, FRR bgp 186, Gannet 201)
     * @param dutPids     the DUT's processes, for /proc statistics (may be empty)
     * @param injectors   each injector's own address, which is also its NEXT_HOP
     * @param injectorAs  the AS of every injector (one AS: equal AS paths, multipath without relaxing)
     * @param prefixes    bulk /24s each injector sends (all send the same ones)
     */
    record Config(InetSocketAddress dut, Path dutNetns, int protocol, List<Long> dutPids, List<InetAddress> injectors,
                  long injectorAs, int prefixes, Duration poll, Duration settle, Duration timeout, int holdTimeSeconds) {
        Config {
            dutPids = List.copyOf(dutPids);
            injectors = List.copyOf(injectors);
            if (injectors.isEmpty()) {
                throw new IllegalArgumentException("at least one injector");
            }
        }
    }

    /**
     * Seconds are from t0. {@code afterLastUpdateSeconds}: t1 minus the last UPDATE.
     *
     * @param complete whether the kernel held every prefix with every next hop within the timeout
     * @param installed bulk prefixes in the kernel at the end with every next hop
     * @param partial  bulk prefixes in the kernel at the end with fewer next hops
     */
    record Result(boolean complete, double injectSeconds, double kernelSeconds, double afterLastUpdateSeconds, double firstRouteSeconds,
                  int installed, int partial, int expected, double cpuSeconds, double peakRssMiB, double dumpMillis, int dumps) {
        String toLine() {
            return String.format(Locale.ROOT,
                    "complete=%s inject_s=%.3f kernel_s=%.3f after_last_update_s=%.3f first_route_s=%.3f installed=%d partial=%d "
                            + "expected=%d cpu_s=%.2f peak_rss_mib=%.1f dump_ms=%.1f dumps=%d",
                    complete, injectSeconds, kernelSeconds, afterLastUpdateSeconds, firstRouteSeconds, installed, partial, expected,
                    cpuSeconds, peakRssMiB, dumpMillis, dumps);
        }
    }

    private final Config config;
    private final LongSupplier nanoClock;

    FibRun(Config config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
    }

    Result run() throws IOException, BgpError, InterruptedException {
        Config c = config;
        List<InjectorFeed> feeds = new ArrayList<>();
        for (int k = 0; k < c.injectors().size(); k++) {
            feeds.add(InjectorFeed.encode(PropagationRun.FIRST_PREFIX, 24, c.prefixes(), PropagationRun.MARKER_BASE | (k + 1),
                    c.injectorAs(), (int) BenchPeer.toUnsigned(c.injectors().get(k))));
        }
        List<ProcessStats> dut = new ArrayList<>();
        for (long pid : c.dutPids()) {
            dut.add(new ProcessStats(pid));
        }
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bb-keepalive");
            t.setDaemon(true);
            return t;
        });
        List<BenchPeer> injectors = new ArrayList<>();
        try (RtNetlink kernel = RtNetlink.openIn(c.dutNetns())) {
            for (int k = 0; k < c.injectors().size(); k++) {
                // What the DUT advertises back, if anything, is read and dropped.
                injectors.add(new BenchPeer("injector" + (k + 1), c.injectors().get(k), c.dut(), c.injectorAs(), c.holdTimeSeconds(),
                        nanoClock, body -> { }));
            }
            long deadline = nanoClock.getAsLong() + TimeUnit.SECONDS.toNanos(60);
            for (BenchPeer p : injectors) {
                p.connect(deadline, timers);
            }
            BenchPeer.awaitQuiet(injectors, nanoClock.getAsLong(), c.settle().toNanos(), c.timeout().toNanos(), nanoClock);
            Count before = count(kernel);
            if (before.any() != 0) {
                throw new IOException("the DUT's table already holds " + before.any() + " bulk routes of protocol " + c.protocol()
                        + " before the run");
            }
            double cpu0 = cpuSeconds(dut);

            FeedSenders senders = FeedSenders.start(feeds, injectors, CHUNK_BYTES, nanoClock);
            long t0 = senders.t0();
            long end = t0 + c.timeout().toNanos();
            long firstRoute = 0;
            long dumpNanos = 0;
            int dumps = 0;
            Count now;
            while (true) {
                BenchPeer.checkFailures(injectors);
                long d0 = nanoClock.getAsLong();
                now = count(kernel);
                long d1 = nanoClock.getAsLong();
                dumpNanos += d1 - d0;
                dumps++;
                if (firstRoute == 0 && now.any() > 0) {
                    firstRoute = d1;
                }
                if (now.full() == c.prefixes() || d1 > end) {
                    break;
                }
                Thread.sleep(c.poll().toMillis());
            }
            long t1 = nanoClock.getAsLong();
            boolean complete = now.full() == c.prefixes();
            long lastSent = senders.awaitSent(c.timeout());
            double cpu = cpuSeconds(dut) - cpu0;
            double rss = 0;
            for (ProcessStats p : dut) {
                rss += p.peakRssMiB();
            }
            return new Result(complete, seconds(lastSent - t0), complete ? seconds(t1 - t0) : Double.NaN,
                    complete ? seconds(t1 - lastSent) : Double.NaN, firstRoute == 0 ? Double.NaN : seconds(firstRoute - t0), now.full(),
                    now.any() - now.full(), c.prefixes(), cpu, dut.isEmpty() ? Double.NaN : rss, dumpNanos / 1e6 / dumps, dumps);
        } finally {
            for (BenchPeer p : injectors) {
                p.close();
            }
            timers.shutdownNow();
        }
    }

    /** Bulk prefixes of the DUT's protocol in the main table: any, and with a next hop per injector. */
    private record Count(int any, int full) {}

    private Count count(RtNetlink kernel) {
        long first = PropagationRun.FIRST_PREFIX & 0xFFFFFFFFL;
        long last = first + ((long) config.prefixes() << 8);
        int any = 0;
        int full = 0;
        for (Route r : kernel.routes().dump(LibC.AF_INET, MAIN_TABLE, config.protocol())) {
            if (r.dst().length() != 24) {
                continue;
            }
            long a = BenchPeer.toUnsigned(r.dst().address());
            if (a < first || a >= last) {
                continue;
            }
            any++;
            if (r.nextHops().size() >= config.injectors().size()) {
                full++;
            }
        }
        return new Count(any, full);
    }

    private static double cpuSeconds(List<ProcessStats> processes) throws IOException {
        double s = 0;
        for (ProcessStats p : processes) {
            s += p.cpuSeconds();
        }
        return s;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
