package io.gannet.lab;

import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.Capability;
import io.gannet.bgp.wire.KeepaliveMessage;
import io.gannet.bgp.wire.MessageHeader;
import io.gannet.bgp.wire.MessageType;
import io.gannet.bgp.wire.NotificationMessage;
import io.gannet.bgp.wire.OpenMessage;
import io.gannet.bgp.wire.StreamMessageReader;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node of a scale run, as its core sees it: a BGP session over a real TCP socket from the
 * node's own address, saying what a Gannet node says and nothing more. It opens with IPv4
 * unicast (RFC 4760), route refresh (RFC 2918, answered by announcing again), 4-octet AS
 * (RFC 6793) and graceful restart (RFC 4724, forwarding state
 * preserved, the Restart State bit set when it comes back from a restart); once Established it
 * announces its PodCIDR (ORIGIN IGP, empty AS_PATH, NEXT_HOP its address, LOCAL_PREF 100: an
 * iBGP route) and End-of-RIB, sends KEEPALIVEs every third of the negotiated hold time and
 * reads (and drops) whatever the core sends. A NOTIFICATION, a silent core or a closed
 * connection is a failure the run reports.
 *
 * <p>Threads: one virtual thread per connection (connect, OPEN, read loop), KEEPALIVEs on a
 * scheduler shared by every node; writes take the node's lock so a KEEPALIVE never lands
 * inside another message. Thousands of nodes cost thousands of virtual threads, not platform
 * threads.
 */
final class ScaleNode {
    /** Opens a socket in the namespace the nodes' addresses live in. */
    interface Sockets {
        SocketChannel open() throws IOException;
    }

    private final String name;
    private final Inet4Address address;
    private final InetSocketAddress core;
    private final long as;
    private final int holdTimeSeconds;
    private final int restartTimeSeconds;
    private final byte[] announcement;
    private final Object writeLock = new Object();
    private volatile SocketChannel channel;
    private volatile ScheduledFuture<?> keepalives;
    private volatile boolean stopping;
    private volatile long establishedNanos;
    private volatile long endOfRibNanos;
    private volatile int sessions;
    private volatile String failure;
    private volatile String notYet;
    private volatile int refreshes;

    ScaleNode(String name, Inet4Address address, InetSocketAddress core, long as, int holdTimeSeconds, int restartTimeSeconds,
            Inet4Address podCidr, int podCidrLength) {
        this.name = name;
        this.address = address;
        this.core = core;
        this.as = as;
        this.holdTimeSeconds = holdTimeSeconds;
        this.restartTimeSeconds = restartTimeSeconds;
        this.announcement = announcement(bits(podCidr), podCidrLength, bits(address));
    }

    /** UPDATE(PodCIDR) then End-of-RIB, encoded once by bgp-speaker's writer. */
    private static byte[] announcement(int prefix, int length, int nextHop) {
        PathAttributes attrs = new AttributeInterner().intern(new PathAttributes.Builder()
                .origin(0) // IGP
                .emptyAsPath() // mandatory even when empty (RFC 4271 5.1.2)
                .nextHop(nextHop)
                .localPref(100));
        UnpooledByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
        UpdateWriter w = new UpdateWriter();
        w.startAnnounce4(alloc, MessageHeader.MAX_MESSAGE_LENGTH, attrs, true);
        w.add4(prefix, length);
        ByteBuf update = w.finish();
        ByteBuf eor = UpdateWriter.endOfRib(alloc, 1, 1);
        byte[] out = new byte[update.readableBytes() + eor.readableBytes()];
        update.readBytes(out, 0, update.readableBytes());
        eor.readBytes(out, out.length - eor.readableBytes(), eor.readableBytes());
        update.release();
        eor.release();
        return out;
    }

    String name() {
        return name;
    }

    /** Starts a session on a virtual thread; {@code restarting} sets the Restart State bit (RFC 4724 3). */
    void start(Sockets sockets, ScheduledExecutorService timers, boolean restarting) {
        stopping = false;
        establishedNanos = 0;
        endOfRibNanos = 0;
        Thread.ofVirtual().name("scale-" + name).start(() -> run(sockets, timers, restarting));
    }

    /**
     * Ends the connection as a restarting process does (the socket closes, no NOTIFICATION), so
     * a core that helps graceful restart keeps the node's route as stale meanwhile.
     */
    void drop() {
        stopping = true;
        ScheduledFuture<?> k = keepalives;
        if (k != null) {
            k.cancel(false);
        }
        SocketChannel c = channel;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closed either way
            }
        }
    }

    boolean established() {
        return establishedNanos != 0 && failure == null;
    }

    /** When its End-of-RIB left (System.nanoTime), or 0. */
    long endOfRibNanos() {
        return endOfRibNanos;
    }

    long establishedNanos() {
        return establishedNanos;
    }

    /** Sessions it has brought up so far (1 after the start, 2 after one restart). */
    int sessions() {
        return sessions;
    }

    /** Why its last session ended when it should not have, or null. */
    String failure() {
        return failure;
    }

    /**
     * Sessions until one is Established and then ends (a failure, unless {@link #drop} ended it).
     * A connection the core refuses or closes before Established is tried again after
     * {@link #RETRY_MILLIS}, as a node's ConnectRetry would (a core that has just seen the
     * node's previous connection close may still hold the peer Idle).
     */
    private void run(Sockets sockets, ScheduledExecutorService timers, boolean restarting) {
        failure = null;
        notYet = null;
        while (!stopping) {
            if (session(sockets, timers, restarting)) {
                return;
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static final long RETRY_MILLIS = 1000;

    /** ROUTE-REFRESH requests the core sent, answered with the announcement again. */
    int refreshes() {
        return refreshes;
    }

    /** Why the node is not Established yet (the last refusal), or null. */
    String notYet() {
        return notYet;
    }

    /** One connection; true once it had been Established. */
    private boolean session(Sockets sockets, ScheduledExecutorService timers, boolean restarting) {
        boolean up = false;
        try (SocketChannel c = sockets.open()) {
            channel = c;
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.bind(new InetSocketAddress(address, 0));
            c.connect(core);
            var socket = c.socket();
            OutputStream out = socket.getOutputStream();
            StreamMessageReader reader = new StreamMessageReader(socket.getInputStream());
            socket.setSoTimeout(Math.max(holdTimeSeconds, 30) * 1000);
            ByteBuf open = Unpooled.buffer(128);
            new OpenMessage(OpenMessage.VERSION, as > 0xFFFF ? OpenMessage.AS_TRANS : (int) as, holdTimeSeconds, bits(address) & 0xFFFFFFFFL,
                    List.of(new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST), new Capability.RouteRefresh(), new Capability.FourOctetAs(as),
                            new Capability.GracefulRestart(restarting, restartTimeSeconds,
                                    List.of(new Capability.GracefulRestart.Family(AddressFamily.IPV4_UNICAST, true))))).writeTo(open);
            write(out, open);
            OpenMessage theirs = null;
            while (true) {
                ByteBuf m = reader.next();
                int type = m.getUnsignedByte(m.readerIndex() + MessageHeader.TYPE_OFFSET);
                ByteBuf body = m.slice(m.readerIndex() + MessageHeader.LENGTH, m.readableBytes() - MessageHeader.LENGTH);
                if (type == MessageType.OPEN) {
                    theirs = OpenMessage.decode(body);
                    ByteBuf k = Unpooled.buffer(MessageHeader.KEEPALIVE_LENGTH);
                    KeepaliveMessage.writeTo(k);
                    write(out, k);
                } else if (type == MessageType.KEEPALIVE && theirs != null) {
                    break;
                } else if (type == MessageType.NOTIFICATION) {
                    throw new IOException("the core refused the session: " + NotificationMessage.decode(body));
                } else {
                    throw new IOException("unexpected " + MessageType.name(type) + " before Established");
                }
            }
            up = true;
            notYet = null;
            establishedNanos = System.nanoTime();
            sessions++;
            synchronized (writeLock) {
                out.write(announcement);
            }
            endOfRibNanos = System.nanoTime();
            int hold = Math.min(holdTimeSeconds, theirs.holdTimeSeconds());
            socket.setSoTimeout(hold * 1000);
            if (hold > 0) {
                long every = Math.max(1, hold / 3);
                keepalives = timers.scheduleAtFixedRate(() -> keepalive(out), every, every, TimeUnit.SECONDS);
            }
            while (true) {
                ByteBuf m = reader.next();
                int type = m.getUnsignedByte(m.readerIndex() + MessageHeader.TYPE_OFFSET);
                if (type == MessageType.NOTIFICATION) {
                    ByteBuf body = m.slice(m.readerIndex() + MessageHeader.LENGTH, m.readableBytes() - MessageHeader.LENGTH);
                    throw new IOException("NOTIFICATION from the core: " + NotificationMessage.decode(body));
                }
                if (type == MessageType.ROUTE_REFRESH) {
                    // RFC 2918: the core asks again (FRR does once a route-map it could not apply at start is in place)
                    refreshes++;
                    synchronized (writeLock) {
                        out.write(announcement);
                    }
                }
            }
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (stopping) {
                return true;
            }
            if (up) {
                failure = why;
            } else {
                notYet = why;
            }
        } finally {
            ScheduledFuture<?> k = keepalives;
            if (k != null) {
                k.cancel(false);
            }
        }
        return up;
    }

    private void keepalive(OutputStream out) {
        ByteBuf k = Unpooled.buffer(MessageHeader.KEEPALIVE_LENGTH);
        KeepaliveMessage.writeTo(k);
        try {
            write(out, k);
        } catch (IOException e) {
            // the read loop sees the connection end and reports it
        }
    }

    private void write(OutputStream out, ByteBuf m) throws IOException {
        byte[] b = new byte[m.readableBytes()];
        m.readBytes(b);
        m.release();
        synchronized (writeLock) {
            out.write(b);
        }
    }

    private static int bits(Inet4Address a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    @Override
    public String toString() {
        return name + " " + address.getHostAddress();
    }
}
