package io.gannet.bfd;

import io.gannet.bfd.session.BfdClock;
import io.gannet.bfd.transport.DatagramReader;
import io.gannet.bfd.transport.ReceivedDatagram;
import io.gannet.bfd.transport.SocketPoller;
import io.gannet.bfd.transport.UdpSocket;
import io.gannet.bfd.wire.ControlPacket;
import io.gannet.bfd.wire.ControlPacketCodec;
import io.gannet.bfd.wire.DropReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The receive side of the {@link BfdService}: its listening sockets, and everything between a
 * datagram and its session (decode, demultiplexing by discriminator or address, the TTL
 * checks), every discard counted by reason. Two threads read: {@code bfd-rx} in {@link #loop},
 * and the timer thread in {@link #drain} before it declares a detection time expired; each
 * has its own buffers, so nothing allocates per packet.
 */
final class BfdReceiver {
    private final BfdClock clock;
    private final Supplier<SessionEntry[]> sessions;
    private final AtomicLongArray drops;
    private final AtomicLong received = new AtomicLong();
    private final List<UdpSocket> listeners = new ArrayList<>();
    private final List<Boolean> listenerMultihop = new ArrayList<>();
    // Receive buffers: one set for the receive thread, one for the timer thread's drain.
    private final Receiver rxThreadReceiver = new Receiver();
    private final Receiver timerThreadReceiver = new Receiver();

    /** Everything one thread needs to read and handle datagrams without allocating. */
    private static final class Receiver {
        final DatagramReader reader = new DatagramReader();
        final ControlPacket packet = new ControlPacket();
        final ReceivedDatagram datagram = new ReceivedDatagram();
        final ByteBuf buf = Unpooled.wrappedBuffer(datagram.payload);
    }

    /**
     * @param sessions the service's current session list (a copy-on-write array)
     * @param drops    the service-wide drop counters, by {@link DropReason} ordinal
     */
    BfdReceiver(BfdClock clock, Supplier<SessionEntry[]> sessions, AtomicLongArray drops) {
        this.clock = clock;
        this.sessions = sessions;
        this.drops = drops;
    }

    /** Adds a listening socket (timer thread, before the receive thread starts). */
    void add(UdpSocket socket, boolean multihop) {
        listeners.add(socket);
        listenerMultihop.add(multihop);
    }

    /** Datagrams read from the listening sockets. */
    long received() {
        return received.get();
    }

    /** Closes the listening sockets (after both reading threads stopped). */
    void closeSockets() {
        for (UdpSocket l : listeners) {
            l.close();
        }
    }

    /** The receive thread's loop: polls the listening sockets while {@code running} says so. */
    void loop(BooleanSupplier running) {
        Receiver r = rxThreadReceiver;
        int n = listeners.size();
        SocketPoller poller = new SocketPoller(listeners);
        boolean[] multihop = new boolean[n];
        for (int i = 0; i < n; i++) {
            multihop[i] = listenerMultihop.get(i);
        }
        while (running.getAsBoolean()) {
            if (poller.await(100) <= 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                if (!poller.ready(i)) {
                    continue;
                }
                while (running.getAsBoolean() && r.reader.read(listeners.get(i), r.datagram)) {
                    r.datagram.multihop = multihop[i];
                    received.incrementAndGet();
                    handle(r);
                }
            }
        }
    }

    /** Timer thread: reads every datagram already queued on the listening sockets. */
    void drain() {
        Receiver r = timerThreadReceiver;
        for (int i = 0; i < listeners.size(); i++) {
            while (r.reader.read(listeners.get(i), r.datagram)) {
                r.datagram.multihop = listenerMultihop.get(i);
                received.incrementAndGet();
                handle(r);
            }
        }
    }

    /** Everything between a datagram and its session; every discard is counted by reason. */
    private void handle(Receiver r) {
        ReceivedDatagram d = r.datagram;
        ControlPacket rxPacket = r.packet;
        long now = clock.nanoTime();
        r.buf.setIndex(0, d.length);
        DropReason reason = ControlPacketCodec.decode(r.buf, rxPacket);
        if (reason != null) {
            count(reason, null);
            return;
        }
        SessionEntry e = demultiplex(d, rxPacket);
        if (e == null) {
            return; // counted by demultiplex
        }
        if (d.ttl < 0) {
            count(DropReason.NO_TTL_INFO, e);
            return;
        }
        // RFC 5881 5: "received ... with a TTL or Hop Limit value other than 255 ... MUST be
        // discarded"; RFC 5883 2: multihop checks a configured minimum.
        if (d.ttl < e.minReceivedTtl) {
            count(e.multihop ? DropReason.TTL_BELOW_MINIMUM : DropReason.TTL, e);
            return;
        }
        DropReason refused = e.session.receive(rxPacket, d.payload, rxPacket.length, now);
        if (refused != null) {
            drops.incrementAndGet(refused.ordinal()); // the session counted its own copy
        }
    }

    private SessionEntry demultiplex(ReceivedDatagram d, ControlPacket rxPacket) {
        SessionEntry[] list = sessions.get();
        if (rxPacket.yourDiscriminator != 0) {
            // RFC 5880 6.8.6: "If the Your Discriminator field is nonzero, it MUST be used to
            // select the session with which this BFD packet is associated. If no session is
            // found, the packet MUST be discarded."
            for (SessionEntry e : list) {
                if (e.session.localDiscriminator() == rxPacket.yourDiscriminator) {
                    if (e.multihop != d.multihop) {
                        break;
                    }
                    if (!d.sourceIs(e.peerBytes)) {
                        count(DropReason.ADDRESS_MISMATCH, e);
                        return null;
                    }
                    return e;
                }
            }
            count(DropReason.UNKNOWN_DISCRIMINATOR, null);
            return null;
        }
        // RFC 5880 6.8.6: with Your Discriminator zero, "the session MUST be selected based
        // on some combination of other fields": source address, interface (single-hop,
        // RFC 5881 3), destination address and port. This is also how a peer's Down with
        // Your Discriminator 0 after its own timeout reaches our session, as BIRD does.
        for (SessionEntry e : list) {
            if (e.multihop == d.multihop && d.sourceIs(e.peerBytes)
                    && (e.interfaceIndex == 0 || d.interfaceIndex == 0 || e.interfaceIndex == d.interfaceIndex)
                    && (e.localBytes == null || Arrays.equals(e.localBytes, 0, e.localBytes.length, d.destination, 0,
                            e.localBytes.length))) {
                return e;
            }
        }
        count(DropReason.NO_SESSION_FOR_ADDRESS, null);
        return null;
    }

    private void count(DropReason reason, SessionEntry e) {
        drops.incrementAndGet(reason.ordinal());
        if (e != null) {
            e.session.countDrop(reason);
        }
    }
}
