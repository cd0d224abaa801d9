package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.Prefix;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The RIB gives memory back when a table empties (its arrays grow and would otherwise stay at
 * their peak), and everything keeps working across the renumbering of slots and paths.
 */
class RibMemoryTest {
    private static final int BIG = 5000;

    private static String[] table(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> Prefix.ipv4(0x14000000 + (i << 8), 24).toString()).toArray(String[]::new);
    }

    /** Withdraws in UPDATEs of a thousand (one 4096-octet message holds about 1,000 /24s). */
    private static void withdraw(RibHarness h, FakePeerLink from, String[] prefixes) {
        for (int i = 0; i < prefixes.length; i += 1000) {
            h.withdraw(from, java.util.Arrays.copyOfRange(prefixes, i, Math.min(prefixes.length, i + 1000)));
        }
    }

    private static FakePeerLink untracked(FakePeerLink link) {
        link.allocator = new UnpooledByteBufAllocator(false, true); // thousands of messages: skip paranoid tracking
        return link;
    }

    @Test
    void tablesShrinkWhenAFullTablePeerLeavesAndPathsWithSeveralCandidatesSurviveTheRenumbering() {
        RibHarness h = new RibHarness(1);
        h.rib.keepPrePolicy(true);
        FakePeerLink a = h.up(untracked(h.peer("a", "192.0.2.1", 65001, null)));
        FakePeerLink b = h.up(untracked(h.peer("b", "192.0.2.2", 65002, null)));
        FakePeerLink c = h.up(untracked(h.peer("c", "192.0.2.3", 65003, null)));
        FakePeerLink out = h.up(untracked(h.peer("out", "192.0.2.9", 65009, null)));
        h.announce(a, attrs(65001), table(0, BIG));
        h.announce(b, attrs(65002, 65100), table(BIG - 10, BIG)); // longer paths: lose to a
        h.announce(c, attrs(65003, 65100), table(BIG - 10, BIG));
        h.announce(c, attrs(65003, 65100), table(BIG - 20, BIG - 10)); // c alone
        assertThat(out.routes).hasSize(BIG);
        assertThat(h.rib.slotCapacity(0)).isGreaterThanOrEqualTo(BIG);
        assertThat(h.rib.pathCapacity()).isGreaterThanOrEqualTo(BIG);

        // withdrawals by a live peer do not shrink: it may well re-send them at once
        withdraw(h, a, table(0, BIG - 20));
        assertThat(out.routes).hasSize(20);
        assertThat(h.rib.slotCapacity(0)).isGreaterThanOrEqualTo(BIG);
        h.announce(a, attrs(65001), table(0, BIG - 20));

        // after a peer left (on the speaker loop this follows by itself, see below)
        h.rib.peerDown(a, false);
        assertThat(h.rib.slotCapacity(0)).isGreaterThanOrEqualTo(BIG); // off the loop: only on trim()
        h.rib.trim();
        assertThat(out.routes).hasSize(20);
        assertThat(h.rib.slotCapacity(0)).isEqualTo(1024);
        assertThat(h.rib.pathCapacity()).isEqualTo(1024);
        // the survivors kept their candidates, best paths and advertisements
        String last = table(BIG - 1, BIG)[0];
        var view = h.rib.route(Prefix.parse(last));
        assertThat(view.paths()).extracting(p -> p.peer()).containsExactly("b", "c");
        assertThat(h.rib.receivedRoutes("b", AddressFamily.IPV4_UNICAST)).hasSize(10);
        assertThat(h.rib.receivedRoutes("c", AddressFamily.IPV4_UNICAST)).hasSize(20);
        assertThat(out.route(last).asPathSegments()).containsExactly(2, 3, 65000, 65002, 65100);

        // the best path still moves on after the renumbering: b leaves, c takes over
        h.withdraw(b, last);
        assertThat(h.rib.route(Prefix.parse(last)).best().peer()).isEqualTo("c");
        assertThat(out.route(last).asPathSegments()).containsExactly(2, 3, 65000, 65003, 65100);

        // refilling works, and the receiving peer learns exactly what changed
        h.up(a);
        h.announce(a, attrs(65001), table(0, BIG));
        assertThat(out.routes).hasSize(BIG);
        assertThat(out.route(last).asPathSegments()).containsExactly(2, 2, 65000, 65001);

        // every peer leaves: everything is given back down to the initial size
        h.rib.peerDown(a, false);
        h.rib.peerDown(b, false);
        h.rib.peerDown(c, false);
        h.rib.trim();
        assertThat(out.routes).isEmpty();
        assertThat(h.rib.prefixSlots(0)).isZero();
        assertThat(h.rib.slotCapacity(0)).isEqualTo(1024);
        assertThat(h.rib.pathCapacity()).isEqualTo(1024);
        h.rib.peerDown(out, false);
        assertThat(h.rib.attributeSets()).isZero();
    }

    @Test
    void onTheSpeakerLoopTablesShrinkAWhileAfterAPeerLeft() throws Exception {
        io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
        try {
            RibHarness h = new RibHarness(1);
            h.rib.trimDelayMillis = 50;
            FakePeerLink a = untracked(h.peer("a", "192.0.2.1", 65001, null));
            FakePeerLink out = untracked(h.peer("out", "192.0.2.9", 65009, null));
            loop.submit(() -> {
                h.rib.deferExports(loop);
                h.up(a);
                h.up(out);
                h.announce(a, attrs(65001), table(0, BIG));
                h.rib.peerDown(a, false);
            }).get();
            int before = loop.submit(() -> h.rib.slotCapacity(0)).get();
            assertThat(before).isGreaterThanOrEqualTo(BIG); // not at once: the peer may come straight back
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (loop.submit(() -> h.rib.slotCapacity(0)).get() > 1024 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(loop.submit(() -> h.rib.slotCapacity(0)).get()).isEqualTo(1024);
            assertThat(loop.submit(() -> h.rib.pathCapacity()).get()).isEqualTo(1024);
            assertThat(out.routes).isEmpty();
        } finally {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aPeerThatIsSentNothingGetsNoAdjRibOutArray() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(untracked(h.peer("a", "192.0.2.1", 65001, null)));
        h.announce(a, attrs(65001), table(0, 100));
        PeerState sa = h.rib.peerState("a");
        assertThat(sa.adjOut[0].size()).isZero(); // split horizon: nothing goes back to a
    }

    /**
     * A peer's Adj-RIB-Out is one bit a prefix: which prefixes went out, not their attributes
     * (an attribute id a prefix cost 4 bytes, 4.4 MiB of the 10 x 100k benchmark's peak). What was
     * sent is still shown, computed from the best path.
     */
    @Test
    void anAdjRibOutCostsABitAPrefix() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(untracked(h.peer("a", "192.0.2.1", 65001, null)));
        FakePeerLink out = h.up(untracked(h.peer("out", "192.0.2.9", 65009, null)));
        String[] prefixes = table(0, 100_000);
        for (int i = 0; i < prefixes.length; i += 1000) {
            h.announce(a, attrs(65001), java.util.Arrays.copyOfRange(prefixes, i, i + 1000));
        }
        assertThat(out.routes).hasSize(100_000);
        PeerState so = h.rib.peerState("out");
        assertThat(so.adjOut[0].size()).isEqualTo(100_000);
        assertThat(so.adjOut[0].footprintBytes()).isLessThanOrEqualTo(2 * 100_000 / 8);
        assertThat(h.rib.advertisedRoutes("out", AddressFamily.IPV4_UNICAST)).hasSize(100_000)
                .allSatisfy(e -> assertThat(e.getValue().asPathSegments()).containsExactly(2, 2, 65000, 65001));
        assertThat(h.rib.peerCounters("out").advertised()).isEqualTo(100_000);
    }
}
