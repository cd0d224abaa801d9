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
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Per-packet cost of a node port with externalTrafficPolicy Local on a host device, at TC
 * (from_host) and in the XDP fast path (xdp_from_host, {@code gannet run --xdp}), IPv4 and IPv6,
 * by BPF_PROG_TEST_RUN with repeat 1 (a repeat would rerun the program on the already translated
 * packet): a new flow (SYN, a fresh 5-tuple each call: backend pick, two conntrack inserts, DNAT),
 * an established one (conntrack hit, DNAT), and from_host on the packet XDP translated (what TC
 * still costs behind XDP: "no service"). The node port is one frontend per node address, as the
 * agent programs it, beside 1,000 other node ports, 5 local endpoints each. Pins under a temporary
 * bpffs directory, removed after.
 */
public final class NodePortXdpBench {
    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(System.getProperty("bench.calls", "20000"));
        Path pins = Path.of("/sys/fs/bpf/gannet-np-xdp-bench-" + ProcessHandle.current().pid());
        Files.createDirectories(pins);
        try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pins))) {
            List<ServiceSpec> specs = new ArrayList<>();
            for (int n = 0; n < 1000; n++) {
                List<Backend> v4 = new ArrayList<>();
                List<Backend> v6 = new ArrayList<>();
                for (int b = 1; b <= 5; b++) {
                    v4.add(Backend.of("10.244.1." + b, 8080));
                    v6.add(Backend.of("fd00:10:244:1::" + b, 8080));
                }
                ServiceSpec.Access local = new ServiceSpec.Access(true, false, List.of());
                specs.add(new ServiceSpec("np4-" + n, Frontend.of("10.9.0.1", 30000 + n, Protocol.TCP), true,
                        ServiceSpec.Algorithm.RANDOM, v4, 0, Map.of(), local));
                specs.add(new ServiceSpec("np6-" + n, Frontend.of("fd00:9::1", 30000 + n, Protocol.TCP), true,
                        ServiceSpec.Algorithm.RANDOM, v6, 0, Map.of(), local));
            }
            dp.applyServices(specs);
            System.out.println("## node port (Local, 5 backends, 1,000 node ports per family), BPF_PROG_TEST_RUN repeat=1, mean of "
                    + calls + " calls (ns)");
            int run = 0;
            for (String family : new String[] {"IPv4", "IPv6"}) {
                for (String program : new String[] {Datapath.FROM_HOST, Datapath.XDP_FROM_HOST}) {
                    BpfProgram prog = dp.program(program);
                    int r = ++run;
                    IntFunction<byte[]> fresh = family.equals("IPv4")
                            ? i -> Packets.build(Packets.tcp("198.18." + (r * 10 + i / 60000) + "." + (1 + i % 200),
                                    1024 + (i / 200) % 60000, "10.9.0.1", 30500, Packets.TCP_SYN))
                            : i -> Packets.build(Packets.tcp("2001:db8:" + r + "::" + Integer.toHexString(1 + i % 200),
                                    1024 + (i / 200) % 60000, "fd00:9::1", 30500, Packets.TCP_SYN));
                    for (int i = 0; i < 2000; i++) {
                        prog.testRun(fresh.apply(calls + i), 1); // warm up
                    }
                    long sum = 0;
                    for (int i = 0; i < calls; i++) {
                        sum += prog.testRun(fresh.apply(i), 1).meanNanos();
                    }
                    double newFlow = (double) sum / calls;
                    String client = family.equals("IPv4") ? "198.19.0." + r : "2001:db8:ff::" + r;
                    String node = family.equals("IPv4") ? "10.9.0.1" : "fd00:9::1";
                    prog.testRun(Packets.build(Packets.tcp(client, 40000, node, 30500, Packets.TCP_SYN)), 1);
                    byte[] ack = Packets.build(Packets.tcp(client, 40000, node, 30500, Packets.TCP_ACK));
                    for (int i = 0; i < 2000; i++) {
                        prog.testRun(ack, 1);
                    }
                    sum = 0;
                    for (int i = 0; i < calls; i++) {
                        sum += prog.testRun(ack, 1).meanNanos();
                    }
                    System.out.printf("%s %s: new flow %.1f, established %.1f%n", family, program, newFlow, (double) sum / calls);
                    if (program.equals(Datapath.XDP_FROM_HOST)) {
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
