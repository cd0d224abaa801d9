package io.gannet.bgp.bench;

import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Arrays;

/**
 * Everything one injector sends, encoded before the clock starts so the measurement sees
 * only the DUT: {@code count} consecutive IPv4 prefixes of one length packed into full
 * 4096-octet UPDATEs that share one attribute set (ORIGIN IGP, AS_PATH = the injector's AS,
 * NEXT_HOP = the injector's own address), then one UPDATE with the injector's end marker
 * (a /32 the collector waits for; it follows the bulk on the same TCP stream, so its arrival
 * shows the DUT has worked through everything before it), then End-of-RIB (RFC 4724 2).
 *
 * <p>Encoded by bgp-speaker's {@link UpdateWriter}, into one array with the message
 * boundaries recorded, so the injector can write big chunks that never split a message.
 *
 * <pre>
 * bulk:   UPDATE(attrs, NLRI p0..p1012) UPDATE(attrs, NLRI p1013..) ... (about 1013 /24s each)
 * marker: UPDATE(attrs, NLRI marker/32)
 * eor:    UPDATE()   (withdrawn length 0, attribute length 0)
 * </pre>
 */
final class InjectorFeed {
    static final int MAX_MESSAGE = 4096;
    private final byte[] bulk;
    private final int[] messageEnds;
    private final byte[] tail;
    private final int prefixes;

    private InjectorFeed(byte[] bulk, int[] messageEnds, byte[] tail, int prefixes) {
        this.bulk = bulk;
        this.messageEnds = messageEnds;
        this.tail = tail;
        this.prefixes = prefixes;
    }

    /**
     * @param firstPrefix first network (host bits zero), IPv4 as int bits
     * @param length      prefix length of every bulk prefix (1..32)
     * @param count       number of bulk prefixes; consecutive networks of {@code length}
     * @param marker      the end marker /32, as int bits
     * @param as          the injector's AS (AS_PATH, 4-octet encoding)
     * @param nextHop     the NEXT_HOP, as int bits
     */
    static InjectorFeed encode(int firstPrefix, int length, int count, int marker, long as, int nextHop) {
        if (length < 1 || length > 32) {
            throw new IllegalArgumentException("prefix length " + length);
        }
        long span = 1L << (32 - length);
        if ((firstPrefix & 0xFFFFFFFFL) + span * count > (1L << 32)) {
            throw new IllegalArgumentException(count + " /" + length + " prefixes do not fit above the first one");
        }
        AttributeInterner interner = new AttributeInterner();
        PathAttributes attrs = interner.intern(new AttributesBuilder()
                .origin(0) // IGP
                .appendSegment(AttributeType.AS_SEQUENCE, as)
                .nextHop(nextHop));
        UnpooledByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
        UpdateWriter writer = new UpdateWriter();
        ByteBuf all = alloc.heapBuffer(count * (1 + (length + 7) / 8) + count / 500 * 64 + 4096);
        int[] ends = new int[16];
        int messages = 0;
        int i = 0;
        while (i < count) {
            writer.startAnnounce4(alloc, MAX_MESSAGE, attrs, true);
            while (i < count && writer.add4((int) ((firstPrefix & 0xFFFFFFFFL) + span * i), length)) {
                i++;
            }
            ByteBuf m = writer.finish();
            all.writeBytes(m);
            m.release();
            if (messages == ends.length) {
                ends = Arrays.copyOf(ends, messages * 2);
            }
            ends[messages++] = all.writerIndex();
        }
        byte[] bulk = Arrays.copyOf(all.array(), all.writerIndex());
        all.release();

        ByteBuf tail = alloc.heapBuffer(128);
        writer.startAnnounce4(alloc, MAX_MESSAGE, attrs, true);
        writer.add4(marker, 32);
        ByteBuf m = writer.finish();
        tail.writeBytes(m);
        m.release();
        ByteBuf eor = UpdateWriter.endOfRib(alloc, 1, 1);
        tail.writeBytes(eor);
        eor.release();
        byte[] tailBytes = Arrays.copyOf(tail.array(), tail.writerIndex());
        tail.release();
        return new InjectorFeed(bulk, Arrays.copyOf(ends, messages), tailBytes, count);
    }

    /**
     * Writes the bulk in chunks of about {@code chunkBytes} cut at message boundaries, then the
     * marker and End-of-RIB.
     */
    void sendTo(MessageSink peer, int chunkBytes) throws java.io.IOException {
        int off = 0;
        int next = 0;
        while (off < bulk.length) {
            int end = messageEnds[next++];
            while (next < messageEnds.length && messageEnds[next] - off <= chunkBytes) {
                end = messageEnds[next++];
            }
            peer.write(bulk, off, end - off);
            off = end;
        }
        peer.write(tail, 0, tail.length);
    }

    int prefixes() {
        return prefixes;
    }

    int messages() {
        return messageEnds.length + 2;
    }

    int bytes() {
        return bulk.length + tail.length;
    }
}
