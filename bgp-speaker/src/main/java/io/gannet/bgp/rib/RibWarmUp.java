package io.gannet.bgp.rib;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.helpers.NOPLogger;

/**
 * Start-up JIT warm-up: runs the UPDATE path (decode, import, Loc-RIB insert and best path,
 * export, Adj-RIB-Out, packed UPDATE encoding, withdrawal) on a private, throw-away {@link Rib}
 * with in-memory peers, so that the C1/C2 compilers have done their work before the first real
 * table arrives instead of competing with the event loop for the CPU while it does.
 *
 * <p>Nothing is visible outside: no sockets, no log lines (the RIB gets a silent logger), and the
 * RIB, its peers and every buffer are dropped at the end. Messages are framed and sliced from a
 * pooled direct buffer exactly as the transport hands them over, and sent messages come from the
 * same allocator, so the compiled code is profiled on the buffer types it will see later.
 *
 * <p>Threading: runs on the caller's thread before the speaker's loop has any work; the RIB it
 * builds is confined to that thread.
 */
public final class RibWarmUp {
    /** Prefixes per source per round: enough for C2 to compile the per-prefix loops. */
    private static final int PREFIXES = 32 * 1024;
    private static final int SOURCES = 3;
    private static final int MAX_ROUNDS = 64;
    private static final int MESSAGE = 4096;

    /**
     * What a warm-up did.
     *
     * @param rounds       announce-then-withdraw rounds run
     * @param updatesFed   UPDATEs (about a thousand /24s each) fed to the RIB
     * @param messagesSent UPDATEs the RIB encoded for its receiving peer
     * @param nanos        time taken
     */
    public record Result(int rounds, long updatesFed, long messagesSent, long nanos) {}

    private RibWarmUp() {}

    /**
     * Runs announce-then-withdraw rounds until {@code budgetNanos} is spent or
     * {@value #MAX_ROUNDS} rounds are done. The budget is checked after every UPDATE, so a slow
     * machine (or netty's paranoid leak detector in tests) stops mid-round. {@code nanoClock}
     * measures the budget (injected so tests need no wall clock).
     */
    public static Result run(SpeakerConfig speaker, long budgetNanos, LongSupplier nanoClock) {
        return run(speaker, budgetNanos, nanoClock, PREFIXES, ByteBufAllocator.DEFAULT);
    }

    /** As above with a smaller table and another allocator (tests: one netty's leak detector skips). */
    static Result run(SpeakerConfig speaker, long budgetNanos, LongSupplier nanoClock, int prefixes,
                      ByteBufAllocator alloc) {
        long start = nanoClock.getAsLong();
        Budget budget = new Budget(nanoClock, start + budgetNanos);
        SpeakerConfig config = new SpeakerConfig(speaker.localAs(), speaker.routerId(), null, 0, 0,
                Math.max(1, speaker.maxPaths()), List.of(), List.of());
        Rib rib = new Rib(config, NOPLogger.NOP_LOGGER);
        SinkLink[] sources = new SinkLink[SOURCES];
        ByteBuf[] announce = new ByteBuf[SOURCES];
        ByteBuf withdraw = null;
        SinkLink receiver = null;
        int rounds = 0;
        try {
            AttributeInterner encoding = new AttributeInterner();
            for (int i = 0; i < SOURCES; i++) {
                long as = otherAs(config.localAs(), i);
                sources[i] = new SinkLink(i, peer("warm-up-" + i, 0xC0000201 + i, as, config.localAs()),
                        negotiated(config, as, 0xC0000201L + i), alloc);
                PathAttributes a = encoding.intern(new AttributesBuilder().origin(AttributeType.ORIGIN_IGP)
                        .appendSegment(AttributeType.AS_SEQUENCE, new long[] {as, otherAs(config.localAs(), 10 + i)})
                        .nextHop(0xC6336401 + i).med(i));
                announce[i] = encode(alloc, a, false, prefixes);
            }
            withdraw = encode(alloc, null, true, prefixes);
            long receiverAs = otherAs(config.localAs(), 9);
            receiver = new SinkLink(SOURCES, peer("warm-up-out", 0xC0000209, receiverAs, config.localAs()),
                    negotiated(config, receiverAs, 0xC0000209L), alloc);
            rib.peerEstablished(receiver);
            for (SinkLink s : sources) {
                rib.peerEstablished(s);
            }
            rounds:
            while (rounds < MAX_ROUNDS) {
                for (int i = 0; i < SOURCES; i++) {
                    if (!deliver(rib, sources[i], announce[i], budget)) {
                        break rounds;
                    }
                }
                for (int i = 0; i < SOURCES; i++) {
                    // the best path leaves first: each withdrawal moves the best on and re-exports
                    if (!deliver(rib, sources[i], withdraw, budget)) {
                        break rounds;
                    }
                }
                rounds++;
            }
            for (SinkLink s : sources) {
                rib.peerDown(s, false);
            }
            rib.peerDown(receiver, false);
        } finally {
            for (ByteBuf b : announce) {
                if (b != null) {
                    b.release();
                }
            }
            if (withdraw != null) {
                withdraw.release();
            }
        }
        return new Result(rounds, budget.updatesFed, receiver != null ? receiver.messages : 0,
                nanoClock.getAsLong() - start);
    }

    /** The time left, checked after each UPDATE, and the UPDATEs fed so far. */
    private static final class Budget {
        final LongSupplier clock;
        final long deadline;
        long updatesFed;

        Budget(LongSupplier clock, long deadline) {
            this.clock = clock;
            this.deadline = deadline;
        }

        boolean left() {
            return clock.getAsLong() - deadline < 0;
        }
    }

    /** A documentation-range AS (RFC 5398) other than ours, so every warm-up peer is eBGP and loop-free. */
    private static long otherAs(long localAs, int k) {
        long as = 64496 + k;
        return as == localAs ? 65536 + k : as;
    }

    /**
     * Every UPDATE of {@code stream} into the RIB, framed as the transport frames a read; false
     * when the budget ran out first.
     */
    private static boolean deliver(Rib rib, SinkLink from, ByteBuf stream, Budget budget) {
        ByteBuf in = stream.duplicate();
        while (in.isReadable()) {
            if (!budget.left()) {
                return false;
            }
            int length = in.getUnsignedShort(in.readerIndex() + 16);
            ByteBuf frame = in.readRetainedSlice(length);
            try {
                rib.updateReceived(from, frame.skipBytes(19));
            } finally {
                frame.release();
            }
            budget.updatesFed++;
        }
        return true;
    }

    /** Full UPDATEs announcing (or withdrawing) 10.0.0.0/24 upwards, back to back in one buffer. */
    private static ByteBuf encode(ByteBufAllocator alloc, PathAttributes a, boolean withdraw, int prefixes) {
        ByteBuf stream = alloc.directBuffer(prefixes / 900 * MESSAGE + 2 * MESSAGE);
        UpdateWriter w = new UpdateWriter();
        for (int n = 0; n < prefixes; n++) {
            int prefix = 0x0A000000 + (n << 8);
            if (!w.active()) {
                start(w, alloc, a, withdraw);
            }
            if (!w.add4(prefix, 24)) {
                append(stream, w.finish());
                start(w, alloc, a, withdraw);
                w.add4(prefix, 24);
            }
        }
        append(stream, w.finish());
        return stream;
    }

    private static void start(UpdateWriter w, ByteBufAllocator alloc, PathAttributes a, boolean withdraw) {
        if (withdraw) {
            w.startWithdraw4(alloc, MESSAGE);
        } else {
            w.startAnnounce4(alloc, MESSAGE, a, true);
        }
    }

    private static void append(ByteBuf stream, ByteBuf message) {
        try {
            stream.writeBytes(message);
        } finally {
            message.release();
        }
    }

    private static PeerConfig peer(String name, int address, long as, long localAs) {
        return PeerConfig.builder(name, ipv4(address), as, localAs).passive(true)
                .families(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST))
                .importPolicy(Policy.ACCEPT_ALL).exportPolicy(Policy.ACCEPT_ALL).build();
    }

    private static Negotiated negotiated(SpeakerConfig config, long remoteAs, long remoteRouterId) {
        return new Negotiated(true, Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), false, true, false,
                null, 90, config.localAs(), remoteAs, config.routerId(), remoteRouterId);
    }

    static InetAddress ipv4(int a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An in-memory established session: counts what the RIB sends and drops it. */
    static final class SinkLink implements PeerLink {
        private final int index;
        private final PeerConfig config;
        private final Negotiated negotiated;
        private final ByteBufAllocator alloc;
        private final InetAddress local = ipv4(0xC00002FE);
        long messages;
        long bytes;

        SinkLink(int index, PeerConfig config, Negotiated negotiated, ByteBufAllocator alloc) {
            this.index = index;
            this.config = config;
            this.negotiated = negotiated;
            this.alloc = alloc;
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
            return local;
        }

        @Override
        public ByteBufAllocator alloc() {
            return alloc;
        }

        @Override
        public void send(ByteBuf message) {
            messages++;
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
            throw new IllegalStateException("warm-up RIB reset a session: " + code + "/" + subcode);
        }
    }
}
