package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.Prefix;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The RIB gives memory back when a table empties (its arrays grow by doubling and would otherwise
 * stay at their peak), and everything keeps working across the renumbering of slots and paths.
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
    void aWithdrawnTableShrinksAndPathsWithSeveralCandidatesSurviveTheRenumbering() {
        RibHarness h = new RibHarness(1);
        h.rib.keepPrePolicy(true);
        FakePeerLink a = h.up(untracked(h.peer("a", "192.0.2.1", 65001, null)));
        FakePeerLink b = h.up(untracked(h.peer("b", "192.0.2.2", 65002, null)));
        FakePeerLink c = h.up(untracked(h.peer("c", "192.0.2.3", 65003, null)));
        FakePeerLink out = h.up(untracked(h.peer("out", "192.0.2.9", 65009, null)));
        h.announce(a, attrs(65001), table(0, BIG));
        h.announce(b, attrs(65002, 65100), table(BIG - 10, BIG)); // longer paths: lose to a
        h.announce(c, attrs(65003, 65100), table(BIG - 10, BIG));
        assertThat(out.routes).hasSize(BIG);
        assertThat(h.rib.slotCapacity(0)).isGreaterThanOrEqualTo(BIG);
        assertThat(h.rib.pathCapacity()).isGreaterThanOrEqualTo(BIG);

        withdraw(h, a, table(0, BIG - 10));
        assertThat(out.routes).hasSize(10);
        assertThat(h.rib.slotCapacity(0)).isEqualTo(1024);
        assertThat(h.rib.pathCapacity()).isEqualTo(1024);
        // the ten survivors kept three candidates each, a's still best, and every view agrees
        String last = table(BIG - 1, BIG)[0];
        var view = h.rib.route(Prefix.parse(last));
        assertThat(view.paths()).hasSize(3);
        assertThat(view.best().peer()).isEqualTo("a");
        assertThat(h.rib.receivedRoutes("b", AddressFamily.IPV4_UNICAST)).hasSize(10);
        assertThat(out.route(last).asPathSegments()).containsExactly(2, 2, 65000, 65001);

        // best path moves on after the renumbering: a leaves, b (lower router id than c) wins
        h.withdraw(a, last);
        assertThat(h.rib.route(Prefix.parse(last)).best().peer()).isEqualTo("b");
        assertThat(out.route(last).asPathSegments()).containsExactly(2, 3, 65000, 65002, 65100);

        // refilling works, and the peer learns only what changed
        h.announce(a, attrs(65001), table(0, BIG));
        assertThat(out.routes).hasSize(BIG);
        assertThat(out.route(last).asPathSegments()).containsExactly(2, 2, 65000, 65001);

        // every peer leaves: everything is given back down to the initial size
        h.rib.peerDown(a, false);
        h.rib.peerDown(b, false);
        h.rib.peerDown(c, false);
        assertThat(out.routes).isEmpty();
        assertThat(h.rib.prefixSlots(0)).isZero();
        assertThat(h.rib.slotCapacity(0)).isEqualTo(1024);
        assertThat(h.rib.pathCapacity()).isEqualTo(1024);
        h.rib.peerDown(out, false);
        assertThat(h.rib.attributeSets()).isZero();
    }

    @Test
    void aPeerThatIsSentNothingGetsNoAdjRibOutArray() {
        RibHarness h = new RibHarness(1);
        FakePeerLink a = h.up(untracked(h.peer("a", "192.0.2.1", 65001, null)));
        h.announce(a, attrs(65001), table(0, 100));
        PeerState sa = h.rib.peerState("a");
        assertThat(sa.adjOut[0]).isNull(); // split horizon: nothing goes back to a
    }
}
