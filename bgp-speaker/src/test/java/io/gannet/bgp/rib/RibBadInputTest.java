package io.gannet.bgp.rib;

import static io.gannet.bgp.rib.RibHarness.attrs;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Garbage into the RIB's input path: random and mutated UPDATE bodies from one peer never throw,
 * end either in RIB changes or in a reset with an UPDATE Message Error, never disturb the other
 * peer's routes, and leave nothing behind once the peers go down.
 */
class RibBadInputTest {
    @Test
    void mutatedUpdatesNeverEscapeAndNeverHurtOtherPeers() {
        Random rnd = new Random(4271);
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);
        AttributeInterner in = new AttributeInterner();
        List<byte[]> seeds = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            PathAttributes a = in.intern(attrs(65001, 65002).med(k).addCommunity(k).addLargeCommunity(1, 2, k)
                    .aggregator(65001, 0x0a000001).atomicAggregate(true));
            UpdateWriter w = new UpdateWriter();
            if (k == 3) {
                PathAttributes v6 = in.intern(attrs(65001).nextHop6(RibHarness.ip("2001:db8::1").getAddress()));
                w.startAnnounce6(alloc, 4096, v6, true);
                w.add6(0x20010db800000000L + k, 0, 48);
            } else {
                w.startAnnounce4(alloc, 4096, a, true);
                for (int i = 0; i < 8; i++) {
                    w.add4(0x0a000000 + (k << 16) + (i << 8), 24);
                }
            }
            ByteBuf m = w.finish();
            byte[] body = new byte[m.readableBytes() - 19];
            m.getBytes(19, body);
            m.release();
            seeds.add(body);
        }
        RibHarness h = new RibHarness(4);
        // Paranoid leak tracking records a stack trace per buffer access: too slow for thousands of
        // exported messages, so the receiving links here use an untracked allocator.
        FakePeerLink good = h.peer("good", "192.0.2.9", 65009, null);
        FakePeerLink out = h.peer("out", "192.0.2.8", 65008, null);
        good.allocator = alloc;
        out.allocator = alloc;
        h.up(good);
        h.up(out);
        h.announce(good, attrs(65009), "172.16.0.0/16");
        int resets = 0;
        FakePeerLink bad = h.peer("bad", "192.0.2.1", 65001, null);
        bad.allocator = alloc;
        h.up(bad);
        for (int i = 0; i < 5_000; i++) {
            byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
            for (int k = rnd.nextInt(3) + 1; k > 0; k--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(5) == 0) {
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            h.rib.updateReceived(bad, Unpooled.wrappedBuffer(b));
            if (!bad.resets.isEmpty()) {
                assertThat(bad.resets.get(0)).matches("3/([1-9]|1[01])( [0-9a-f]{2})*");
                resets++;
                h.rib.peerDown(bad, false); // as the session layer does after the NOTIFICATION
                bad = h.peer("bad", "192.0.2.1", 65001, null);
                bad.allocator = alloc;
                h.up(bad);
            }
        }
        assertThat(resets).isPositive();
        assertThat(out.routes).containsKey("172.16.0.0/16");
        assertThat(h.rib.route(io.gannet.bgp.wire.attr.Prefix.parse("172.16.0.0/16")).best().peer()).isEqualTo("good");
        h.rib.peerDown(bad, false);
        h.rib.peerDown(good, false);
        h.rib.peerDown(out, false);
        assertThat(h.rib.routes(io.gannet.bgp.wire.AddressFamily.IPV4_UNICAST)).isEmpty();
        assertThat(h.rib.routes(io.gannet.bgp.wire.AddressFamily.IPV6_UNICAST)).isEmpty();
        assertThat(h.rib.attributeSets()).isZero();
        assertThat(h.rib.prefixSlots(0) + h.rib.prefixSlots(1)).isZero();
    }
}
