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
import io.gannet.bgp.wire.attr.AttributesBuilder;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One node of a scale run, as its core sees it: a BGP session over a real TCP socket from the
 * node's own address, saying what a Gannet node says and nothing more. It opens with IPv4
 * unicast (RFC 4760), route refresh (RFC 2918, answered by announcing again), 4-octet AS
 * (RFC 6793) and graceful restart (RFC 4724, forwarding state
 * preserved, the Restart State bit set when it comes back from a restart); once Established it
 * announces its PodCIDR (ORIGIN IGP, empty AS_PATH, NEXT_HOP its address, LOCAL_PREF 100: an
 * iBGP route) and End-of-RIB, sends KEEPALIVEs every third of the negotiated hold time and
 * reads (and drops) whatever the core sends. A session the core ends (a NOTIFICATION, a silent
 * core, a closed connection) is a flap the run counts; the node connects again after
 * {@link #RETRY_MILLIS}, as a node's ConnectRetry would.
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
    /** Bumped by each start, so a thread from before a drop never carries on beside the new one. */
    private volatile int generations;
    private volatile long establishedNanos;
    private volatile long endOfRibNanos;
    private volatile int sessions;
    private volatile boolean up;
    private volatile int flaps;
    private volatile String lastFlap;
    private volatile String notYet;
    private volatile int refreshes;
    private volatile int collisions;
    private final AtomicReference<SocketChannel> inbound = new AtomicReference<>();
    private volatile Thread runner;
    /** A node reads little: an OPEN, KEEPALIVEs, ROUTE-REFRESH. */
    private static final int READ_BUFFER = 16 * 1024;

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
        PathAttributes attrs = new AttributeInterner().intern(new AttributesBuilder()
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
        int generation = ++generations;
        Thread.ofVirtual().name("scale-" + name).start(() -> run(sockets, timers, restarting, generation));
    }

    /**
     * Ends the connection as a restarting process does (the socket closes, no NOTIFICATION), so
     * a core that helps graceful restart keeps the node's route as stale meanwhile.
     */
    void drop() {
        stopping = true;
        SocketChannel waiting = inbound.getAndSet(null);
        if (waiting != null) {
            reset(waiting);
        }
        wake();
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

    /** Whether its session is Established now. */
    boolean established() {
        return up;
    }

    /** When its End-of-RIB left (System.nanoTime), or 0. */
    long endOfRibNanos() {
        return endOfRibNanos;
    }

    long establishedNanos() {
        return establishedNanos;
    }

    /** Sessions it has brought up so far. */
    int sessions() {
        return sessions;
    }

    /** Established sessions the core ended (not {@link #drop}). */
    int flaps() {
        return flaps;
    }

    /** Why the core last ended an Established session, or null. */
    String lastFlap() {
        return lastFlap;
    }

    /**
     * Sessions until {@link #drop}. A connection the core refuses, or closes before or after
     * Established, is tried again after {@link #RETRY_MILLIS}, as a node's ConnectRetry would
     * (a core that is still reading its configuration, or has just seen the node's previous
     * connection close, may refuse it).
     */
    private void run(Sockets sockets, ScheduledExecutorService timers, boolean restarting, int generation) {
        notYet = null;
        int before = sessions;
        runner = Thread.currentThread();
        while (!stopping && generation == generations) {
            // the Restart State bit only until the first session after the restart is up
            session(sockets, timers, restarting && sessions == before);
            if (stopping || generation != generations) {
                return;
            }
            // ConnectRetry; a connection from the core meanwhile ends the wait (Active state)
            long until = System.nanoTime() + RETRY_MILLIS * 1_000_000;
            while (inbound.get() == null && System.nanoTime() < until && !stopping) {
                LockSupport.parkNanos(until - System.nanoTime());
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

    /** One connection (the core's, if one is waiting, else the node's own), until it ends. */
    private void session(Sockets sockets, ScheduledExecutorService timers, boolean restarting) {
        boolean wasUp = false;
        SocketChannel theirs0 = inbound.getAndSet(null);
        try (SocketChannel c = theirs0 != null ? theirs0 : sockets.open()) {
            channel = c;
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (theirs0 == null) {
                c.bind(new InetSocketAddress(address, 0));
                c.connect(core);
            }
            var socket = c.socket();
            OutputStream out = socket.getOutputStream();
            StreamMessageReader reader = new StreamMessageReader(socket.getInputStream(), READ_BUFFER);
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
            wasUp = true;
            notYet = null;
            establishedNanos = System.nanoTime();
            sessions++;
            up = true;
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
            if (!stopping) {
                if (wasUp) {
                    flaps++;
                    lastFlap = why;
                }
                notYet = why;
            }
        } finally {
            up = false;
            channel = null;
            ScheduledFuture<?> k = keepalives;
            if (k != null) {
                k.cancel(false);
            }
        }
    }

    /**
     * A connection the core opened to this node (a core connects out as well as accepting), as
     * a Gannet node takes it. A node that is down (between {@link #drop} and {@link #start})
     * has no listener: the connection is reset. A node with a connection of its own open keeps
     * that one (RFC 4271 6.8: the node's BGP Identifier, its address, is above the core's): it
     * reads the core's OPEN and answers Cease / Connection Collision Resolution. A node waiting
     * to connect again (Active) takes the core's connection as its session.
     */
    void inbound(SocketChannel incoming) {
        if (stopping) {
            reset(incoming);
            return;
        }
        if (channel == null) {
            SocketChannel before = inbound.getAndSet(incoming);
            if (before != null) {
                reset(before);
            }
            wake();
            return;
        }
        try (incoming) {
            var socket = incoming.socket();
            socket.setSoTimeout(5000);
            var in = new java.io.DataInputStream(socket.getInputStream());
            byte[] header = new byte[MessageHeader.LENGTH];
            in.readFully(header); // the core's OPEN: marker, length, type, then its body
            in.skipNBytes(Math.max(0, (((header[16] & 0xff) << 8) | (header[17] & 0xff)) - MessageHeader.LENGTH));
            ByteBuf n = Unpooled.buffer(32);
            new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_CONNECTION_COLLISION).writeTo(n);
            write(socket.getOutputStream(), n);
            collisions++;
        } catch (Exception e) {
            // the core gave up on it first
        }
    }

    /** Ends the run loop's ConnectRetry wait (a connection from the core is waiting, or the node stops). */
    private void wake() {
        Thread r = runner;
        if (r != null) {
            LockSupport.unpark(r);
        }
    }

    private static void reset(SocketChannel c) {
        try (c) {
            c.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException e) {
            // gone either way
        }
    }

    /** Connections the core opened to this node that it refused for its own. */
    int collisions() {
        return collisions;
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
