package io.gannet.pod.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon killed with SIGKILL at random points of its writes leaves a journal that opens,
 * holds every acknowledged allocation and hands none out again.
 */
class IpamKillTest {
    @TempDir
    Path dir;

    @Test
    void killMinus9AtRandomPointsLosesNothingAcknowledged() throws Exception {
        Random rnd = new Random(11);
        Map<String, String> acknowledged = new HashMap<>(); // container -> address, as the child reported them
        for (int round = 0; round < 6; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), IpamKillChild.class.getName(), dir.toString(), "10.40.0.0/16", "r" + round + "-")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            long killAfter = 50 + rnd.nextInt(400);
            long deadline = System.nanoTime() + 20_000_000_000L;
            int lines = 0;
            String line;
            long started = 0;
            while ((line = out.readLine()) != null) {
                if (lines++ == 0) {
                    started = System.nanoTime();
                }
                String[] f = line.split(" ");
                if (f[0].equals("A")) {
                    acknowledged.put(f[1], f[2]);
                } else {
                    acknowledged.remove(f[1]);
                }
                if (started != 0 && System.nanoTime() - started > killAfter * 1_000_000L || System.nanoTime() > deadline) {
                    p.toHandle().destroyForcibly(); // SIGKILL
                    break;
                }
            }
            p.waitFor();
            // drain what the child printed before the signal landed: those were acknowledged too
            while ((line = out.readLine()) != null) {
                String[] f = line.split(" ");
                if (f.length < 2) {
                    continue;
                }
                if (f[0].equals("A") && f.length == 3) {
                    acknowledged.put(f[1], f[2]);
                } else if (f[0].equals("R")) {
                    acknowledged.remove(f[1]);
                }
            }
            assertThat(lines).as("round %d: the child allocated something", round).isPositive();
            try (NodeIpam ipam = NodeIpam.open(NodeIpam.Options.of(dir, IpBlock.parse("10.40.0.0/16")))) {
                for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                    assertThat(ipam.lookup(e.getKey(), "eth0")).as("round %d: %s", round, e.getKey())
                            .hasValueSatisfying(a -> assertThat(IpBlock.format(a.address())).isEqualTo(e.getValue()));
                }
                List<Assignment> held = ipam.list();
                Set<InetAddress> seen = new HashSet<>();
                held.forEach(a -> assertThat(seen.add(a.address())).isTrue());
                // at most the one allocation in flight when the signal came may be held beyond what was acknowledged
                assertThat(held.size()).isBetween(acknowledged.size(), acknowledged.size() + 2);
                Assignment fresh = ipam.allocate(AllocationRequest.of("probe" + round, "eth0", "ns", "probe"));
                assertThat(seen).doesNotContain(fresh.address());
                ipam.release("probe" + round, "eth0");
                held.forEach(a -> acknowledged.putIfAbsent(a.containerId(), IpBlock.format(a.address())));
            }
        }
    }
}
