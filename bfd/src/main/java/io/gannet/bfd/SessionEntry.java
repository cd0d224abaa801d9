package io.gannet.bfd;

import io.gannet.bfd.session.BfdSession;
import io.gannet.bfd.session.SessionObserver;
import io.gannet.bfd.transport.UdpSocket;
import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.Diagnostic;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jnr.ffi.Pointer;

/**
 * A session as the service holds it: the FSM, its sending socket and native destination
 * address, the demultiplexing keys and the clients listening to it.
 */
final class SessionEntry implements SessionObserver {
    final BfdPeerSpec.Key key;
    final BfdService service;
    final byte[] peerBytes;
    final byte[] localBytes;
    final boolean multihop;
    final int minReceivedTtl;
    final List<BfdListener> listeners = new CopyOnWriteArrayList<>();
    BfdSession session;
    UdpSocket sender;
    Pointer destination;
    int destinationLength;
    int interfaceIndex;
    /** Guarded by the service's registry lock. */
    int references;

    SessionEntry(BfdService service, BfdPeerSpec spec) {
        this.service = service;
        this.key = spec.key();
        this.peerBytes = spec.peer().getAddress();
        this.localBytes = spec.local() == null ? null : spec.local().getAddress();
        this.multihop = spec.hopMode() == HopMode.MULTI_HOP;
        this.minReceivedTtl = spec.hopMode() == HopMode.SINGLE_HOP ? 255 : spec.minReceivedTtl();
    }

    @Override
    public void stateChanged(BfdSession s, BfdState from, BfdState to, Diagnostic diagnostic, long atNanos) {
        BfdStateChange change = new BfdStateChange(key, from, to, diagnostic, Instant.now(), atNanos, s.lastRxAt(), false);
        service.notify(this, change);
    }

    @Override
    public void transmitSoon(BfdSession s) {
        service.wakeTimerThread();
    }
}
