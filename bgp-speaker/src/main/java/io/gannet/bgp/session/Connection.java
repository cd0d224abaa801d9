package io.gannet.bgp.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;

/**
 * One TCP connection as the FSM sees it; the transport implements it over a netty channel,
 * FSM tests with a recording fake. All calls happen on the speaker's event loop.
 */
public interface Connection {
    /** True if we initiated it (collision detection, RFC 4271 6.8, needs to know). */
    boolean outbound();

    InetAddress remoteAddress();

    InetAddress localAddress();

    ByteBufAllocator alloc();

    /** Queues a complete message and takes ownership of it. */
    void send(ByteBuf message);

    void flush();

    boolean isWritable();

    /** Raises the accepted frame length to 65535 after RFC 8654 negotiation. */
    void maxMessageLength(int length);

    /** Flushes what was queued (a NOTIFICATION, typically), then closes. */
    void close();

    /** Closes at once, dropping queued data: for a peer that does not drain its socket. */
    void abort();
}
