package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.policy.IngressEntry;
import io.gannet.bpf.policy.PolicyFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-packet cost of the ingress policy stage (bench/policy/README.md): to_pod through
 * BPF_PROG_TEST_RUN (mean of 200,000 runs, the kernel's own timer) with 10, 10,000 and 100,000
 * entries in dp_policy4 spread over 1,000 endpoints, and 10,000 ipcache entries. Measured: a
 * packet to an endpoint without policy; a packet of a flow the policy let in (its later packets
 * pass on the conntrack entry); a dropped packet (the full lookup: ipcache and two policy
 * lookups, then the drop counted and queued). A repeated run cannot time the allowed first
 * packet alone (its second run is a known flow); its lookups are the dropped packet's.
 * Prints the figures; asserts the verdicts.
 */
class PolicyCostBenchTest {
    static final int REPEAT = 200_000;

    @Test
    void perPacketCostIsFlatInTheNumberOfEntries() {
        Path pinRoot = DatapathFixture.uniquePinRoot();
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            PolicyFeature policy = dp.policyFeature();
            BpfProgram toPod = dp.program(Datapath.TO_POD);
            Map<IpcacheKey, Integer> ipcache = new HashMap<>();
            for (int i = 0; i < 10_000; i++) {
                ipcache.put(new IpcacheKey(32, Ipv4.parse("10.8.0.0") + i), 300 + (i % 5000));
            }
            policy.applyIpcache(ipcache);
            byte[] open = Packets.build(Packets.tcp("10.8.0.1", 40000, "10.3.0.10", 6379, Packets.TCP_ACK));
            byte[] allowed = Packets.build(Packets.tcp("10.8.0.1", 40001, "10.3.0.10", 6379, Packets.TCP_ACK));
            byte[] denied = Packets.build(Packets.tcp("10.8.0.2", 40002, "10.3.0.10", 6379, Packets.TCP_ACK));
            dp.endpoints().put(1, new EndpointValue(Ipv4.parse("10.3.0.10"), 0));
            long openNs = toPod.testRun(open, REPEAT).meanNanos();
            StringBuilder report = new StringBuilder("to_pod per packet, mean of " + REPEAT + " runs:\n");
            report.append(String.format("  endpoint without policy: %d ns%n", openNs));
            int written = 0;
            for (int total : new int[] {10, 10_000, 100_000}) {
                // endpoint 1: allows identity 301 (10.8.0.1) on 6379; the rest are other endpoints' entries
                while (written < total) {
                    int ep = 1000 + written % 1000;
                    List<IngressEntry> entries = new ArrayList<>();
                    int per = Math.min(100, total - written);
                    for (int j = 0; j < per; j++) {
                        entries.add(new IngressEntry(300 + (written + j) % 5000, 6, 1024 + (written + j) % 50000, 16, false, 1));
                    }
                    policy.apply(ep, true, mergeWith(policy, ep, entries));
                    written += per;
                }
                policy.apply(1, true, List.of(new IngressEntry(301, 6, 6379, 16, false, 1)));
                dp.conntrack().raw().forEachBatch(4096, (k, v) -> dp.conntrack().raw().delete(k));
                assertThat(toPod.testRun(allowed, 1).verdict()).as("allowed by endpoint 1's entry").isEqualTo(-1);
                long trackedNs = toPod.testRun(allowed, REPEAT).meanNanos();
                long deniedNs = toPod.testRun(denied, REPEAT).meanNanos();
                assertThat(toPod.testRun(denied, 1).verdict()).isEqualTo(2);
                policy.drainDrops(Integer.MAX_VALUE);
                report.append(String.format("  %,7d entries: known flow (conntrack) %d ns, dropped (full lookup + report) %d ns%n",
                        total, trackedNs, deniedNs));
            }
            System.out.println(report);
        } finally {
            Datapath.removePins(pinRoot);
        }
    }

    /** The endpoint's entries so far plus new ones (apply takes the whole desired set). */
    private final Map<Integer, List<IngressEntry>> soFar = new HashMap<>();

    private List<IngressEntry> mergeWith(PolicyFeature policy, int ep, List<IngressEntry> more) {
        List<IngressEntry> all = soFar.computeIfAbsent(ep, k -> new ArrayList<>());
        all.addAll(more);
        return all;
    }
}
