package io.gannet.bgp.bench;

import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateDecoder;
import io.gannet.bgp.wire.attr.UpdateError;
import io.gannet.bgp.wire.attr.UpdateHandler;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The collector's counting: decodes each UPDATE with bgp-speaker's {@link UpdateDecoder} and
 * keeps the set of IPv4 prefixes currently announced (announced minus withdrawn, each prefix
 * once) in a primitive {@link PrefixSet}; records the clock when that set first reaches the
 * expected size. Announcements whose NEXT_HOP is not the expected one (the DUT's own address
 * towards the collector: eBGP next hop self, RFC 4271 5.1.3) are counted as mismatches.
 *
 * <p>Runs on the collector's reader thread; the getters may be read from any thread.
 */
final class PrefixCounter implements BenchPeer.UpdateListener, UpdateHandler {
    private final UpdateDecoder decoder = new UpdateDecoder(new AttributeInterner());
    private final PrefixSet prefixes;
    private final int expected;
    private final int expectedNextHop;
    private final LongSupplier nanoClock;
    private final CountDownLatch complete = new CountDownLatch(1);
    private volatile int current;
    private volatile long completeNanos;
    private volatile long nextHopMismatches;
    private volatile int lastNextHop;
    private volatile long decodeErrors;
    private volatile long ipv6Routes;

    PrefixCounter(int expected, int expectedNextHop, LongSupplier nanoClock) {
        this.prefixes = new PrefixSet(expected);
        this.expected = expected;
        this.expectedNextHop = expectedNextHop;
        this.nanoClock = nanoClock;
    }

    @Override
    public void update(ByteBuf body) {
        UpdateError e = decoder.decode(body, true, false, this);
        if (e != null) {
            decodeErrors++;
        }
        int n = prefixes.size();
        current = n;
        if (n == expected && completeNanos == 0) {
            completeNanos = nanoClock.getAsLong();
            complete.countDown();
        }
    }

    @Override
    public void announce4(int address, int length, PathAttributes attributes) {
        prefixes.add(PrefixSet.key(address, length));
        int nh = attributes.nextHop();
        lastNextHop = nh;
        if (nh != expectedNextHop) {
            nextHopMismatches++;
        }
    }

    @Override
    public void withdraw4(int address, int length) {
        prefixes.remove(PrefixSet.key(address, length));
    }

    @Override
    public void withdraw6(long hi, long lo, int length) {
        ipv6Routes++;
    }

    @Override
    public void announce6(long hi, long lo, int length, PathAttributes attributes) {
        ipv6Routes++;
    }

    @Override
    public void endOfRib(int afi, int safi) {
        // Nothing to count: the DUTs send it once after the (empty) initial table.
    }

    /** Waits until the expected number of prefixes is held; false on timeout. */
    boolean awaitComplete(long timeout, TimeUnit unit) throws InterruptedException {
        return complete.await(timeout, unit);
    }

    /** Clock reading when the set first held the expected number of prefixes, 0 if not yet. */
    long completeNanos() {
        return completeNanos;
    }

    /** Prefixes currently announced, after the last UPDATE processed. */
    int current() {
        return current;
    }

    long nextHopMismatches() {
        return nextHopMismatches;
    }

    /** The NEXT_HOP of the last announcement, IPv4 as int bits. */
    int lastNextHop() {
        return lastNextHop;
    }

    long decodeErrors() {
        return decodeErrors;
    }

    long ipv6Routes() {
        return ipv6Routes;
    }
}
