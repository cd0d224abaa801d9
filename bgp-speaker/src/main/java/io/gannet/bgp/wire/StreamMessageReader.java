package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Cuts a blocking TCP stream into whole BGP messages (RFC 4271 4.1 framing, checked by
 * bgp-speaker's {@link MessageHeader#check}). Reads go straight into one heap buffer, so
 * {@code UpdateDecoder} walks the array without a copy.
 *
 * <p>A returned message is a slice of that buffer, valid only until the next call. One
 * reader thread per instance.
 */
public final class StreamMessageReader {
    private static final int MIN_READ = 64 * 1024;
    private final InputStream in;
    private final ByteBuf buf = Unpooled.buffer(1 << 20);

    public StreamMessageReader(InputStream in) {
        this.in = in;
    }

    /** The next whole message, header included; blocks until one has arrived. */
    public ByteBuf next() throws IOException, BgpError {
        while (true) {
            if (buf.readableBytes() >= MessageHeader.LENGTH) {
                // We never advertise Extended Message (RFC 8654), so 4096 is the limit.
                int length = MessageHeader.check(buf, MessageHeader.MAX_MESSAGE_LENGTH);
                if (buf.readableBytes() >= length) {
                    return buf.readSlice(length);
                }
            }
            fill();
        }
    }

    private void fill() throws IOException {
        if (buf.writableBytes() < MIN_READ) {
            buf.discardReadBytes();
        }
        int n = in.read(buf.array(), buf.arrayOffset() + buf.writerIndex(), buf.writableBytes());
        if (n < 0) {
            throw new EOFException("peer closed the connection");
        }
        buf.writerIndex(buf.writerIndex() + n);
    }
}
