package io.gannet.bgp.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line for one {@link FibRun}: the injectors in this process, the DUT elsewhere (its
 * namespace's kernel table read over rtnetlink). Prints one {@code key=value} result line on
 * stdout (bench/fib/run parses it) and a human summary on stderr; exit status 1 when the kernel
 * did not hold every route within the timeout.
 *
 * <pre>
 * java -cp ... io.gannet.bgp.bench.FibBench --dut 10.84.9.1 --dut-netns /run/netns/NAME --protocol 201 \
 *     --injector 10.84.9.2 --injector 10.84.9.3 [--injector-as 65001] [--prefixes 100000] [--dut-pid PID ...] \
 *     [--port 179] [--poll-ms 50] [--settle-ms 1000] [--timeout-s 300] [--hold-time 240]
 * </pre>
 */
public final class FibBench {
    private FibBench() {}

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        List<InetAddress> injectors = new ArrayList<>();
        for (String s : a.all("injector")) {
            injectors.add(Args.parseAddress(s));
        }
        List<Long> pids = new ArrayList<>();
        for (String s : a.all("dut-pid")) {
            pids.add(Long.parseLong(s));
        }
        FibRun.Config config = new FibRun.Config(
                new InetSocketAddress(a.address("dut"), (int) a.number("port", 179)),
                Path.of(a.string("dut-netns", null)),
                (int) a.number("protocol", 0),
                pids,
                injectors,
                a.number("injector-as", 65001),
                (int) a.number("prefixes", 100_000),
                Duration.ofMillis(a.number("poll-ms", 50)),
                Duration.ofMillis(a.number("settle-ms", 1000)),
                Duration.ofSeconds(a.number("timeout-s", 300)),
                (int) a.number("hold-time", 240));
        a.done();
        if (config.protocol() <= 0) {
            throw new IllegalArgumentException("--protocol is required: the DUT's rtnetlink route protocol number");
        }
        FibRun.Result r = new FibRun(config, System::nanoTime).run();
        System.out.println(r.toLine());
        System.err.printf("%d injector(s) x %d prefixes: %d/%d in the kernel with %d next hops after %.3f s, %.3f s after the last "
                        + "UPDATE (%d with fewer), DUT cpu %.2f s, peak RSS %.1f MiB, %d dumps of %.1f ms%n", injectors.size(),
                config.prefixes(), r.installed(), r.expected(), injectors.size(), r.kernelSeconds(), r.afterLastUpdateSeconds(),
                r.partial(), r.cpuSeconds(), r.peakRssMiB(), r.dumps(), r.dumpMillis());
        System.exit(r.complete() ? 0 : 1);
    }
}
