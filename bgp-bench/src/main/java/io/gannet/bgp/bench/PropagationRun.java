package io.gannet.bgp.bench;

import io.gannet.linux.ProcessStats;

import io.gannet.bgp.wire.BgpError;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One propagation measurement through a device under test (DUT):
 *
 * <ol>
 *   <li>every injector's UPDATEs are encoded ({@link InjectorFeed}) while nothing is connected;
 *   <li>the collector and the injectors connect to the DUT and reach Established;
 *   <li>we wait until the DUT has been quiet (no UPDATE to any peer) for {@code settle};
 *   <li><b>t0</b>: all injectors start writing at once, as fast as their sockets take it;
 *   <li><b>t1</b>: the collector holds all {@code prefixes} bulk prefixes plus every
 *       injector's end marker. A marker follows its injector's bulk on the same TCP stream
 *       and every DUT handles one peer's messages in order, so at t1 the DUT has received
 *       and decided every route of every injector, and the collector has every prefix;
 *   <li><b>settled</b>: the last UPDATE any peer received before the DUT went quiet again
 *       (best-path changes and re-advertisements the DUT still sent after t1).
 * </ol>
 *
 * The DUT's CPU seconds are the difference of utime + stime between just before t0 and the
 * end of the settle wait; its peak RSS is VmHWM at that point.
 */
final class PropagationRun {
    /** The bulk prefixes start at 20.0.0.0: clear of 10/8 (the benchmark links) and the documentation nets. */
    static final int FIRST_PREFIX = 20 << 24;
    /** End markers are 192.0.2.k/32 (TEST-NET-1, RFC 5737), k = 1 + injector index. */
    static final int MARKER_BASE = 192 << 24 | 2 << 8;
    private static final int CHUNK_BYTES = 64 * 1024;

    /**
     * @param dut             the DUT's BGP address and port the injectors connect to
     * @param collectorDut    the DUT's address and port the collector connects to; also the NEXT_HOP
     *                        the collector expects (eBGP next hop self, RFC 4271 5.1.3)
     * @param dutPid          the DUT's process id for /proc statistics, 0 when it is not separate (tests)
     * @param collector       the collector's own address (it binds it; the DUT must know it)
     * @param collectorAs     the collector's AS
     * @param injectors       each injector's own address, which is also its NEXT_HOP
     * @param firstInjectorAs AS of the first injector; the others count up from it
     * @param prefixes        bulk prefixes each injector sends (all send the same ones)
     * @param length          their prefix length
     * @param settle          quiet time that counts as "the DUT is idle"
     * @param timeout         longest wait for the collector to complete
     * @param holdTimeSeconds hold time the peers propose
     */
    record Config(InetSocketAddress dut, InetSocketAddress collectorDut, long dutPid, InetAddress collector, long collectorAs, List<InetAddress> injectors,
                  long firstInjectorAs, int prefixes, int length, Duration settle,
                  Duration timeout, int holdTimeSeconds) {
        Config {
            injectors = List.copyOf(injectors);
            if (injectors.isEmpty()) {
                throw new IllegalArgumentException("at least one injector");
            }
        }

        int expectedPrefixes() {
            return prefixes + injectors.size();
        }
    }

    /**
     * What one run measured. Times are seconds from t0; CPU and RSS are NaN without a DUT pid.
     *
     * @param complete        whether the collector received every prefix within the timeout
     * @param wallSeconds     t1 - t0
     * @param injectSeconds   until the last injector's last write returned (socket buffer took it)
     * @param settledSeconds  until the last UPDATE any peer received
     * @param cpuSeconds      DUT utime + stime over the run
     * @param totalCpuSeconds DUT utime + stime from its start until it settled (start-up, warm-up and the run)
     * @param runQueueSeconds DUT threads' time runnable but waiting for a CPU over the run (machine load)
     * @param peakRssMiB      DUT VmHWM at the end
     * @param idleRssMiB      DUT VmRSS just before t0 (sessions up, table empty)
     * @param received        prefixes the collector held at the end
     * @param nextHopMismatches announcements with a NEXT_HOP other than the expected one
     * @param collectorUpdates UPDATE messages the collector received
     * @param injectorUpdates UPDATE messages the DUT sent back to injectors (other injectors' best paths)
     */
    record Result(boolean complete, double wallSeconds, double injectSeconds, double settledSeconds, double cpuSeconds,
                  double totalCpuSeconds, double runQueueSeconds, double peakRssMiB, double idleRssMiB, int received, int expected, long nextHopMismatches,
                  long collectorUpdates, long injectorUpdates, long decodeErrors) {
        /** One line of {@code key=value} pairs, the form the run script parses. */
        String toLine() {
            return String.format(Locale.ROOT,
                    "complete=%s wall_s=%.3f inject_s=%.3f settled_s=%.3f cpu_s=%.2f total_cpu_s=%.2f runq_s=%.2f peak_rss_mib=%.1f idle_rss_mib=%.1f "
                            + "received=%d expected=%d nexthop_mismatches=%d collector_updates=%d injector_updates=%d "
                            + "decode_errors=%d",
                    complete, wallSeconds, injectSeconds, settledSeconds, cpuSeconds, totalCpuSeconds, runQueueSeconds, peakRssMiB, idleRssMiB, received,
                    expected, nextHopMismatches, collectorUpdates, injectorUpdates, decodeErrors);
        }
    }

    private final Config config;
    private final LongSupplier nanoClock;
    private String threadReport = "";

    PropagationRun(Config config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
    }

    Result run() throws IOException, BgpError, InterruptedException {
        Config c = config;
        List<InjectorFeed> feeds = new ArrayList<>();
        for (int k = 0; k < c.injectors().size(); k++) {
            feeds.add(InjectorFeed.encode(FIRST_PREFIX, c.length(), c.prefixes(), MARKER_BASE | (k + 1),
                    c.firstInjectorAs() + k, (int) BenchPeer.toUnsigned(c.injectors().get(k))));
        }
        PrefixCounter counter = new PrefixCounter(c.expectedPrefixes(), (int) BenchPeer.toUnsigned(c.collectorDut().getAddress()),
                nanoClock);
        ProcessStats dut = c.dutPid() > 0 ? new ProcessStats(c.dutPid()) : null;
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bb-keepalive");
            t.setDaemon(true);
            return t;
        });
        List<BenchPeer> peers = new ArrayList<>();
        try {
            BenchPeer collector = new BenchPeer("collector", c.collector(), c.collectorDut(), c.collectorAs(), c.holdTimeSeconds(),
                    nanoClock, counter);
            peers.add(collector);
            List<BenchPeer> injectors = new ArrayList<>();
            for (int k = 0; k < c.injectors().size(); k++) {
                // What the DUT advertises back to an injector (the other injectors' best paths) is read and dropped.
                BenchPeer p = new BenchPeer("injector" + (k + 1), c.injectors().get(k), c.dut(), c.firstInjectorAs() + k,
                        c.holdTimeSeconds(), nanoClock, body -> { });
                injectors.add(p);
                peers.add(p);
            }
            long deadline = nanoClock.getAsLong() + TimeUnit.SECONDS.toNanos(60);
            for (BenchPeer p : peers) {
                p.connect(deadline, timers);
            }
            awaitQuiet(peers, nanoClock.getAsLong());
            double cpu0 = dut == null ? Double.NaN : dut.cpuSeconds();
            double idleRss = dut == null ? Double.NaN : dut.rssMiB();
            double wait0 = dut == null ? Double.NaN : dut.runQueueWaitSeconds();
            Map<Long, ProcessStats.ThreadTimes> threads0 = dut == null ? Map.of() : dut.threads();

            FeedSenders senders = FeedSenders.start(feeds, injectors, CHUNK_BYTES, nanoClock);
            long t0 = senders.t0();

            boolean complete = awaitComplete(counter, peers, t0);
            long t1 = counter.completeNanos();
            long lastSent = senders.awaitSent(c.timeout());
            long settledAt = awaitQuiet(peers, t0);
            double cpu1 = dut == null ? Double.NaN : dut.cpuSeconds();
            double peak = dut == null ? Double.NaN : dut.peakRssMiB();
            double wait1 = dut == null ? Double.NaN : dut.runQueueWaitSeconds();
            if (dut != null) {
                threadReport = threadReport(threads0, dut.threads());
            }
            long injectorUpdates = 0;
            for (BenchPeer p : injectors) {
                injectorUpdates += p.updatesReceived();
            }
            return new Result(complete, complete ? seconds(t1 - t0) : Double.NaN, seconds(lastSent - t0),
                    seconds(settledAt - t0), cpu1 - cpu0, cpu1, wait1 - wait0, peak, idleRss, counter.current(), c.expectedPrefixes(),
                    counter.nextHopMismatches(), collector.updatesReceived(), injectorUpdates, counter.decodeErrors());
        } finally {
            for (BenchPeer p : peers) {
                p.close();
            }
            timers.shutdownNow();
        }
    }

    /** The DUT's busiest threads over the last run: name, CPU seconds, run-queue wait seconds. */
    String threadReport() {
        return threadReport;
    }

    private static String threadReport(Map<Long, ProcessStats.ThreadTimes> before, Map<Long, ProcessStats.ThreadTimes> after) {
        record Delta(String name, double cpu, double queued) {}
        List<Delta> deltas = new ArrayList<>();
        for (Map.Entry<Long, ProcessStats.ThreadTimes> e : after.entrySet()) {
            ProcessStats.ThreadTimes b = before.get(e.getKey());
            ProcessStats.ThreadTimes a = e.getValue();
            deltas.add(new Delta(a.name(), a.cpuSeconds() - (b == null ? 0 : b.cpuSeconds()),
                    a.runQueueSeconds() - (b == null ? 0 : b.runQueueSeconds())));
        }
        deltas.sort((x, y) -> Double.compare(y.cpu(), x.cpu()));
        StringBuilder sb = new StringBuilder("DUT threads (cpu s / run-queue wait s):");
        for (int i = 0; i < Math.min(6, deltas.size()); i++) {
            Delta d = deltas.get(i);
            sb.append(String.format(Locale.ROOT, " %s %.2f/%.2f;", d.name(), d.cpu(), d.queued()));
        }
        return sb.toString();
    }

    private long awaitQuiet(List<BenchPeer> peers, long since) throws IOException, InterruptedException {
        return BenchPeer.awaitQuiet(peers, since, config.settle().toNanos(), config.timeout().toNanos(), nanoClock);
    }

    private boolean awaitComplete(PrefixCounter counter, List<BenchPeer> peers, long t0)
            throws IOException, InterruptedException {
        long deadline = t0 + config.timeout().toNanos();
        while (!counter.awaitComplete(100, TimeUnit.MILLISECONDS)) {
            BenchPeer.checkFailures(peers);
            if (nanoClock.getAsLong() > deadline) {
                return false;
            }
        }
        return true;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
