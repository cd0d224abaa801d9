package io.gannet.bgp.session;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.rib.PeerLink;
import io.gannet.bgp.wire.MessageHeader;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.NotificationMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;

/**
 * The RIB's handle on one Established session. It outlives the session only as a key:
 * once the session is down, sends are dropped (the RIB learns of it through peerDown).
 */
final class SessionLink implements PeerLink {
    private final PeerSession session;
    private final Connection connection;
    private final int index;
    private final PeerConfig config;
    private final Negotiated negotiated;
    private boolean live = true;

    SessionLink(PeerSession session, Connection connection, int index, PeerConfig config, Negotiated negotiated) {
        this.session = session;
        this.connection = connection;
        this.index = index;
        this.config = config;
        this.negotiated = negotiated;
    }

    void down() {
        live = false;
    }

    boolean live() {
        return live;
    }

    @Override
    public int peerIndex() {
        return index;
    }

    /** The neighbor's current configuration (policy changes apply to a live session). */
    @Override
    public PeerConfig config() {
        return live ? session.config() : config;
    }

    @Override
    public Negotiated negotiated() {
        return negotiated;
    }

    @Override
    public InetAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public InetAddress localAddress() {
        return connection.localAddress();
    }

    @Override
    public ByteBufAllocator alloc() {
        return connection.alloc();
    }

    @Override
    public void send(ByteBuf message) {
        if (!live) {
            message.release();
            return;
        }
        session.countOut(message.getUnsignedByte(message.readerIndex() + MessageHeader.TYPE_OFFSET));
        connection.send(message);
    }

    @Override
    public void flush() {
        if (live) {
            connection.flush();
        }
    }

    @Override
    public boolean isWritable() {
        return live && connection.isWritable();
    }

    @Override
    public void reset(int code, int subcode, byte[] data) {
        if (live) {
            session.resetFromRib(new NotificationMessage(code, subcode, data));
        }
    }

    @Override
    public String toString() {
        return "PeerLink[" + config.name() + " #" + index + "]";
    }
}
