package io.gannet.bgp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.policy.Policy.Statement;
import io.gannet.bgp.policy.Policy.Verdict;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Policy evaluation allocates nothing per route under the JIT the daemon runs: the launcher
 * stops at C1 ({@code -XX:TieredStopAtLevel=1}), which has no escape analysis, so a for-each
 * loop over a statement's conditions allocated an iterator for every route and peer (in a JFR
 * profile of bench/bgp-propagation's 10 x 100k through {@code gannet run}: 67 MB a run, 58 % of
 * the speaker thread's allocation). The test JVM's C2 would hide that, so the loop runs in a
 * child JVM with the launcher's compiler and collector flags.
 */
class PolicyAllocationTest {
    private static final int ROUTES = 300_000;

    @Test
    void evaluatingRoutesAllocatesNothingUnderTheDaemonsJit() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmn8m",
                "-cp", System.getProperty("java.class.path"), PolicyAllocationTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        long bytes = Long.parseLong(out.substring(out.lastIndexOf(' ') + 1));
        // an iterator per route would be ROUTES x 3 statements x 24 bytes = 21 MB
        assertThat(bytes).as("bytes allocated by %d evaluations: %s", ROUTES, out).isLessThan(64 * 1024);
    }

    /** The child: a policy of the shapes routers use, evaluated for every route after a warm-up; prints the bytes allocated. */
    public static void main(String[] args) {
        AttributeInterner interner = new AttributeInterner();
        PathAttributes tagged = interner.intern(new AttributesBuilder().origin(0).appendSegment(AttributeType.AS_SEQUENCE, 65001)
                .nextHop(0x0a000001).addCommunity(65001 << 16 | 7));
        PathAttributes plain = interner.intern(new AttributesBuilder().origin(0).appendSegment(AttributeType.AS_SEQUENCE, 65002)
                .nextHop(0x0a000002));
        Policy policy = new Policy("import", List.of(
                new Statement("bogons", List.of(new Condition.PrefixIn("bogons", List.of(
                        PrefixListEntry.parse("0.0.0.0/8", 8, 32), PrefixListEntry.parse("127.0.0.0/8", 8, 32)))),
                        List.of(), Verdict.REJECT),
                new Statement("blackhole", List.of(new Condition.HasCommunity(List.of(65535 << 16 | 666)),
                        new Condition.HasLargeCommunity(List.of(new Communities.Large(65001, 1, 1)))), List.of(), Verdict.REJECT),
                new Statement("pods", List.of(new Condition.HasCommunity(List.of(65001 << 16 | 7, 65001 << 16 | 8)),
                        new Condition.PrefixIn("pods", List.of(PrefixListEntry.parse("10.0.0.0/8", 16, 32)))),
                        List.of(), Verdict.ACCEPT)),
                Verdict.ACCEPT);
        long sink = run(policy, tagged, plain, ROUTES); // warm-up: C1 compiles the loops
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        sink += run(policy, tagged, plain, ROUTES);
        long after = mx.getCurrentThreadAllocatedBytes();
        System.out.println("decisions " + sink + " allocated " + (after - before));
    }

    private static long run(Policy policy, PathAttributes tagged, PathAttributes plain, int routes) {
        long sum = 0;
        for (int i = 0; i < routes; i++) {
            int address = 0x0a000000 | (i << 8);
            sum += policy.evaluate(false, (long) address & 0xFFFF_FFFFL, 0, 24, (i & 1) == 0 ? tagged : plain, false);
        }
        return sum;
    }
}
