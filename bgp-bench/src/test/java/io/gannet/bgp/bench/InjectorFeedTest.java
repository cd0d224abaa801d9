package io.gannet.bgp.bench;

import io.gannet.bgp.wire.StreamMessageReader;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.wire.MessageHeader;
import io.gannet.bgp.wire.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pre-encoded feed, decoded back by the collector's own path: every prefix once, then marker and End-of-RIB. */
class InjectorFeedTest {
    private static final int NEXT_HOP = 10 << 24 | 84 << 16 | 1 << 8 | 11;

    @Test
    void decodesToEveryPrefixOnceThenTheMarkerAndEndOfRib() throws Exception {
        int count = 5000;
        int marker = PropagationRun.MARKER_BASE | 1;
        InjectorFeed feed = InjectorFeed.encode(PropagationRun.FIRST_PREFIX, 24, count, marker, 65001, NEXT_HOP);
        byte[] wire = sent(feed, 10_000);

        PrefixCounter counter = new PrefixCounter(count + 1, NEXT_HOP, System::nanoTime);
        StreamMessageReader reader = new StreamMessageReader(new ByteArrayInputStream(wire));
        List<Integer> sizes = new ArrayList<>();
        int read = 0;
        while (read < wire.length) {
            ByteBuf m = reader.next();
            read += m.readableBytes();
            sizes.add(m.readableBytes());
            assertThat((int) m.getUnsignedByte(m.readerIndex() + MessageHeader.TYPE_OFFSET)).isEqualTo(MessageType.UPDATE);
            counter.update(m.slice(m.readerIndex() + MessageHeader.LENGTH, m.readableBytes() - MessageHeader.LENGTH));
        }
        assertThat(counter.current()).isEqualTo(count + 1);
        assertThat(counter.completeNanos()).isPositive();
        assertThat(counter.nextHopMismatches()).isZero();
        assertThat(counter.decodeErrors()).isZero();
        assertThat(sizes).allSatisfy(s -> assertThat(s).isBetween(MessageHeader.MIN_UPDATE_LENGTH, InjectorFeed.MAX_MESSAGE));
        // Packed: every bulk UPDATE but the last is nearly full (1 + 3 octets per /24).
        assertThat(sizes.get(0)).isGreaterThan(InjectorFeed.MAX_MESSAGE - 4);
        assertThat(sizes).hasSize(feed.messages());
        assertThat(sizes.get(sizes.size() - 1)).isEqualTo(MessageHeader.MIN_UPDATE_LENGTH); // End-of-RIB (RFC 4724 2)
    }

    @Test
    void chunksNeverSplitAMessage() throws Exception {
        InjectorFeed feed = InjectorFeed.encode(PropagationRun.FIRST_PREFIX, 24, 20_000, PropagationRun.MARKER_BASE | 2, 65002,
                NEXT_HOP);
        RecordingPeer peer = new RecordingPeer();
        feed.sendTo(peer, 64 * 1024);
        int offset = 0;
        for (int length : peer.writes) {
            // Each write starts on a BGP marker and ends on a message boundary.
            ByteBuf w = Unpooled.wrappedBuffer(peer.bytes(), offset, length);
            while (w.isReadable()) {
                assertThat(w.getLong(w.readerIndex())).isEqualTo(-1L);
                int len = w.getUnsignedShort(w.readerIndex() + MessageHeader.LENGTH_OFFSET);
                assertThat(len).isLessThanOrEqualTo(w.readableBytes());
                w.skipBytes(len);
            }
            offset += length;
        }
        assertThat(offset).isEqualTo(feed.bytes());
    }

    private static byte[] sent(InjectorFeed feed, int chunk) throws Exception {
        RecordingPeer peer = new RecordingPeer();
        feed.sendTo(peer, chunk);
        return peer.bytes();
    }

    /** Stands in for the socket: keeps what would have been written. */
    private static final class RecordingPeer implements MessageSink {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private final List<Integer> writes = new ArrayList<>();

        @Override
        public void write(byte[] data, int offset, int length) {
            out.write(data, offset, length);
            writes.add(length);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** The feed's bytes as the injector sends them. */
    static byte[] bytesOf(InjectorFeed feed) throws Exception {
        return sent(feed, 1 << 20);
    }
}
