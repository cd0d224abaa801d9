import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.Packets;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.BpfProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-packet cost through an L4LB host's datapath (from_host at TC, then xdp_from_host, the XDP
 * fast path of {@code gannet run --xdp}; BPF_PROG_TEST_RUN, repeat 1, fresh 5-tuples per program):
 * a VIP with 100 backends and its 65,537-entry Maglev table, as the L4LB programs it
 * (external, Maglev, weights), for new flows (SYN, a fresh 5-tuple each call: Maglev lookup,
 * two conntrack inserts, DNAT) and established ones (conntrack hit, DNAT); random selection
 * over the same backends for comparison. Pins under a temporary bpffs directory, removed after.
 */
public final class L4lbPacketBench {
    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(System.getProperty("bench.calls", "20000"));
        Path pins = Path.of("/sys/fs/bpf/gannet-l4lb-bench-" + ProcessHandle.current().pid());
        Files.createDirectories(pins);
        try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins))) {
            List<Backend> bs = new ArrayList<>();
            Map<Backend, Integer> weights = new HashMap<>();
            for (int i = 0; i < 100; i++) {
                Backend b = Backend.of("10.92." + (i / 250) + "." + (i % 250 + 1), 8080);
                bs.add(b);
                weights.put(b, 1);
            }
            dp.applyServices(List.of(
                    new ServiceSpec("vip", Frontend.of("203.0.113.10", 80, Protocol.TCP), true, ServiceSpec.Algorithm.MAGLEV, bs, weights),
                    new ServiceSpec("vip-random", Frontend.of("203.0.113.11", 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, bs)));
            System.out.println("## per packet, BPF_PROG_TEST_RUN repeat=1, mean of " + calls + " calls (ns)");
            int run = 0;
            for (String program : new String[] {Datapath.FROM_HOST, Datapath.XDP_FROM_HOST}) {
                BpfProgram prog = dp.program(program);
                run++;
                for (String vip : new String[] {"203.0.113.10", "203.0.113.11"}) {
                    // warm up, then new flows: a fresh client port/address every call
                    for (int i = 0; i < 2000; i++) {
                        prog.testRun(Packets.build(Packets.tcp("198.18." + (200 + run) + "." + (1 + i % 200), 1024 + i / 200, vip, 80,
                                Packets.TCP_SYN)), 1);
                    }
                    long sum = 0;
                    for (int i = 0; i < calls; i++) {
                        sum += prog.testRun(Packets.build(Packets.tcp("198.18." + (run * 10 + i / 60000) + "." + (1 + i % 200),
                                1024 + (i / 200) % 60000, vip, 80, Packets.TCP_SYN)), 1).meanNanos();
                    }
                    double fresh = (double) sum / calls;
                    byte[] syn = Packets.build(Packets.tcp("198.19.0." + run, 40000, vip, 80, Packets.TCP_SYN));
                    prog.testRun(syn, 1);
                    byte[] ack = Packets.build(Packets.tcp("198.19.0." + run, 40000, vip, 80, Packets.TCP_ACK));
                    for (int i = 0; i < 2000; i++) {
                        prog.testRun(ack, 1);
                    }
                    sum = 0;
                    for (int i = 0; i < calls; i++) {
                        sum += prog.testRun(ack, 1).meanNanos();
                    }
                    double est = (double) sum / calls;
                    System.out.printf("%s %s (%s): new flow %.1f, established %.1f%n", program, vip,
                            vip.endsWith(".10") ? "Maglev, 100 backends" : "random, 100 backends", fresh, est);
                    if (program.equals(Datapath.XDP_FROM_HOST)) {
                        // behind XDP, from_host at TC still sees every packet, already translated: "no service"
                        byte[] translated = prog.testRun(ack, 1).packet();
                        BpfProgram tc = dp.program(Datapath.FROM_HOST);
                        sum = 0;
                        for (int i = 0; i < calls; i++) {
                            sum += tc.testRun(translated, 1).meanNanos();
                        }
                        System.out.printf("  + from_host at TC on the packet XDP translated (no service): %.1f%n", (double) sum / calls);
                    }
                }
            }
            System.out.printf("load average %.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            Datapath.removePins(pins);
        }
    }
}
