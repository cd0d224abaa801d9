package io.gannet.bfd;

import io.gannet.bfd.session.BfdClock;
import io.gannet.bfd.session.BfdSession;
import io.gannet.bfd.session.TxJitter;
import io.gannet.bfd.transport.NativeMemory;
import io.gannet.bfd.transport.SocketAddresses;
import io.gannet.bfd.transport.ThreadScheduling;
import io.gannet.bfd.transport.UdpSocket;
import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.ControlPacket;
import io.gannet.bfd.wire.ControlPacketCodec;
import io.gannet.bfd.wire.DropReason;
import io.gannet.linux.LibC;
import io.gannet.linux.Netns;
import io.gannet.linux.SysException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BFD as a service (BIRD's nest/bfd.h shape): clients {@link #request} a session for a peer
 * with a listener and get a handle; sessions for the same peer/local/interface/hop mode are
 * shared and reference-counted. BFD knows nothing about its clients.
 *
 * <p>Threads. {@code bfd-timer} owns every session's transmit and detection timers, opens
 * and closes all sockets (after entering the configured network namespace), and runs the
 * commands other threads queue. {@code bfd-rx} ({@link BfdReceiver}) polls the listening
 * sockets, decodes into its own flyweight and hands each packet to its session under the
 * session's monitor.
 * Before it declares any detection time expired, the timer thread itself drains the
 * listening sockets (with its own buffers), so a receive thread that was not scheduled in
 * time cannot cause a false Down for packets that had already arrived.
 * {@code bfd-events} delivers state changes to listeners. Request/close take the registry
 * lock and wait for the timer thread; the packet path never takes it. The session list is
 * a copy-on-write array written only by the timer thread. Nothing allocates per packet.
 */
public final class BfdService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BfdService.class);
    private static final long IDLE_WAKE_NANOS = 100_000_000L;

    private final BfdServiceOptions options;
    private final BfdClock clock;
    private final TxJitter jitter;
    private final Object registryLock = new Object();
    private final Map<BfdPeerSpec.Key, SessionEntry> byKey = new HashMap<>();
    private volatile SessionEntry[] entries = new SessionEntry[0];
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final BfdReceiver receiver;
    private final ExecutorService events;
    private final Thread timerThread;
    private Thread receiveThread;
    private volatile boolean running = true;

    // Timer-thread-owned transmit buffers.
    private final ControlPacket txPacket = new ControlPacket();
    private final byte[] txBytes = new byte[ControlPacket.MAX_LENGTH];
    private final ByteBuf txBuf = Unpooled.wrappedBuffer(txBytes);
    private Pointer txNative;

    private BfdService(BfdServiceOptions options) {
        this.options = options;
        this.clock = options.clock();
        this.jitter = TxJitter.random(options.jitterSeed());
        this.receiver = new BfdReceiver(clock, () -> entries, drops);
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bfd-events");
            t.setDaemon(true);
            return t;
        });
        this.timerThread = new Thread(this::timerLoop, "bfd-timer");
        this.timerThread.setDaemon(true);
        this.timerThread.setPriority(Thread.MAX_PRIORITY);
    }

    /** Starts the service: opens the listening sockets (in the namespace, if any) and its threads. */
    public static BfdService start(BfdServiceOptions options) throws IOException {
        BfdService s = new BfdService(options);
        s.timerThread.start();
        try {
            s.onTimerThread(() -> {
                s.openListeners();
                return null;
            });
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        s.receiveThread = new Thread(() -> {
            s.applyRealtimePriority();
            s.receiver.loop(() -> s.running);
        }, "bfd-rx");
        s.receiveThread.setDaemon(true);
        s.receiveThread.setPriority(Thread.MAX_PRIORITY);
        s.receiveThread.start();
        return s;
    }

    private void openListeners() throws IOException {
        if (options.networkNamespace() != null) {
            // The timer thread lives in the namespace: every socket of the service is opened here.
            try {
                Netns.enterOnThisThread(Path.of(options.networkNamespace()));
            } catch (SysException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        applyRealtimePriority();
        txNative = NativeMemory.allocate(ControlPacket.MAX_LENGTH);
        if (options.ipv4()) {
            addListener(UdpSocket.listener(LibC.AF_INET, options.listenAddressV4(), options.singleHopPort(), null), false);
            addListener(UdpSocket.listener(LibC.AF_INET, options.listenAddressV4(), options.multiHopPort(), null), true);
        }
        if (options.ipv6()) {
            try {
                addListener(UdpSocket.listener(LibC.AF_INET6, null, options.singleHopPort(), null), false);
                addListener(UdpSocket.listener(LibC.AF_INET6, null, options.multiHopPort(), null), true);
            } catch (IOException e) {
                LOG.warn("bfd: IPv6 listeners unavailable: {}", e.getMessage());
            }
        }
    }

    private void addListener(UdpSocket socket, boolean multihop) {
        receiver.add(socket, multihop);
    }

    // ------------------------------------------------------------------ client API

    /**
     * Requests BFD for a peer. The listener first receives the current state (an event
     * with {@code initial == true}), then every change.
     */
    public BfdSessionHandle request(BfdPeerSpec spec, BfdListener listener) throws IOException {
        SessionEntry entry;
        synchronized (registryLock) {
            if (!running) {
                throw new IllegalStateException("BFD service closed");
            }
            entry = byKey.get(spec.key());
            if (entry == null) {
                entry = onTimerThread(() -> createSession(spec));
                byKey.put(spec.key(), entry);
            }
            entry.references++;
            if (listener != null) {
                entry.listeners.add(listener);
                BfdSession s = entry.session;
                BfdState state = s.state();
                BfdStateChange initial = new BfdStateChange(entry.key, state, state, s.localDiagnostic(), Instant.now(),
                        clock.nanoTime(), s.lastRxAt(), true);
                events.execute(() -> deliver(listener, initial));
            }
        }
        return new Handle(entry, listener);
    }

    /** Snapshots of all sessions, for `gannet show bfd` and metrics. */
    public List<BfdSessionStatus> sessions() {
        List<BfdSessionStatus> out = new ArrayList<>();
        for (SessionEntry e : entries) {
            out.add(status(e));
        }
        return out;
    }

    /** Service-wide drop counters by reason, including packets no session could be found for. */
    public Map<DropReason, Long> dropCounters() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, drops.get(r.ordinal()));
        }
        return m;
    }

    public long drops(DropReason reason) {
        return drops.get(reason.ordinal());
    }

    /** Datagrams read from the listening sockets. */
    public long packetsReceived() {
        return receiver.received();
    }

    @Override
    public void close() {
        synchronized (registryLock) {
            if (!running) {
                return;
            }
            if (timerThread.isAlive()) {
                try {
                    onTimerThread(() -> {
                        for (SessionEntry e : entries) {
                            goAdminDown(e);
                        }
                        return null;
                    });
                } catch (IOException | RuntimeException e) {
                    LOG.warn("bfd: sending AdminDown on close failed: {}", e.toString());
                }
            }
            running = false;
        }
        LockSupport.unpark(timerThread);
        join(timerThread);
        join(receiveThread);
        for (SessionEntry e : entries) {
            if (e.sender != null) {
                e.sender.close();
            }
        }
        entries = new SessionEntry[0];
        receiver.closeSockets();
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ timer thread

    void wakeTimerThread() {
        LockSupport.unpark(timerThread);
    }

    private interface TimerCall<T> {
        T call() throws IOException;
    }

    /** Runs {@code call} on the timer thread (in the service's namespace) and waits for it. */
    private <T> T onTimerThread(TimerCall<T> call) throws IOException {
        if (Thread.currentThread() == timerThread) {
            return call.call();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        commands.add(() -> {
            try {
                f.complete(call.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        LockSupport.unpark(timerThread);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("BFD timer thread did not answer", e);
        }
    }

    private void timerLoop() {
        while (running) {
            Runnable command;
            while ((command = commands.poll()) != null) {
                command.run();
            }
            long now = clock.nanoTime();
            long next = now + IDLE_WAKE_NANOS;
            boolean drained = false;
            for (SessionEntry e : entries) {
                BfdSession s = e.session;
                if (!drained && s.detectionDue(now)) {
                    // Before declaring a peer dead, read what has already arrived: if the
                    // receive thread was not scheduled in time, its packets are still in the
                    // socket buffers and this session is not silent at all.
                    drained = true;
                    receiver.drain();
                }
                if (s.pollTimers(now)) {
                    transmit(e, now);
                }
                long d = s.nextDeadline();
                if (d == Long.MIN_VALUE) {
                    next = now; // a packet became due meanwhile (a Final from the receive thread)
                } else if (d - next < 0) {
                    next = d;
                }
            }
            long wait = next - clock.nanoTime();
            if (wait > 0 && commands.isEmpty()) {
                LockSupport.parkNanos(this, wait);
            }
        }
        Runnable command;
        while ((command = commands.poll()) != null) {
            command.run();
        }
    }

    private void transmit(SessionEntry e, long now) {
        BfdSession s = e.session;
        s.nextPacket(txPacket, now);
        txBuf.clear();
        int n = ControlPacketCodec.encode(txPacket, txBuf);
        s.sign(txBytes, n);
        txNative.put(0, txBytes, 0, n);
        if (!e.sender.send(txNative, n, e.destination, e.destinationLength)) {
            // The kernel refused (no route, link down): BFD's detection covers the outcome.
            s.countSendError();
        }
    }

    private SessionEntry createSession(BfdPeerSpec spec) throws IOException {
        SessionEntry e = new SessionEntry(this, spec);
        int family = SocketAddresses.family(spec.peer());
        e.sender = UdpSocket.sender(family, spec.local(), spec.interfaceName());
        e.destination = NativeMemory.allocate(SocketAddresses.MAX_LENGTH);
        e.destinationLength = SocketAddresses.write(e.destination, family, spec.peer(), spec.hopMode().port()
                == HopMode.SINGLE_HOP.port() ? options.singleHopPort() : options.multiHopPort());
        if (spec.interfaceName() != null) {
            e.interfaceIndex = NativeMemory.interfaceIndex(spec.interfaceName());
        }
        long now = clock.nanoTime();
        e.session = new BfdSession(spec.key().toString(), newDiscriminator(), micros(spec.desiredMinTx()),
                micros(spec.requiredMinRx()), spec.detectMult(), spec.authentication(), e, jitter, now);
        SessionEntry[] grown = Arrays.copyOf(entries, entries.length + 1);
        grown[grown.length - 1] = e;
        entries = grown;
        LOG.info("bfd {}: session created, discriminator {}, source port {}", e.key, e.session.localDiscriminator(),
                e.sender.localPort());
        return e;
    }

    private long newDiscriminator() {
        while (true) {
            long d = ThreadLocalRandom.current().nextLong(1, 0x1_0000_0000L);
            boolean used = false;
            for (SessionEntry e : entries) {
                used |= e.session.localDiscriminator() == d;
            }
            if (!used) {
                return d;
            }
        }
    }

    private void goAdminDown(SessionEntry e) {
        long now = clock.nanoTime();
        e.session.setAdminDown(true, now);
        transmit(e, now);
    }

    private void removeSession(SessionEntry e) {
        goAdminDown(e);
        SessionEntry[] current = entries;
        List<SessionEntry> kept = new ArrayList<>(current.length);
        for (SessionEntry x : current) {
            if (x != e) {
                kept.add(x);
            }
        }
        entries = kept.toArray(new SessionEntry[0]);
        e.sender.close();
        LOG.info("bfd {}: session deleted", e.key);
    }

    static long micros(Duration d) {
        return d.toNanos() / 1000;
    }

    // ------------------------------------------------------------------ receive thread

    private void applyRealtimePriority() {
        if (options.realtimePriority() > 0) {
            try {
                ThreadScheduling.realtime(options.realtimePriority());
            } catch (IOException e) {
                LOG.warn("bfd: {} runs with normal scheduling: {}", Thread.currentThread().getName(), e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ notifications

    void notify(SessionEntry e, BfdStateChange change) {
        for (BfdListener l : e.listeners) {
            events.execute(() -> deliver(l, change));
        }
    }

    private static void deliver(BfdListener l, BfdStateChange change) {
        try {
            l.onStateChange(change);
        } catch (RuntimeException ex) {
            LOG.warn("bfd {}: listener failed on {} -> {}", change.key(), change.from(), change.to(), ex);
        }
    }

    // ------------------------------------------------------------------ status

    private BfdSessionStatus status(SessionEntry e) {
        BfdSession s = e.session;
        int clients;
        synchronized (registryLock) { // never nested inside a session lock: request() nests the other way
            clients = e.references;
        }
        BfdSession.Snapshot n = s.snapshot();
        long now = clock.nanoTime();
        Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (n.drops(r) != 0) {
                d.put(r, n.drops(r));
            }
        }
        long rx = Math.max(n.advertisedRequiredMinRxMicros(), n.remoteDesiredMinTxMicros());
        return new BfdSessionStatus(e.key, n.state(), n.remoteState(), n.localDiagnostic(), s.localDiscriminator(),
                n.remoteDiscriminator(), n.advertisedDesiredMinTxMicros(), n.advertisedRequiredMinRxMicros(),
                n.detectMult(), n.remoteDesiredMinTxMicros(), n.remoteMinRxMicros(), n.remoteDetectMult(),
                n.txIntervalMicros(), rx, n.detectionTimeMicros(), n.pollActive(), n.flaps(), n.detectionEvents(),
                n.upTransitions(), n.rxPackets(), n.txPackets(), (now - n.lastStateChangeAt()) / 1_000_000,
                n.lastRxAt() == Long.MIN_VALUE ? -1 : (now - n.lastRxAt()) / 1_000_000, d, clients,
                e.sender.localPort());
    }

    // ------------------------------------------------------------------ handles

    private final class Handle implements BfdSessionHandle {
        private final SessionEntry entry;
        private final BfdListener listener;
        private boolean closed;

        Handle(SessionEntry entry, BfdListener listener) {
            this.entry = entry;
            this.listener = listener;
        }

        @Override
        public BfdPeerSpec.Key key() {
            return entry.key;
        }

        @Override
        public BfdState state() {
            return entry.session.state();
        }

        @Override
        public BfdSessionStatus status() {
            return BfdService.this.status(entry);
        }

        @Override
        public void updateTimers(Duration desiredMinTx, Duration requiredMinRx, int detectMult) {
            entry.session.updateTimers(micros(desiredMinTx), micros(requiredMinRx), detectMult, clock.nanoTime());
            wakeTimerThread();
        }

        @Override
        public void setAdminDown(boolean adminDown) {
            entry.session.setAdminDown(adminDown, clock.nanoTime());
            wakeTimerThread();
        }

        @Override
        public void close() {
            synchronized (registryLock) {
                if (closed) {
                    return;
                }
                closed = true;
                if (listener != null) {
                    entry.listeners.remove(listener);
                }
                if (--entry.references > 0 || !running) {
                    return;
                }
                byKey.remove(entry.key);
                try {
                    onTimerThread(() -> {
                        removeSession(entry);
                        return null;
                    });
                } catch (IOException e) {
                    LOG.warn("bfd {}: delete failed: {}", entry.key, e.toString());
                }
            }
        }
    }
}
