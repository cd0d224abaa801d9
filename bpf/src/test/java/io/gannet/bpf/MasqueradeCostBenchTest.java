package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.nat.Ipv4Prefix;
import io.gannet.bpf.nat.MasqueradeFeature;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cost of SNAT masquerade per packet in to_host (bench/snat/README.md), through
 * BPF_PROG_TEST_RUN by the kernel's own timer:
 * <ul>
 *   <li>a packet of an established masqueraded flow, and a packet to a non-masquerade
 *       destination ({@link #FLOWS} runs of one packet, median and p90);</li>
 *   <li>a new flow (one run per flow, {@link #FLOWS} distinct flows, median and p90; the flow's
 *       entries are deleted after each run so the occupancy stays where it was set): its own
 *       port free, on an empty table; its own port free with 50% of the destination's random
 *       ports taken; its own port taken with 50% of the random ports taken (random tries).</li>
 * </ul>
 * Prints the figures; asserts the verdicts and that the 50% case needed random tries.
 */
class MasqueradeCostBenchTest {
    static final int FLOWS = 3_000;
    static final String NODE = "10.9.0.1";
    static final String POD = "10.244.1.5";
    static final String REMOTE = "203.0.113.10";

    @Test
    void newFlowCostUnderHalfThePortsTaken() {
        Path pinRoot = DatapathFixture.uniquePinRoot();
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            MasqueradeFeature masq = dp.masqueradeFeature();
            masq.apply(Map.of(1, Ipv4.parse(NODE)), Ipv4Prefix.parse("10.244.0.0/16"),
                    List.of(Ipv4Prefix.parse("10.244.0.0/16"), Ipv4Prefix.parse("192.168.0.0/16")));
            BpfProgram toHost = dp.program(Datapath.TO_HOST);
            StringBuilder report = new StringBuilder("to_host, masquerade:\n");

            // One run per packet throughout: a repeated run re-runs the program on the packet its
            // first run rewrote (the source is then the node: nothing to do), which would time the wrong path.
            byte[] excluded = Packets.build(Packets.tcp(POD, 39000, "192.168.1.1", 80, Packets.TCP_ACK));
            assertThat(toHost.testRun(excluded, 1).verdict()).isEqualTo(-1);
            report.append("  one run each, " + FLOWS + " runs:\n");
            report.append(same(toHost, "not masqueraded (a nonMasquerade destination)", excluded));
            byte[] established = Packets.build(Packets.tcp(POD, 39001, REMOTE, 80, Packets.TCP_ACK));
            assertThat(toHost.testRun(established, 1).verdict()).isZero();
            report.append(same(toHost, "a packet of an established flow", established));
            report.append("  new flows (a SYN each):\n");
            report.append(newFlows(dp, toHost, "own port free, empty table", 20_000, false));
            long now = dp.options().clock().monotonicSeconds();
            CtEntry live = new CtEntry(0, now + 3600, now, 0, CtEntry.SEEN_ACK, CtEntry.F_SNAT);
            int node = Ipv4.parse(NODE);
            int remote = Ipv4.parse(REMOTE);
            List<Map.Entry<CtKey, CtEntry>> taken = new ArrayList<>();
            int range = MasqueradeFeature.PORT_MAX - MasqueradeFeature.PORT_MIN + 1;
            for (int port = MasqueradeFeature.PORT_MIN; port <= MasqueradeFeature.PORT_MAX; port += 2) {
                taken.add(new AbstractMap.SimpleEntry<>(new CtKey(remote, node, 80, port, 6, CtKey.MASQ_IN), live));
            }
            // the pods' own ports of the third case: taken too
            for (int i = 0; i < FLOWS; i++) {
                taken.add(new AbstractMap.SimpleEntry<>(new CtKey(remote, node, 80, 40_000 + i, 6, CtKey.MASQ_IN), live));
            }
            dp.conntrack().putAll(taken);
            report.append(String.format("  (%d of %d random ports taken towards %s:80)%n", (range + 1) / 2, range, REMOTE));
            report.append(newFlows(dp, toHost, "own port free, 50% of the random ports taken", 20_000, false));
            long[] before = masq.retries();
            report.append(newFlows(dp, toHost, "own port taken, 50% of the random ports taken", 40_000, true));
            long[] after = masq.retries();
            long[] delta = new long[after.length];
            for (int i = 0; i < after.length; i++) {
                delta[i] = after[i] - before[i];
            }
            report.append("    random tries (buckets le 0,1,3,7,15,31,32,exhausted): ").append(Arrays.toString(delta)).append('\n');
            assertThat(delta[0]).as("own port taken: never kept").isZero();
            assertThat(delta[7]).as("half the range free: 32 tries always find one").isZero();
            System.out.println(report);
        } finally {
            Datapath.removePins(pinRoot);
        }
    }

    /** FLOWS runs of one packet. */
    private static String same(BpfProgram prog, String what, byte[] packet) {
        long[] ns = new long[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            ns[i] = prog.testRun(packet, 1).meanNanos();
        }
        Arrays.sort(ns);
        return String.format("    %s: median %d ns, p90 %d ns%n", what, ns[FLOWS / 2], ns[FLOWS * 9 / 10]);
    }

    /** FLOWS new flows from POD:firstPort.., one run each; their entries deleted after each run. */
    private static String newFlows(Datapath dp, BpfProgram toHost, String what, int firstPort, boolean randomExpected) {
        long[] ns = new long[FLOWS];
        int node = Ipv4.parse(NODE);
        int remote = Ipv4.parse(REMOTE);
        int pod = Ipv4.parse(POD);
        for (int i = 0; i < FLOWS; i++) {
            int sport = firstPort + i;
            TestRun.Result r = toHost.testRun(Packets.build(Packets.tcp(POD, sport, REMOTE, 80, Packets.TCP_SYN)), 1);
            assertThat(r.verdict()).isZero();
            int port = Short.toUnsignedInt(ByteBuffer.wrap(r.packet()).getShort(14 + 20));
            if (randomExpected) {
                assertThat(port).isBetween(MasqueradeFeature.PORT_MIN, MasqueradeFeature.PORT_MAX);
            } else {
                assertThat(port).isEqualTo(sport);
            }
            ns[i] = r.meanNanos();
            CtKey out = new CtKey(pod, remote, sport, 80, 6, CtKey.MASQ_OUT);
            CtKey in = new CtKey(remote, node, 80, port, 6, CtKey.MASQ_IN);
            dp.conntrack().delete(out);
            dp.conntrack().delete(in);
        }
        Arrays.sort(ns);
        return String.format("    %s: median %d ns, p90 %d ns%n", what, ns[FLOWS / 2], ns[FLOWS * 9 / 10]);
    }
}
