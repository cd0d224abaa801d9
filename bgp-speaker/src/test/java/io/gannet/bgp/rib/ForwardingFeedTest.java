package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static io.gannet.bgp.rib.RibHarness.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RIB's selection as the kernel installer sees it: ECMP next hops, batched per burst. */
class ForwardingFeedTest {
    private final ArrayDeque<Runnable> loop = new ArrayDeque<>();
    private final List<List<ForwardingFeed.Change>> batches = new ArrayList<>();

    private void runLoop() {
        while (!loop.isEmpty()) {
            loop.poll().run();
        }
    }

    @Test
    void aBurstIsOneBatchWithTheEcmpNextHopsAndAWithdrawalEmptiesThem() {
        RibHarness h = new RibHarness(2);
        // The host's own addresses are ours to say: a machine whose eth0 holds 192.0.2.2 would
        // otherwise (rightly, RFC 4271 6.3) ignore b's next hop.
        h.rib.localAddresses(LocalAddresses.of(List.of(ip("192.0.2.254"))));
        ForwardingFeed.attach(h.rib, loop::add, batches::add);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65002, null));
        batches.clear();
        h.announce(a, attrs(65001).nextHop(0xc0000201), "10.1.0.0/24", "10.2.0.0/24"); // 192.0.2.1
        h.announce(b, attrs(65002).nextHop(0xc0000202), "10.1.0.0/24");                // 192.0.2.2
        assertThat(loop).hasSize(1); // one drain scheduled for the whole burst
        runLoop();
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).extracting(c -> c.address().getHostAddress() + "/" + c.length())
                .containsExactly("10.1.0.0/24", "10.2.0.0/24");
        assertThat(batches.get(0).get(0).nextHops()).containsExactlyInAnyOrder(ip("192.0.2.1"), ip("192.0.2.2"));
        assertThat(batches.get(0).get(1).nextHops()).containsExactly(ip("192.0.2.1"));

        h.withdraw(a, "10.1.0.0/24", "10.2.0.0/24");
        h.withdraw(b, "10.1.0.0/24");
        runLoop();
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).allMatch(c -> c.nextHops().isEmpty());
    }

    @Test
    void attachSendsTheCurrentSelectionFirst() {
        RibHarness h = new RibHarness(2);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        h.announce(a, attrs(65001).nextHop(0xc0000201), "10.3.0.0/24");
        ForwardingFeed.attach(h.rib, loop::add, batches::add);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).singleElement().satisfies(c -> assertThat(c.nextHops()).containsExactly(ip("192.0.2.1")));
    }

    @Test
    void prefixesWithOneEcmpSetShareOneListAndOurOwnRoutesAreNotForwarded() {
        RibHarness h = new RibHarness(2);
        h.rib.localAddresses(LocalAddresses.of(List.of(ip("192.0.2.254"))));
        ForwardingFeed.attach(h.rib, loop::add, batches::add);
        FakePeerLink a = h.up(h.peer("a", "192.0.2.1", 65001, null));
        FakePeerLink b = h.up(h.peer("b", "192.0.2.2", 65001, null));
        batches.clear();
        h.announce(a, attrs(65001).nextHop(0xc0000201), "10.4.0.0/24", "10.5.0.0/24", "203.0.113.0/24");
        h.announce(b, attrs(65001).nextHop(0xc0000202), "10.4.0.0/24", "10.5.0.0/24");
        h.rib.announce(io.gannet.bgp.rib.LocalRoute.of(io.gannet.bgp.wire.attr.Prefix.parse("203.0.113.0/24")));
        runLoop();
        assertThat(batches).hasSize(1);
        List<ForwardingFeed.Change> batch = batches.get(0);
        assertThat(batch).extracting(c -> c.address().getHostAddress() + "/" + c.length())
                .containsExactly("10.4.0.0/24", "10.5.0.0/24", "203.0.113.0/24");
        assertThat(batch.get(0).nextHops()).containsExactlyInAnyOrder(ip("192.0.2.1"), ip("192.0.2.2"));
        assertThat(batch.get(1).nextHops()).isSameAs(batch.get(0).nextHops()); // one object per ECMP set
        assertThat(batch.get(2).nextHops()).isEmpty(); // we originate it (our path wins): nothing to forward to
    }
}
