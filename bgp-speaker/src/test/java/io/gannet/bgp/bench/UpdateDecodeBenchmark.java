package io.gannet.bgp.bench;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.PeerLink;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateDecoder;
import io.gannet.bgp.wire.attr.UpdateHandler;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * UPDATE decoding and RIB throughput on one core, in NLRI (prefixes) per second.
 *
 * <ul>
 *   <li>{@code decodeToCounter}: 100,000 IPv4 /24s in full 4096-octet UPDATEs sharing one attribute
 *       set, decoded from pooled direct ByteBufs (what netty hands the session) into a counting
 *       handler: the codec alone.</li>
 *   <li>{@code ribInsertAndWithdraw}: the same UPDATEs into a {@link Rib} (import policy,
 *       Loc-RIB insert, best path), then the matching withdrawals: two route changes per prefix.</li>
 *   <li>{@code propagateToSecondPeer}: as above with a second, eBGP, peer that receives every
 *       change as packed UPDATEs (export, Adj-RIB-Out, encoding); its messages are discarded.</li>
 * </ul>
 * Run with {@code bench/bgp-decode/run}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class UpdateDecodeBenchmark {
    static final int PREFIXES = 100_000;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> announce = new ArrayList<>();
    private final List<ByteBuf> withdraw = new ArrayList<>();
    private final AttributeInterner interner = new AttributeInterner();
    private final UpdateDecoder decoder = new UpdateDecoder(interner);
    private final Counter counter = new Counter();
    private Rib rib;
    private BenchLink source;
    private BenchLink sink;

    @Setup(Level.Trial)
    public void encode() {
        PathAttributes a = interner.intern(new AttributesBuilder().origin(AttributeType.ORIGIN_IGP)
                .appendSegment(AttributeType.AS_SEQUENCE, 65001, 65010).nextHop(0xc6336401));
        UpdateWriter w = new UpdateWriter();
        for (int i = 0; i < PREFIXES; i++) {
            int addr = 0x0b000000 + (i << 8);
            if (!w.active()) {
                w.startAnnounce4(alloc, 4096, a, true);
            }
            if (!w.add4(addr, 24)) {
                announce.add(body(w.finish()));
                w.startAnnounce4(alloc, 4096, a, true);
                w.add4(addr, 24);
            }
        }
        announce.add(body(w.finish()));
        for (int i = 0; i < PREFIXES; i++) {
            int addr = 0x0b000000 + (i << 8);
            if (!w.active()) {
                w.startWithdraw4(alloc, 4096);
            }
            if (!w.add4(addr, 24)) {
                withdraw.add(body(w.finish()));
                w.startWithdraw4(alloc, 4096);
                w.add4(addr, 24);
            }
        }
        withdraw.add(body(w.finish()));
    }

    /** Copies the body (after the 19-octet header) into a pooled direct buffer, like a socket read. */
    private ByteBuf body(ByteBuf message) {
        ByteBuf direct = alloc.directBuffer(message.readableBytes() - 19);
        direct.writeBytes(message, 19, message.readableBytes() - 19);
        message.release();
        return direct;
    }

    @Setup(Level.Iteration)
    public void freshRib() {
        rib = new Rib(new SpeakerConfig(65000, 0x0a000000L, null, 0, 0, 1, List.of(), List.of()));
        source = new BenchLink(0, "source", "192.0.2.1", 65001);
        sink = new BenchLink(1, "sink", "192.0.2.2", 65002);
    }

    @TearDown(Level.Trial)
    public void release() {
        announce.forEach(ByteBuf::release);
        withdraw.forEach(ByteBuf::release);
    }

    @Benchmark
    @OperationsPerInvocation(PREFIXES)
    public long decodeToCounter() {
        counter.sum = 0;
        for (ByteBuf b : announce) {
            decoder.decode(b, true, false, counter);
        }
        return counter.sum;
    }

    @Benchmark
    @OperationsPerInvocation(2 * PREFIXES)
    public void ribInsertAndWithdraw() {
        if (source.up) {
            rib.peerDown(source, false);
        }
        rib.peerEstablished(source);
        source.up = true;
        for (ByteBuf b : announce) {
            rib.updateReceived(source, b);
        }
        for (ByteBuf b : withdraw) {
            rib.updateReceived(source, b);
        }
    }

    @Benchmark
    @OperationsPerInvocation(2 * PREFIXES)
    public long propagateToSecondPeer() {
        if (!sink.up) {
            rib.peerEstablished(source);
            rib.peerEstablished(sink);
            source.up = true;
            sink.up = true;
        }
        for (ByteBuf b : announce) {
            rib.updateReceived(source, b);
        }
        for (ByteBuf b : withdraw) {
            rib.updateReceived(source, b);
        }
        return sink.bytes;
    }

    /** Sums prefix bits so the JIT cannot drop the decoding. */
    static final class Counter implements UpdateHandler {
        long sum;

        @Override
        public void withdraw4(int address, int length) {
            sum += address + length;
        }

        @Override
        public void announce4(int address, int length, PathAttributes attributes) {
            sum += address + length;
        }

        @Override
        public void withdraw6(long hi, long lo, int length) {
            sum += hi + lo + length;
        }

        @Override
        public void announce6(long hi, long lo, int length, PathAttributes attributes) {
            sum += hi + lo + length;
        }

        @Override
        public void endOfRib(int afi, int safi) {
        }
    }

    /** An always-writable session that discards what the RIB sends (counting bytes). */
    public static final class BenchLink implements PeerLink {
        final int index;
        final PeerConfig config;
        final Negotiated negotiated;
        long bytes;
        boolean up;

        public BenchLink(int index, String name, String address, long as) {
            this.index = index;
            try {
                this.config = PeerConfig.builder(name, InetAddress.getByName(address), as, 65000)
                        .importPolicy(Policy.ACCEPT_ALL).exportPolicy(Policy.ACCEPT_ALL).build();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
            this.negotiated = new Negotiated(true, Set.of(AddressFamily.IPV4_UNICAST), false, true, false, null, 90,
                    65000, as, 0x0a000000L, 0xc0000200L + index);
        }

        @Override
        public int peerIndex() {
            return index;
        }

        @Override
        public PeerConfig config() {
            return config;
        }

        @Override
        public Negotiated negotiated() {
            return negotiated;
        }

        @Override
        public InetAddress remoteAddress() {
            return config.address();
        }

        @Override
        public InetAddress localAddress() {
            try {
                return InetAddress.getByName("192.0.2.254");
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public ByteBufAllocator alloc() {
            return PooledByteBufAllocator.DEFAULT;
        }

        @Override
        public void send(ByteBuf message) {
            bytes += message.readableBytes();
            message.release();
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void reset(int code, int subcode, byte[] data) {
            throw new IllegalStateException("unexpected reset " + code + "/" + subcode);
        }
    }
}
