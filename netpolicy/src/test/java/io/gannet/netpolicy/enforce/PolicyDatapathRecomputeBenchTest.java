package io.gannet.netpolicy.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.policy.PolicyFeature;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/policy: one rule changes among 1,000 local pods' policies, through the path the daemon
 * takes — the watched directory re-read (10 files of 100 CiliumNetworkPolicies), the engine's
 * incremental recompute, and the difference written to the real dp_policy4 — timed apart.
 * Prints p50/p99 over 50 changes; asserts that one change writes one endpoint's entries.
 */
class PolicyDatapathRecomputeBenchTest {
    static final int PODS = 1000;
    static final int CHANGES = 50;

    @TempDir
    Path dir;

    static String policy(int i, int port) {
        return """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: p%d, namespace: default}
                spec:
                  endpointSelector: {matchLabels: {app: a%d}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: a%d}}]
                    toPorts: [{ports: [{port: "%d", protocol: TCP}]}]
                ---
                """.formatted(i, i, (i + 1) % PODS, port);
    }

    void writeFile(int file, int changed, int port) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = file * 100; i < file * 100 + 100; i++) {
            b.append(policy(i, i == changed ? port : 1000 + i));
        }
        Files.writeString(dir.resolve("policies-" + file + ".yaml"), b);
    }

    @Test
    void oneRuleChangedAmongAThousandPods() throws Exception {
        Requirements.requireBpf();
        Path pinRoot = Path.of("/sys/fs/bpf/gannet-test-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt()));
        try (Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pinRoot))) {
            PolicyFeature feature = dp.policyFeature();
            PolicyEnforcer enforcer = new PolicyEnforcer(feature, (s, m) -> { });
            StringBuilder pods = new StringBuilder();
            for (int i = 0; i < PODS; i++) {
                pods.append("apiVersion: v1\nkind: Pod\nmetadata: {namespace: default, name: p").append(i)
                        .append(", labels: {app: a").append(i).append("}}\n---\n");
            }
            Files.writeString(dir.resolve("pods.yaml"), pods);
            for (int f = 0; f < PODS / 100; f++) {
                writeFile(f, -1, 0);
            }
            PolicyDirectory directory = new PolicyDirectory(dir);
            enforcer.directoryChanged(directory.reload());
            for (int i = 0; i < PODS; i++) {
                enforcer.podAdded("default", "p" + i, "10.9." + (i / 250) + "." + (i % 250 + 1), 200_000 + i);
            }
            long[] reload = new long[CHANGES];
            long[] apply = new long[CHANGES];
            for (int c = 0; c < CHANGES; c++) {
                int changed = (c * 37) % PODS;
                writeFile(changed / 100, changed, 20_000 + c);
                long writesBefore = feature.writes();
                long t0 = System.nanoTime();
                PolicyDirectory.Result r = directory.reload();
                long t1 = System.nanoTime();
                enforcer.directoryChanged(r);
                long t2 = System.nanoTime();
                reload[c] = t1 - t0;
                apply[c] = t2 - t1;
                assertThat(feature.writes() - writesBefore).as("one endpoint's changed entry").isEqualTo(1);
                writeFile(changed / 100, -1, 0);
                enforcer.directoryChanged(directory.reload());
            }
            System.out.printf("one rule changed among %d pods' policies (%d changes): directory re-read p50 %.1f ms p99 %.1f ms;"
                    + " recompute + map writes p50 %.2f ms p99 %.2f ms%n", PODS, CHANGES, pct(reload, 50), pct(reload, 99),
                    pct(apply, 50), pct(apply, 99));
        } finally {
            Datapath.removePins(pinRoot);
        }
    }

    static double pct(long[] ns, int p) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
    }
}
