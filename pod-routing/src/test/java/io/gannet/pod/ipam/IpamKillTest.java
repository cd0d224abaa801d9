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

    private static int index(String id) {
        return Integer.parseInt(id.substring(id.indexOf('-') + 1));
    }

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
            // drain what the child printed before the signal landed: complete lines were acknowledged
            // too; a last line without its newline was cut by the signal and proves nothing
            StringBuilder rest = new StringBuilder();
            for (int c; (c = out.read()) >= 0; ) {
                rest.append((char) c);
            }
            String[] tail = rest.toString().split("\n", -1);
            for (int i = 0; i < tail.length - 1; i++) {
                String[] f = tail[i].split(" ");
                if (f[0].equals("A") && f.length == 3) {
                    acknowledged.put(f[1], f[2]);
                } else if (f[0].equals("R") && f.length == 2) {
                    acknowledged.remove(f[1]);
                }
            }
            assertThat(lines).as("round %d: the child allocated something", round).isPositive();
            // After "A <odd i>" the child releases i-1 before it prints "R": that release may have
            // reached the journal when the signal landed, so i-1 may be held or not.
            String lastA = null;
            for (String k : acknowledged.keySet()) {
                if (k.startsWith("r" + round + "-") && (lastA == null || index(k) > index(lastA))) {
                    lastA = k;
                }
            }
            String inFlightRelease = lastA != null && index(lastA) % 2 == 1 ? "r" + round + "-" + (index(lastA) - 1) : null;
            try (NodeIpam ipam = NodeIpam.open(NodeIpam.Options.of(dir, IpBlock.parse("10.40.0.0/16")))) {
                for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                    if (e.getKey().equals(inFlightRelease) && ipam.lookup(e.getKey(), "eth0").isEmpty()) {
                        continue;
                    }
                    assertThat(ipam.lookup(e.getKey(), "eth0")).as("round %d: %s", round, e.getKey())
                            .hasValueSatisfying(a -> assertThat(IpBlock.format(a.address())).isEqualTo(e.getValue()));
                }
                List<Assignment> held = ipam.list();
                Set<InetAddress> seen = new HashSet<>();
                held.forEach(a -> assertThat(seen.add(a.address())).isTrue());
                // at most the one allocation in flight when the signal came may be held beyond what was acknowledged
                assertThat(held.size()).isBetween(acknowledged.size() - 1, acknowledged.size() + 2);
                Assignment fresh = ipam.allocate(AllocationRequest.of("probe" + round, "eth0", "ns", "probe"));
                assertThat(seen).doesNotContain(fresh.address());
                ipam.release("probe" + round, "eth0");
                held.forEach(a -> acknowledged.putIfAbsent(a.containerId(), IpBlock.format(a.address())));
                acknowledged.keySet().removeIf(k -> held.stream().noneMatch(a -> a.containerId().equals(k)));
            }
        }
    }
}
