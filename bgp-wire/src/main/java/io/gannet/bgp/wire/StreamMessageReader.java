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
    private final InputStream in;
    private final ByteBuf buf;
    private final int minRead;

    /** A 1 MiB buffer: bulk feeds read in 64 KiB steps or more. */
    public StreamMessageReader(InputStream in) {
        this(in, 1 << 20);
    }

    /**
     * @param bufferBytes the buffer's size, at least 16 KiB (a session that sends little, as a
     *                    node does, needs no more; thousands of them in one JVM add up)
     */
    public StreamMessageReader(InputStream in, int bufferBytes) {
        if (bufferBytes < 16 * 1024) {
            throw new IllegalArgumentException("a reader needs a buffer of 16 KiB or more, not " + bufferBytes);
        }
        this.in = in;
        this.buf = Unpooled.buffer(bufferBytes);
        this.minRead = Math.min(64 * 1024, bufferBytes / 4);
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
        if (buf.writableBytes() < minRead) {
            buf.discardReadBytes();
        }
        int n = in.read(buf.array(), buf.arrayOffset() + buf.writerIndex(), buf.writableBytes());
        if (n < 0) {
            throw new EOFException("peer closed the connection");
        }
        buf.writerIndex(buf.writerIndex() + n);
    }
}
