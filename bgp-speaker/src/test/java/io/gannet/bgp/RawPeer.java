package io.gannet.bgp;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.Capability;
import io.gannet.bgp.wire.KeepaliveMessage;
import io.gannet.bgp.wire.OpenMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * A blocking, hand-driven BGP peer over a plain socket: it sends whatever bytes a test
 * gives it, valid or not, and reads what the speaker answers.
 */
public final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A message the speaker sent: its type and body. */
    public record Message(int type, byte[] body) {
        public String notification() {
            return type == 3 ? (body[0] & 0xff) + "/" + (body[1] & 0xff) : null;
        }
    }

    public RawPeer(InetAddress local, InetAddress remote, int port) throws IOException {
        this(local, remote, port, 0);
    }

    /** {@code receiveBuffer} > 0 shrinks our TCP window (set before connecting so it applies). */
    public RawPeer(InetAddress local, InetAddress remote, int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(local, 0));
        socket.connect(new InetSocketAddress(remote, port), 3000);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void send(ByteBuf message) throws IOException {
        try {
            send(ByteBufUtil.getBytes(message));
        } finally {
            message.release();
        }
    }

    /** The next message, or null at end of stream. */
    public Message read() throws IOException {
        byte[] header = new byte[19];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            return null;
        }
        int length = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
        byte[] body = new byte[length - 19];
        in.readFully(body);
        return new Message(header[18] & 0xff, body);
    }

    /** Reads until a NOTIFICATION ("code/subcode") or end of stream (null). */
    public Message readNotification() throws IOException {
        Message m;
        while ((m = read()) != null) {
            if (m.type() == 3) {
                return m;
            }
        }
        return null;
    }

    /** True when the speaker closed the connection (after whatever it still had to say). */
    public boolean closedByPeer() throws IOException {
        try {
            while (read() != null) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** OPEN for IPv4 unicast with route refresh and 4-octet AS. */
    public static ByteBuf open(long as, long id, int hold) {
        return new OpenMessage(4, as > 0xFFFF ? OpenMessage.AS_TRANS : (int) as, hold, id, List.of(
                new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST), new Capability.RouteRefresh(),
                new Capability.FourOctetAs(as))).encode(Unpooled.buffer().alloc());
    }

    /** Full handshake: read the speaker's OPEN, send ours and a KEEPALIVE, wait for its KEEPALIVE. */
    public void establish(long as, long id, int hold) throws IOException {
        Message m = read();
        if (m == null || m.type() != 1) {
            throw new IOException("expected OPEN, got " + m);
        }
        send(open(as, id, hold));
        send(KeepaliveMessage.encode(Unpooled.buffer().alloc()));
        while ((m = read()) != null && m.type() != 4) {
            if (m.type() == 3) {
                throw new IOException("NOTIFICATION " + m.notification());
            }
        }
        if (m == null) {
            throw new IOException("closed during handshake");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
