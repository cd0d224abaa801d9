package io.gannet.bgp.rib;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.wire.Negotiated;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;

/**
 * The RIB's view of one established session, implemented by the session layer.
 *
 * <p>Threading: every method is called on, and every callback arrives on, the speaker's
 * single event loop, the one thread that owns sessions and RIBs. Nothing here blocks.
 */
public interface PeerLink {
    /** Small dense index, unique among live sessions, reused after {@link RouteProcessor#peerDown}. */
    int peerIndex();

    PeerConfig config();

    Negotiated negotiated();

    InetAddress remoteAddress();

    /** Local end of the TCP connection: the next hop we advertise by default ("next hop self"). */
    InetAddress localAddress();

    ByteBufAllocator alloc();

    /** Queues a complete BGP message (19-byte header included) and takes ownership of it. */
    void send(ByteBuf message);

    /** Writes what {@link #send} queued. */
    void flush();

    /**
     * False while the peer's socket buffer is full; the RIB then stops encoding for this peer
     * and resumes when {@link RouteProcessor#peerWritable} is called.
     */
    boolean isWritable();

    /**
     * Ends the session with a NOTIFICATION (for RFC 7606 "session reset" and max-prefix).
     * The session layer then calls {@link RouteProcessor#peerDown}.
     */
    void reset(int code, int subcode, byte[] data);
}
