package io.gannet.agent.control;

import io.gannet.agent.GannetCli;
import io.gannet.agent.control.server.ApiRequest;
import io.gannet.agent.control.server.ControlApi;
import io.gannet.agent.control.server.ControlServer;
import io.gannet.agent.control.server.ControlServerConfig;
import io.gannet.agent.metrics.ChangeStats;
import io.gannet.agent.metrics.FamilyMetrics;
import io.gannet.agent.metrics.GannetMetrics;
import io.gannet.agent.metrics.MetricsSnapshot;
import io.gannet.agent.metrics.PeerMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;

/**
 * Benchmark, not a test (run by bench/control/run): the control server over a 1,000-peer
 * {@link FixtureDaemon}.
 *
 * <ol>
 *   <li>{@code GET /v1/peers} over the Unix socket (raw HTTP client: server time + transfer);</li>
 *   <li>{@code gannet show peers} in-process through picocli, the netty client and the table;</li>
 *   <li>{@code /metrics} with a 1,000-peer snapshot, while a "BGP loop" thread is busy: the
 *       loop records into the latency histogram and publishes snapshots, and measures its own
 *       longest stall, with and without scrapes running.</li>
 * </ol>
 */
public final class ControlBench {
    public static void main(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path dir = Files.createTempDirectory("gannet-bench");
        Path socket = dir.resolve("gannet.sock");
        FixtureDaemon daemon = FixtureDaemon.withPeers(peers);
        try (GannetMetrics metrics = GannetMetrics.create(InstantSource.system());
             ControlServer server = ControlServer.start(ControlServerConfig.defaults().withUnixSocket(socket)
                     .withMetricsTcp(new InetSocketAddress("127.0.0.1", 0)), daemon, daemon, metrics)) {
            metrics.publish(snapshot(peers, 0));
            System.out.printf("peers=%d rounds=%d cpus=%d java=%s%n", peers, rounds,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

            int bytes = RawHttp.get(socket, "/v1/peers").body().length();
            report("GET /v1/peers (raw HTTP, " + bytes + " B JSON)", time(rounds, () -> {
                RawHttp.Response r = RawHttp.get(socket, "/v1/peers");
                check(r.status() == 200, "status " + r.status());
            }));

            // The picocli model is built once, as in a real `gannet` process (building it costs
            // more than the request: it reflects over every subcommand of the tool).
            CommandLine cl = GannetCli.commandLine();
            report("gannet show peers (in-process CLI: request + table)", time(rounds, () -> {
                StringWriter out = new StringWriter();
                cl.setOut(new PrintWriter(out));
                int exit = cl.execute("show", "peers", "--socket", socket.toString());
                check(exit == 0 && out.toString().lines().count() == peers + 1, "exit " + exit);
            }));

            String scrape = RawHttp.get(socket, "/metrics").body();
            report("GET /metrics idle (" + scrape.lines().count() + " lines, " + scrape.length() + " B)",
                    time(Math.max(20, rounds / 4), () -> check(RawHttp.get(socket, "/metrics").status() == 200, "metrics")));

            // CPU time of the request handling itself (routing, the view call, JSON or text
            // encoding), measured per thread, so that a loaded machine does not inflate it.
            ControlApi api = new ControlApi(daemon, daemon, metrics);
            reportCpu("CPU: handle GET /v1/peers (route + view + JSON)", cpuTime(rounds,
                    () -> check(api.handle(ApiRequest.get("/v1/peers"), ControlApi.Scope.CONTROL).status() == 200, "peers")));
            reportCpu("CPU: handle GET /metrics (collect + text format)", cpuTime(Math.max(20, rounds / 4),
                    () -> check(api.handle(ApiRequest.get("/metrics"), ControlApi.Scope.CONTROL).status() == 200, "metrics")));

            busyLoopWithScrapes(metrics, socket, peers);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A stand-in BGP event loop: a thread that does 50 us work items back to back, recording
     * each into the update-latency histogram and publishing a fresh snapshot every 1,000 items,
     * and measures the longest gap between items. First alone, then while another thread
     * scrapes /metrics continuously.
     */
    private static void busyLoopWithScrapes(GannetMetrics metrics, Path socket, int peers) throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        mx.setThreadContentionMonitoringEnabled(true);
        long alone = busyLoop(metrics, peers, 2_000, null);
        java.lang.management.ThreadInfo before = mx.getThreadInfo(Thread.currentThread().getId());
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> scrapeNanos = new ArrayList<>();
        Thread scraper = new Thread(() -> {
            while (!stop.get()) {
                long t = System.nanoTime();
                try {
                    check(RawHttp.get(socket, "/metrics").status() == 200, "metrics");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                synchronized (scrapeNanos) {
                    scrapeNanos.add(System.nanoTime() - t);
                }
            }
        }, "bench-scraper");
        scraper.start();
        long withScrapes = busyLoop(metrics, peers, 2_000, stop);
        java.lang.management.ThreadInfo after = mx.getThreadInfo(Thread.currentThread().getId());
        scraper.join();
        long[] s = scrapeNanos.stream().mapToLong(Long::longValue).toArray();
        report("GET /metrics while the loop is busy", s);
        System.out.printf("busy loop longest stall: alone %.2f ms, during %d scrapes %.2f ms%n",
                alone / 1e6, s.length, withScrapes / 1e6);
        // Load-independent proof of "never blocks": the loop thread entered no monitor wait and
        // no park/wait while scrapes ran (a stall above is the scheduler, not a lock).
        System.out.printf("busy loop during scrapes: blocked %d times (%d ms), waited %d times (%d ms)%n",
                after.getBlockedCount() - before.getBlockedCount(), after.getBlockedTime() - before.getBlockedTime(),
                after.getWaitedCount() - before.getWaitedCount(), after.getWaitedTime() - before.getWaitedTime());
    }

    private static long busyLoop(GannetMetrics metrics, int peers, long millis, AtomicBoolean stopWhenDone) {
        long end = System.nanoTime() + millis * 1_000_000L;
        long last = System.nanoTime();
        long worst = 0;
        long items = 0;
        while (last < end) {
            long t = System.nanoTime();
            while (System.nanoTime() - t < 50_000) {
                Thread.onSpinWait();
            }
            metrics.updateLatency().recordNanos(System.nanoTime() - t);
            if (++items % 1000 == 0) {
                metrics.publish(snapshot(peers, items));
            }
            long now = System.nanoTime();
            worst = Math.max(worst, now - last - 50_000);
            last = now;
        }
        if (stopWhenDone != null) {
            stopWhenDone.set(true);
        }
        return worst;
    }

    static MetricsSnapshot snapshot(int peers, long tick) {
        List<PeerMetrics> list = new ArrayList<>(peers);
        ChangeStats c = new ChangeStats(tick, 0, 0, 0, tick);
        for (int i = 0; i < peers; i++) {
            FamilyMetrics v4 = new FamilyMetrics(io.gannet.agent.control.Family.IPV4, 100, 90, 10, 5, 40, c, c, c, c);
            FamilyMetrics v6 = new FamilyMetrics(io.gannet.agent.control.Family.IPV6, 10, 9, 1, 1, 4, c, c, c, c);
            list.add(new PeerMetrics(String.format("peer%04d", i), "10.0." + (i >> 8) + "." + (i & 255), 64512 + i, 65000,
                    SessionState.ESTABLISHED, false, System.currentTimeMillis() - 1000, 1, 0,
                    new MessageCounts(1, tick, 0, tick, 0), new MessageCounts(1, tick, 0, tick, 0), null, 0,
                    "import-" + i % 4, "export-pods", List.of(v4, v6)));
        }
        return new MetricsSnapshot(list, List.of(), List.of());
    }

    interface Body {
        void run() throws Exception;
    }

    private static long[] time(int rounds, Body body) throws Exception {
        for (int i = 0; i < Math.max(20, rounds / 5); i++) {
            body.run();
        }
        long[] t = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long s = System.nanoTime();
            body.run();
            t[i] = System.nanoTime() - s;
        }
        return t;
    }

    private static long[] cpuTime(int rounds, Body body) throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Math.max(20, rounds / 5); i++) {
            body.run();
        }
        long[] t = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long s = mx.getCurrentThreadCpuTime();
            body.run();
            t[i] = mx.getCurrentThreadCpuTime() - s;
        }
        return t;
    }

    private static void reportCpu(String what, long[] nanos) {
        report(what, nanos);
    }

    private static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        AtomicLong sum = new AtomicLong();
        Arrays.stream(s).forEach(sum::addAndGet);
        System.out.printf("%-55s n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", what, s.length,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6,
                s[s.length - 1] / 1e6);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark request failed: " + what);
        }
    }
}
