package io.gannet.bgp.bench;

import io.gannet.bgp.wire.StreamMessageReader;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.BgpError;
import io.gannet.bgp.wire.Capability;
import io.gannet.bgp.wire.KeepaliveMessage;
import io.gannet.bgp.wire.MessageHeader;
import io.gannet.bgp.wire.MessageType;
import io.gannet.bgp.wire.NotificationMessage;
import io.gannet.bgp.wire.OpenMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One benchmark BGP session: just enough of RFC 4271 to be a well-behaved peer of BIRD, FRR
 * or Gannet. It connects actively (the DUTs are passive), sends OPEN with the 4-octet AS
 * (RFC 6793) and IPv4 unicast Multiprotocol (RFC 4760) capabilities, waits for the peer's
 * OPEN and KEEPALIVE, then keeps the session up with KEEPALIVEs every third of the
 * negotiated hold time and treats a silent peer as Hold Timer Expired (RFC 4271 10).
 *
 * <p>There is no full FSM: anything unexpected ends the session with the cause kept in
 * {@link #failure()}. Every UPDATE body goes to the {@link UpdateListener} on the reader
 * thread, in arrival order.
 *
 * <p>Threads: {@link #connect} runs on the caller; then one reader thread; KEEPALIVEs on a
 * shared scheduler. {@link #write} takes a lock so a KEEPALIVE never lands inside an UPDATE.
 */
final class BenchPeer implements AutoCloseable, MessageSink {
    /** Receives UPDATE bodies (header stripped) on the reader thread; valid only during the call. */
    interface UpdateListener {
        void update(ByteBuf body);
    }

    private final String name;
    private final InetAddress localAddress;
    private final InetSocketAddress remote;
    private final long localAs;
    private final int holdTimeSeconds;
    private final LongSupplier nanoClock;
    private final UpdateListener listener;
    private final Object writeLock = new Object();
    private Socket socket;
    private OutputStream out;
    private StreamMessageReader reader;
    private Thread readerThread;
    private ScheduledFuture<?> keepalives;
    private volatile boolean closing;
    private volatile Throwable failure;
    private volatile long lastUpdateNanos;
    private volatile long updates;
    private volatile long receivedBytes;

    BenchPeer(String name, InetAddress localAddress, InetSocketAddress remote, long localAs, int holdTimeSeconds,
              LongSupplier nanoClock, UpdateListener listener) {
        this.name = name;
        this.localAddress = localAddress;
        this.remote = remote;
        this.localAs = localAs;
        this.holdTimeSeconds = holdTimeSeconds;
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    String name() {
        return name;
    }

    /**
     * Connects (retrying refused connections until {@code deadlineNanos}, as the DUT may still
     * be starting), exchanges OPEN and KEEPALIVE and returns once Established.
     */
    void connect(long deadlineNanos, ScheduledExecutorService timers) throws IOException, BgpError, InterruptedException {
        socket = open(deadlineNanos);
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        reader = new StreamMessageReader(in);
        int asField = localAs > 0xFFFF ? OpenMessage.AS_TRANS : (int) localAs;
        long routerId = toUnsigned(localAddress);
        OpenMessage open = new OpenMessage(OpenMessage.VERSION, asField, holdTimeSeconds, routerId,
                List.of(new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST), new Capability.FourOctetAs(localAs)));
        ByteBuf o = Unpooled.buffer(128);
        open.writeTo(o);
        write(o);
        socket.setSoTimeout(Math.max(holdTimeSeconds, 30) * 1000);
        OpenMessage theirs = null;
        boolean keepaliveSeen = false;
        while (!keepaliveSeen) {
            ByteBuf m = reader.next();
            int type = m.getUnsignedByte(m.readerIndex() + MessageHeader.TYPE_OFFSET);
            ByteBuf body = body(m);
            switch (type) {
                case MessageType.OPEN -> {
                    theirs = OpenMessage.decode(body);
                    ByteBuf k = Unpooled.buffer(MessageHeader.KEEPALIVE_LENGTH);
                    KeepaliveMessage.writeTo(k);
                    write(k);
                }
                case MessageType.KEEPALIVE -> keepaliveSeen = theirs != null;
                case MessageType.NOTIFICATION -> throw new IOException(name + ": peer refused the session: "
                        + NotificationMessage.decode(body));
                default -> throw new IOException(name + ": unexpected " + MessageType.name(type) + " before Established");
            }
        }
        // RFC 4271 4.2: the smaller hold time wins; 0 means no KEEPALIVEs and no hold timer.
        int hold = Math.min(holdTimeSeconds, theirs.holdTimeSeconds());
        socket.setSoTimeout(hold * 1000);
        if (hold > 0) {
            long every = Math.max(1, hold / 3);
            keepalives = timers.scheduleAtFixedRate(this::sendKeepalive, every, every, TimeUnit.SECONDS);
        }
        readerThread = new Thread(this::readLoop, "bb-" + name);
        readerThread.setDaemon(true);
        readerThread.start();
    }

    private Socket open(long deadlineNanos) throws IOException, InterruptedException {
        while (true) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.bind(new InetSocketAddress(localAddress, 0));
                s.connect(remote, 5000);
                return s;
            } catch (ConnectException e) {
                s.close();
                if (nanoClock.getAsLong() > deadlineNanos) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static ByteBuf body(ByteBuf message) {
        return message.slice(message.readerIndex() + MessageHeader.LENGTH, message.readableBytes() - MessageHeader.LENGTH);
    }

    private void readLoop() {
        try {
            while (!closing) {
                ByteBuf m = reader.next();
                int type = m.getUnsignedByte(m.readerIndex() + MessageHeader.TYPE_OFFSET);
                receivedBytes += m.readableBytes();
                switch (type) {
                    case MessageType.UPDATE -> {
                        listener.update(body(m));
                        updates++;
                        lastUpdateNanos = nanoClock.getAsLong();
                    }
                    case MessageType.KEEPALIVE, MessageType.ROUTE_REFRESH -> { }
                    case MessageType.NOTIFICATION -> throw new IOException(name + ": NOTIFICATION from the DUT: "
                            + NotificationMessage.decode(body(m)));
                    default -> throw new IOException(name + ": unexpected " + MessageType.name(type) + " while Established");
                }
            }
        } catch (SocketTimeoutException e) {
            fail(new IOException(name + ": hold timer expired (RFC 4271 10)", e));
        } catch (IOException | BgpError | RuntimeException e) {
            if (!closing) {
                fail(e);
            }
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        if (keepalives != null) {
            keepalives.cancel(false);
        }
    }

    private void sendKeepalive() {
        ByteBuf k = Unpooled.buffer(MessageHeader.KEEPALIVE_LENGTH);
        KeepaliveMessage.writeTo(k);
        try {
            write(k);
        } catch (IOException e) {
            if (!closing) {
                fail(e);
            }
        }
    }

    /** Writes whole messages; releases {@code messages}. */
    private void write(ByteBuf messages) throws IOException {
        try {
            write(messages.array(), messages.arrayOffset() + messages.readerIndex(), messages.readableBytes());
        } finally {
            messages.release();
        }
    }

    /** Writes whole messages (never part of one), blocking while the socket buffer is full. */
    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        synchronized (writeLock) {
            out.write(data, offset, length);
        }
    }

    Throwable failure() {
        return failure;
    }

    /** The clock reading at the last UPDATE received, 0 before the first. */
    long lastUpdateNanos() {
        return lastUpdateNanos;
    }

    long updatesReceived() {
        return updates;
    }

    long bytesReceived() {
        return receivedBytes;
    }

    /** Cease / Administrative Shutdown (RFC 4486), then close. */
    @Override
    public void close() {
        closing = true;
        if (keepalives != null) {
            keepalives.cancel(false);
        }
        if (socket == null) {
            return;
        }
        try {
            if (out != null && failure == null) {
                ByteBuf n = Unpooled.buffer(32);
                new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_ADMIN_SHUTDOWN, new byte[0]).writeTo(n);
                write(n);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    /**
     * Waits until no peer has received an UPDATE for {@code settleNanos} (at most {@code timeoutNanos})
     * and returns the clock reading of the last UPDATE, or {@code since} if none came after it.
     */
    static long awaitQuiet(List<BenchPeer> peers, long since, long settleNanos, long timeoutNanos, LongSupplier clock)
            throws IOException, InterruptedException {
        long deadline = clock.getAsLong() + timeoutNanos;
        while (true) {
            checkFailures(peers);
            long last = since;
            for (BenchPeer p : peers) {
                last = Math.max(last, p.lastUpdateNanos());
            }
            long now = clock.getAsLong();
            if (now - last >= settleNanos || now > deadline) {
                return last;
            }
            Thread.sleep(20);
        }
    }

    /** Throws the first peer's failure, named after the peer. */
    static void checkFailures(List<BenchPeer> peers) throws IOException {
        for (BenchPeer p : peers) {
            Throwable t = p.failure();
            if (t != null) {
                throw new IOException(p.name() + " failed: " + t.getMessage(), t);
            }
        }
    }

    static long toUnsigned(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("IPv4 address expected: " + a);
        }
        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    @Override
    public String toString() {
        return name + " " + localAddress.getHostAddress();
    }
}
