package io.gannet.bgp.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line for one {@link PropagationRun}: the injectors and the collector in this
 * process, the DUT elsewhere. The collector connects to {@code --collector-dut} and expects that
 * address as the NEXT_HOP of every route. Prints one {@code key=value} result line on stdout (the run
 * script parses it) and a human summary on stderr. Exit status 1 when the run failed or was
 * incomplete.
 *
 * <pre>
 * java -cp ... io.gannet.bgp.bench.PropagationBench --dut 10.84.1.1 --dut-pid 1234 \
 *     --collector-dut 10.84.2.1 --collector 10.84.2.10 --injector 10.84.1.11 [--injector ...] \
 *     --prefixes 1000000 [--length 24] [--port 179] [--collector-as 65100] [--injector-as 65001] \
 *     [--settle-ms 1000] [--timeout-s 300] [--hold-time 240]
 * </pre>
 */
public final class PropagationBench {
    private PropagationBench() {}

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        List<InetAddress> injectors = new ArrayList<>();
        for (String s : a.all("injector")) {
            injectors.add(Args.parseAddress(s));
        }
        int port = (int) a.number("port", 179);
        PropagationRun.Config config = new PropagationRun.Config(
                new InetSocketAddress(a.address("dut"), port),
                new InetSocketAddress(a.address("collector-dut"), port),
                a.number("dut-pid", 0),
                a.address("collector"),
                a.number("collector-as", 65100),
                injectors,
                a.number("injector-as", 65001),
                (int) a.number("prefixes", 100_000),
                (int) a.number("length", 24),
                Duration.ofMillis(a.number("settle-ms", 1000)),
                Duration.ofSeconds(a.number("timeout-s", 300)),
                (int) a.number("hold-time", 240));
        a.done();
        PropagationRun run = new PropagationRun(config, System::nanoTime);
        PropagationRun.Result r = run.run();
        System.out.println(r.toLine());
        System.err.printf("%d injector(s) x %d prefixes: collector has %d/%d after %.3f s (settled %.3f s), DUT cpu %.2f s, "
                        + "peak RSS %.1f MiB, next-hop mismatches %d%n", injectors.size(), config.prefixes(), r.received(),
                r.expected(), r.wallSeconds(), r.settledSeconds(), r.cpuSeconds(), r.peakRssMiB(), r.nextHopMismatches());
        System.err.println(run.threadReport());
        System.exit(r.complete() && r.nextHopMismatches() == 0 ? 0 : 1);
    }
}
