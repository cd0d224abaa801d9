package io.gannet.bgp.bench;

import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Best-path work, in process: ten eBGP peers each announce the same 100,000 prefixes (each with
 * its own AS_PATH, so every prefix gets ten candidate paths and reselects ten times), and an
 * eleventh peer receives the result; then all ten withdraw. One op = one received route change.
 * {@code maxPaths} 1 is plain best path; 8 also maintains ECMP sets.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class TenPeersBenchmark {
    static final int PEERS = 10;
    static final int PREFIXES = 100_000;

    @Param({"1", "8"})
    public int maxPaths;

    private final List<List<ByteBuf>> announce = new ArrayList<>();
    private final List<List<ByteBuf>> withdraw = new ArrayList<>();
    private final UpdateDecodeBenchmark.BenchLink[] sources = new UpdateDecodeBenchmark.BenchLink[PEERS];
    private UpdateDecodeBenchmark.BenchLink sink;
    private Rib rib;

    @Setup(Level.Trial)
    public void encode() {
        AttributeInterner interner = new AttributeInterner();
        UpdateWriter w = new UpdateWriter();
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        for (int p = 0; p < PEERS; p++) {
            PathAttributes a = interner.intern(new AttributesBuilder().origin(AttributeType.ORIGIN_IGP)
                    .appendSegment(AttributeType.AS_SEQUENCE, 65101 + p, 65010).nextHop(0xc6336401 + p));
            List<ByteBuf> in = new ArrayList<>();
            List<ByteBuf> out = new ArrayList<>();
            for (int i = 0; i < PREFIXES; i++) {
                int addr = 0x0b000000 + (i << 8);
                if (!w.active()) {
                    w.startAnnounce4(alloc, 4096, a, true);
                }
                if (!w.add4(addr, 24)) {
                    in.add(w.finish());
                    w.startAnnounce4(alloc, 4096, a, true);
                    w.add4(addr, 24);
                }
            }
            in.add(w.finish());
            for (int i = 0; i < PREFIXES; i++) {
                int addr = 0x0b000000 + (i << 8);
                if (!w.active()) {
                    w.startWithdraw4(alloc, 4096);
                }
                if (!w.add4(addr, 24)) {
                    out.add(w.finish());
                    w.startWithdraw4(alloc, 4096);
                    w.add4(addr, 24);
                }
            }
            out.add(w.finish());
            announce.add(in);
            withdraw.add(out);
        }
    }

    @Setup(Level.Iteration)
    public void freshRib() {
        rib = new Rib(new SpeakerConfig(65000, 0x0a000000L, null, 0, 0, maxPaths, List.of(), List.of()));
        for (int p = 0; p < PEERS; p++) {
            sources[p] = new UpdateDecodeBenchmark.BenchLink(p, "source" + p, "192.0.2." + (p + 1), 65101 + p);
            rib.peerEstablished(sources[p]);
        }
        sink = new UpdateDecodeBenchmark.BenchLink(PEERS, "sink", "192.0.2.200", 65002);
        rib.peerEstablished(sink);
    }

    @TearDown(Level.Trial)
    public void release() {
        announce.forEach(l -> l.forEach(ByteBuf::release));
        withdraw.forEach(l -> l.forEach(ByteBuf::release));
    }

    @Benchmark
    @OperationsPerInvocation(2 * PEERS * PREFIXES)
    public long tenPeersSameTable() {
        for (int p = 0; p < PEERS; p++) {
            for (ByteBuf m : announce.get(p)) {
                rib.updateReceived(sources[p], m.slice(19, m.readableBytes() - 19));
            }
        }
        for (int p = 0; p < PEERS; p++) {
            for (ByteBuf m : withdraw.get(p)) {
                rib.updateReceived(sources[p], m.slice(19, m.readableBytes() - 19));
            }
        }
        return sink.bytes;
    }
}
