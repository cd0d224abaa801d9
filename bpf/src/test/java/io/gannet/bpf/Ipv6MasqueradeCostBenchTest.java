package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.nat.Ipv6Prefix;
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
 * Cost of IPv6 masquerade (lib/masq6.h) per packet in to_host, the IPv6 twin of
 * {@link MasqueradeCostBenchTest} (bench/snat/README.md), by the kernel's own timer: one run per
 * packet, {@link #FLOWS} runs per row, median and p90. Prints the figures; asserts the verdicts
 * and that the last case needed random tries.
 */
class Ipv6MasqueradeCostBenchTest {
    static final int FLOWS = 3_000;
    static final String NODE = "fd00:9::1";
    static final String POD = "fd00:10:244:1::5";
    static final String REMOTE = "2001:db8:99::10";

    @Test
    void ipv6PacketAndNewFlowCost() {
        Path pinRoot = DatapathFixture.uniquePinRoot();
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            MasqueradeFeature masq = dp.masqueradeFeature();
            masq.apply6(Map.of(1, Ipv6.parse(NODE)), Ipv6Prefix.parse("fd00:10:244::/56"),
                    List.of(Ipv6Prefix.parse("fd00:10:244::/56"), Ipv6Prefix.parse("2001:db8:50::/48")));
            BpfProgram toHost = dp.program(Datapath.TO_HOST);
            StringBuilder report = new StringBuilder("to_host, IPv6 masquerade:\n");
            byte[] excluded = Packets.build(Packets.tcp(POD, 39000, "2001:db8:50::1", 80, Packets.TCP_ACK));
            assertThat(toHost.testRun(excluded, 1).verdict()).isEqualTo(-1);
            report.append(same(toHost, "not masqueraded (a nonMasquerade destination)", excluded));
            byte[] established = Packets.build(Packets.tcp(POD, 39001, REMOTE, 80, Packets.TCP_ACK));
            assertThat(toHost.testRun(established, 1).verdict()).isZero();
            report.append(same(toHost, "a packet of an established flow", established));
            report.append(newFlows(dp, toHost, "new flow, own port free, empty table", 20_000, false));
            long now = dp.options().clock().monotonicSeconds();
            CtEntry live = new CtEntry(0, now + 3600, now, 0, CtEntry.SEEN_ACK, CtEntry.F_SNAT);
            Ipv6 node = Ipv6.parse(NODE);
            Ipv6 remote = Ipv6.parse(REMOTE);
            List<Map.Entry<CtKey6, CtEntry>> taken = new ArrayList<>();
            for (int port = MasqueradeFeature.PORT_MIN; port <= MasqueradeFeature.PORT_MAX; port += 2) {
                taken.add(new AbstractMap.SimpleEntry<>(new CtKey6(remote.hi(), remote.lo(), node.hi(), node.lo(), 80, port, 6,
                        CtKey.MASQ_IN), live));
            }
            for (int i = 0; i < FLOWS; i++) {
                taken.add(new AbstractMap.SimpleEntry<>(new CtKey6(remote.hi(), remote.lo(), node.hi(), node.lo(), 80, 40_000 + i, 6,
                        CtKey.MASQ_IN), live));
            }
            dp.conntrack6().putAll(taken);
            long[] before = masq.retries();
            report.append(newFlows(dp, toHost, "new flow, own port taken, 50% of the random ports taken", 40_000, true));
            long[] after = masq.retries();
            assertThat(after[0] - before[0]).as("own port taken: never kept").isZero();
            assertThat(after[7] - before[7]).as("half the range free: 32 tries always find one").isZero();
            System.out.println(report);
        } finally {
            Datapath.removePins(pinRoot);
        }
    }

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
        Ipv6 node = Ipv6.parse(NODE);
        Ipv6 remote = Ipv6.parse(REMOTE);
        Ipv6 pod = Ipv6.parse(POD);
        for (int i = 0; i < FLOWS; i++) {
            int sport = firstPort + i;
            TestRun.Result r = toHost.testRun(Packets.build(Packets.tcp(POD, sport, REMOTE, 80, Packets.TCP_SYN)), 1);
            assertThat(r.verdict()).isZero();
            int port = Short.toUnsignedInt(ByteBuffer.wrap(r.packet()).getShort(14 + 40));
            if (randomExpected) {
                assertThat(port).isBetween(MasqueradeFeature.PORT_MIN, MasqueradeFeature.PORT_MAX);
            } else {
                assertThat(port).isEqualTo(sport);
            }
            ns[i] = r.meanNanos();
            dp.conntrack6().delete(new CtKey6(pod.hi(), pod.lo(), remote.hi(), remote.lo(), sport, 80, 6, CtKey.MASQ_OUT));
            dp.conntrack6().delete(new CtKey6(remote.hi(), remote.lo(), node.hi(), node.lo(), 80, port, 6, CtKey.MASQ_IN));
        }
        Arrays.sort(ns);
        return String.format("    %s: median %d ns, p90 %d ns%n", what, ns[FLOWS / 2], ns[FLOWS * 9 / 10]);
    }
}
