package io.gannet.bgp.transport;

import io.gannet.bgp.session.Connection;
import io.gannet.bgp.session.PeerSession;
import io.gannet.bgp.wire.NotificationMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A netty channel as a session's {@link Connection}, and the last inbound handler of its
 * pipeline: frames from {@link BgpFrameDecoder} go to the owning {@link PeerSession}, and
 * are released when it returns (the session and the RIB only borrow them).
 *
 * <p>Once the session closed the connection, or was told it closed, nothing more reaches
 * the session from this channel.
 */
final class ChannelConnection extends ChannelInboundHandlerAdapter implements Connection {
    private static final Logger log = LoggerFactory.getLogger(ChannelConnection.class);
    /** How long a close waits for queued data (a NOTIFICATION) to drain before it forces. */
    private static final long CLOSE_GRACE_MILLIS = 3_000;

    private final boolean outbound;
    private final BgpFrameDecoder decoder;
    private Channel channel;
    private PeerSession session;
    private boolean finished;

    ChannelConnection(boolean outbound, BgpFrameDecoder decoder, PeerSession session) {
        this.outbound = outbound;
        this.decoder = decoder;
        this.session = session;
    }

    void attach(PeerSession owner) {
        session = owner;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf frame) {
            try {
                if (!finished && session != null) {
                    session.message(this, frame);
                }
            } finally {
                frame.release();
            }
        } else if (msg instanceof BgpFrameDecoder.FramingError error && !finished && session != null) {
            session.framingError(this, error.error());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!finished && session != null) {
            session.writabilityChanged(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        lost("connection closed by peer");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: channel error: {}", channel, cause.toString());
        ctx.close();
        lost(cause.getMessage() == null ? cause.toString() : cause.getMessage());
    }

    private void lost(String why) {
        if (!finished) {
            finished = true;
            if (session != null) {
                session.closed(this, why);
            }
        }
    }

    /** Refuses an unknown peer: Cease / Connection Rejected (RFC 4486), then close. */
    void refuse() {
        finished = true;
        channel.writeAndFlush(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_CONNECTION_REJECTED)
                .encode(channel.alloc())).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public boolean outbound() {
        return outbound;
    }

    @Override
    public InetAddress remoteAddress() {
        return ((InetSocketAddress) channel.remoteAddress()).getAddress();
    }

    @Override
    public InetAddress localAddress() {
        return ((InetSocketAddress) channel.localAddress()).getAddress();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void send(ByteBuf message) {
        if (finished || !channel.isActive()) {
            message.release();
            return;
        }
        channel.write(message, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void maxMessageLength(int length) {
        decoder.maxLength(length);
    }

    @Override
    public void close() {
        finished = true;
        if (!channel.isActive()) {
            channel.close();
            return;
        }
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void abort() {
        finished = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "Connection[" + (outbound ? "out " : "in ") + channel + "]";
    }
}
