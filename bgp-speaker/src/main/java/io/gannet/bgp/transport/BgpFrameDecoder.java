package io.gannet.bgp.transport;

import io.gannet.bgp.wire.BgpError;
import io.gannet.bgp.wire.MessageHeader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the TCP stream into BGP messages: checks each header (RFC 4271 6.1, via
 * {@link MessageHeader#check}) and emits the whole message, header included, as a retained
 * slice of the cumulation buffer, so UPDATE bodies reach the RIB without a copy. A bad
 * header is emitted once as a {@link FramingError}; everything after it is discarded, the
 * session is about to close the connection anyway.
 *
 * <p>Not sharable: one instance per channel, as for every {@code ByteToMessageDecoder}.
 */
public final class BgpFrameDecoder extends ByteToMessageDecoder {
    private int maxLength = MessageHeader.MAX_MESSAGE_LENGTH;
    private boolean failed;

    /** A header the decoder rejected; the session answers it with {@link #error}'s NOTIFICATION. */
    public record FramingError(BgpError error) {}

    /** RFC 8654: 65535 once both sides advertised Extended Message, 4096 before. */
    public void maxLength(int length) {
        maxLength = length;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.readableBytes() >= MessageHeader.LENGTH) {
            int length;
            try {
                length = MessageHeader.check(in, maxLength);
            } catch (BgpError e) {
                failed = true;
                out.add(new FramingError(e));
                break;
            }
            if (in.readableBytes() < length) {
                return;
            }
            out.add(in.readRetainedSlice(length));
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }
}
