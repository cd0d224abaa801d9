package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** KEEPALIVE (RFC 4271 section 4.4): the bare 19-byte header with type 4. */
public final class KeepaliveMessage {
    private KeepaliveMessage() {}

    public static void writeTo(ByteBuf out) {
        int start = MessageHeader.start(out, MessageType.KEEPALIVE);
        MessageHeader.finish(out, start);
    }

    public static ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(MessageHeader.KEEPALIVE_LENGTH);
        writeTo(out);
        return out;
    }
}
