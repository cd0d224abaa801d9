package io.gannet.agent.run;

import io.gannet.agent.control.BfdSessionStatus;
import io.gannet.agent.control.BfdState;
import io.gannet.agent.logging.EventLog;
import io.gannet.agent.metrics.BfdMetrics;
import io.gannet.bfd.BfdListener;
import io.gannet.bfd.BfdPeerSpec;
import io.gannet.bfd.BfdService;
import io.gannet.bfd.BfdServiceOptions;
import io.gannet.bfd.BfdSessionHandle;
import io.gannet.bfd.BfdStateChange;
import io.gannet.bfd.HopMode;
import io.gannet.bfd.damping.FlapDamper;
import io.gannet.bfd.session.BfdClock;
import io.gannet.bgp.BgpSpeaker;
import io.gannet.topology.config.BfdConfig;
import io.gannet.topology.config.NeighborConfig;
import io.gannet.topology.config.NodeConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Binds BGP sessions to BFD (RFC 5882): one BFD session per neighbor whose profile enables BFD,
 * single-hop (RFC 5881) or multihop (RFC 5883) as the profile resolves {@code bfd.multihop}, peer =
 * the neighbor's address, local = the host's source address, timers from the profile.
 *
 * <ul>
 *   <li>BFD Up -> Down: {@link Gate#bfdDown} at once (the speaker sends Cease / BFD Down,
 *       RFC 9384, withdraws the peer's routes and holds the session Idle).</li>
 *   <li>BFD Up: {@link Gate#bfdUp}, but only when the peer's {@link FlapDamper} permits it; a
 *       session that flaps is held down with exponential back-off ({@link #INITIAL_HOLD_DOWN}
 *       doubling per flap up to {@link #MAX_HOLD_DOWN}, halved for every {@link #HALF_LIFE} of
 *       stability), re-checked by this binding's own scheduler thread at
 *       {@link FlapDamper#permittedAtNanos()}, never on the BFD or BGP threads.</li>
 *   <li>Strict neighbors ({@code bfd.strict}) start gated in the speaker (PeerConfig.bfdStrict)
 *       and are released by the first permitted Up.</li>
 *   <li>The peer signalling AdminDown is not a failure (RFC 5882 3.2): BGP stays up.</li>
 *   <li>Maintenance is not a failure: while the operator has the BGP peer disabled
 *       ({@link #operatorDisabled}), and for a few seconds after a reset we sent
 *       ({@link #resettingSession}: a reload that changes a negotiated parameter, or
 *       {@code gannet peer reset}) when the peer signals the Down itself, BFD Down neither feeds
 *       the damper nor reaches the speaker (a switch ends its BFD session with its BGP session).</li>
 *   <li>A reload that changes only the timers keeps the session and renegotiates them with a
 *       Poll Sequence (RFC 5880 6.8.3) instead of replacing it (which would send AdminDown).</li>
 *   <li>On a graceful stop the speaker closes first, then every session is released with
 *       AdminDown (RFC 5882 3.2); our BFD shares fate with the control plane (C bit clear), so
 *       RFC 5882 4.3 lets the peer's graceful restart keep our routes, which the rendered switch
 *       configs ask for (BIRD {@code bfd graceful}, FRR {@code bfd check-control-plane-failure}).</li>
 * </ul>
 *
 * <p>Why these damping figures: 1 s costs a healthy link one second after a single blip, while
 * a link flapping every few seconds reaches the 60 s cap within six flaps; a minute of
 * stability halves the hold-down, so a repaired link is trusted again within minutes.
 *
 * <p>Threads: BFD listener callbacks on {@code bfd-events}, re-checks on
 * {@code gannet-bfd-damping}, reads from control and metrics threads. Each peer's decision
 * (damper update plus the command to the speaker) runs under that peer's monitor so a Down and
 * a concurrent re-check reach the speaker's loop in the order they were decided.
 */
final class BfdBinding implements AutoCloseable {
    static final Duration INITIAL_HOLD_DOWN = Duration.ofSeconds(1);
    static final Duration MAX_HOLD_DOWN = Duration.ofSeconds(60);
    static final Duration HALF_LIFE = Duration.ofSeconds(60);

    /** What the binding drives: the BGP speaker's BFD gate. */
    interface Gate {
        void bfdDown(String peer, String diagnostic);

        void bfdUp(String peer);
    }

    /** The speaker as the gate; its methods hop onto the speaker's loop without waiting. */
    static Gate gateOf(BgpSpeaker<?> speaker) {
        return new Gate() {
            @Override
            public void bfdDown(String peer, String diagnostic) {
                speaker.bfdDown(peer, diagnostic);
            }

            @Override
            public void bfdUp(String peer) {
                speaker.bfdUp(peer);
            }
        };
    }

    /** Where sessions come from: the BFD service, started on first use (tests give their own). */
    interface Sessions extends AutoCloseable {
        BfdSessionHandle request(BfdPeerSpec spec, BfdListener listener) throws IOException;

        @Override
        void close();
    }

    /** A {@link BfdService} started with {@code options} when the first session is requested. */
    static Sessions lazyService(BfdServiceOptions options) {
        return new Sessions() {
            private BfdService service;

            @Override
            public synchronized BfdSessionHandle request(BfdPeerSpec spec, BfdListener listener) throws IOException {
                if (service == null) {
                    service = BfdService.start(options);
                }
                return service.request(spec, listener);
            }

            @Override
            public synchronized void close() {
                if (service != null) {
                    service.close();
                    service = null;
                }
            }
        };
    }

    private final Gate gate;
    private final EventLog log;
    private final Sessions sessions;
    private final BfdClock clock;
    private final ScheduledExecutorService rechecks;
    /** Peer name -> binding; replaced on reload, read by any thread. Guarded by this. */
    private final Map<String, PeerBinding> peers = new LinkedHashMap<>();
    private volatile boolean closed;

    /** One neighbor's BFD session, damper and pending re-check. Its monitor orders its decisions. */
    private final class PeerBinding {
        final String name;
        /** Replaced in place when a reload changes only the timers (a Poll Sequence, RFC 5880 6.8.3). */
        volatile BfdConfig config;
        volatile BfdPeerSpec spec;
        /**
         * The operator disabled the BGP peer: the BFD Down that follows (the switch stops its
         * BFD with its BGP session) is maintenance, not a failure, so it neither feeds the
         * damper nor reaches the speaker.
         */
        boolean operatorDisabled;
        /**
         * Until this clock time (nanos), a BFD Down the peer signals is the echo of a BGP reset we
         * sent (the switch's BGP stopped on our Cease and took its BFD session with it): not a
         * failure. A Down by timeout is still one.
         */
        long resetEchoUntilNanos = Long.MIN_VALUE;
        final FlapDamper damper = new FlapDamper(clock, INITIAL_HOLD_DOWN, MAX_HOLD_DOWN, HALF_LIFE);
        volatile BfdSessionHandle handle;
        ScheduledFuture<?> recheck;
        boolean holdDownLogged;

        PeerBinding(NeighborConfig n) {
            this.name = n.name();
            this.config = n.bfd();
            // The hop mode the profile resolved for this session (bfd.multihop), the one the
            // rendered switch configs make FRR and BIRD choose: single-hop (RFC 5881, UDP 3784,
            // TTL 255 only) or multihop (RFC 5883, UDP 4784, TTL down to the session's reach).
            // Unnumbered: the switch's link-local address, bound to the session's interface.
            this.spec = new BfdPeerSpec(n.address(), n.sourceAddress(), n.interfaceName(),
                    config.multihop() ? HopMode.MULTI_HOP : HopMode.SINGLE_HOP, Duration.ofMillis(config.minTxMs()),
                    Duration.ofMillis(config.minRxMs()), config.multiplier(), null, config.multihop() ? config.minReceivedTtl() : 255);
        }

        synchronized void changed(BfdStateChange c) {
            if (closed) {
                return;
            }
            String peerAddress = spec.peer().getHostAddress();
            if (!c.initial()) {
                log.bfdStateChanged(peerAddress, name, c.from().displayName(), c.to().displayName(), c.diagnostic().text());
            }
            if (c.isUp()) {
                damper.up();
                release();
            } else if (c.wentDown()) {
                cancelRecheck();
                if (operatorDisabled) {
                    return;
                }
                if (c.diagnostic() == io.gannet.bfd.wire.Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN
                        && clock.nanoTime() - resetEchoUntilNanos < 0) {
                    log.operatorAction("bfd-reset-echo", name, "the peer took BFD down after our BGP reset: not a failure, BGP not held down");
                    return;
                }
                if (peerSignalledAdminDown()) {
                    // RFC 5882 3.2: the peer turned BFD off administratively; that says nothing
                    // about the forwarding path, so the BGP session is left alone.
                    return;
                }
                damper.down();
                holdDownLogged = false;
                gate.bfdDown(name, c.diagnostic().text());
            }
        }

        private boolean peerSignalledAdminDown() {
            BfdSessionHandle h = handle;
            return h != null && h.status().remoteState() == io.gannet.bfd.wire.BfdState.ADMIN_DOWN;
        }

        /** BFD is Up: let BGP back now if the damper permits, else re-check when it will. */
        synchronized void release() {
            if (closed || !damper.isUp()) {
                return;
            }
            if (damper.permitted()) {
                cancelRecheck();
                gate.bfdUp(name);
                return;
            }
            if (!holdDownLogged) {
                holdDownLogged = true;
                log.operatorAction("bfd-damping", name, "BFD Up after " + damper.flaps() + " flap(s): BGP held down until BFD has been Up for "
                        + damper.currentHoldDown().toMillis() + " ms (back-off " + INITIAL_HOLD_DOWN.toSeconds()
                        + " s doubling per flap, at most " + MAX_HOLD_DOWN.toSeconds() + " s)");
            }
            if (recheck == null) {
                long waitNanos = Math.max(0, damper.permittedAtNanos() - clock.nanoTime());
                recheck = rechecks.schedule(this::recheckDue, waitNanos + 1_000_000, TimeUnit.NANOSECONDS);
            }
        }

        synchronized void recheckDue() {
            recheck = null;
            release();
        }

        synchronized void cancelRecheck() {
            if (recheck != null) {
                recheck.cancel(false);
                recheck = null;
            }
        }

        /** The operator disabled ({@code true}) or re-enabled the BGP peer. */
        synchronized void operatorDisabled(boolean disabled) {
            operatorDisabled = disabled;
            if (disabled) {
                cancelRecheck();
                return;
            }
            BfdSessionHandle h = handle;
            if (config.strict() && (h == null || h.state() != io.gannet.bfd.wire.BfdState.UP)) {
                // Strict mode (draft-ietf-idr-bgp-bfd-strict-mode): the re-enabled session waits
                // for BFD Up; no flap is recorded, the gate opens on the next Up.
                gate.bfdDown(name, "waiting for BFD Up after the peer was re-enabled");
            }
        }

        synchronized void retime(NeighborConfig n) {
            PeerBinding wanted = new PeerBinding(n);
            spec = wanted.spec;
            config = wanted.config;
            BfdSessionHandle h = handle;
            if (h != null) {
                h.updateTimers(spec.desiredMinTx(), spec.requiredMinRx(), spec.detectMult());
            }
        }

        synchronized void close() {
            cancelRecheck();
            if (handle != null) {
                handle.close();
                handle = null;
            }
        }
    }

    BfdBinding(Gate gate, EventLog log, BfdServiceOptions options) {
        this(gate, log, lazyService(options), BfdClock.SYSTEM, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gannet-bfd-damping");
            t.setDaemon(true);
            return t;
        }));
    }

    /** @param rechecks runs the damping re-checks; shut down by {@link #close} */
    BfdBinding(Gate gate, EventLog log, Sessions sessions, BfdClock clock, ScheduledExecutorService rechecks) {
        this.gate = gate;
        this.log = log;
        this.sessions = sessions;
        this.clock = clock;
        this.rechecks = rechecks;
    }

    /**
     * Brings the BFD sessions in line with {@code node}: starts the BFD service when the first
     * neighbor needs it, requests sessions for new neighbors and for neighbors whose address or
     * BFD settings changed, releases removed ones. A kept peer whose BFD is Up and permitted is
     * told {@code bfdUp} again, because a reload may have replaced its BGP session with a new,
     * gated (strict) one.
     */
    synchronized void apply(NodeConfig node) throws IOException {
        Map<String, NeighborConfig> wanted = new LinkedHashMap<>();
        for (NeighborConfig n : node.neighbors()) {
            if (n.bfd().enabled()) {
                wanted.put(n.name(), n);
            }
        }
        java.util.Set<String> stillDisabled = new java.util.HashSet<>();
        for (PeerBinding p : List.copyOf(peers.values())) {
            NeighborConfig n = wanted.get(p.name);
            BfdPeerSpec next = n == null ? null : new PeerBinding(n).spec;
            if (next != null && !next.equals(p.spec) && next.key().equals(p.spec.key())
                    && java.util.Objects.equals(next.authentication(), p.spec.authentication())
                    && next.minReceivedTtl() == p.spec.minReceivedTtl()) {
                // Only timers changed: the running session takes them through a Poll Sequence.
                // Replacing it would send AdminDown, and a switch that treats any BFD Down as a
                // failure (BIRD's "bfd on") would drop the BGP session and enter its error wait.
                p.retime(n);
            } else if (next == null || !next.equals(p.spec)) {
                peers.remove(p.name);
                if (p.operatorDisabled) {
                    stillDisabled.add(p.name);
                }
                p.close();
            }
        }
        for (NeighborConfig n : wanted.values()) {
            PeerBinding existing = peers.get(n.name());
            if (existing != null) {
                existing.release();
                continue;
            }
            PeerBinding p = new PeerBinding(n);
            p.operatorDisabled = stillDisabled.contains(p.name);
            peers.put(p.name, p);
            synchronized (p) {
                p.handle = sessions.request(p.spec, p::changed);
            }
        }
    }

    /**
     * The operator disabled ({@code true}) or is re-enabling the BGP peer {@code peerName}: while
     * disabled, BFD Down is maintenance (not damped, not sent to the speaker, not its last error).
     * Call before the speaker's disable and before its enable. A peer without BFD is ignored.
     */
    void operatorDisabled(String peerName, boolean disabled) {
        PeerBinding p;
        synchronized (this) {
            p = peers.get(peerName);
        }
        if (p != null) {
            p.operatorDisabled(disabled);
        }
    }

    /** How long after a reset we sent a peer-signalled BFD Down counts as its echo. */
    static final Duration RESET_ECHO_WINDOW = Duration.ofSeconds(5);

    /**
     * We are about to reset the BGP session with {@code peerName} (a reload that changes a
     * negotiated parameter, or {@code gannet peer reset}): a switch that ends its BFD session
     * with its BGP session will signal BFD Down in the next seconds; that Down is not damped and
     * does not hold BGP down.
     */
    void resettingSession(String peerName) {
        PeerBinding p;
        synchronized (this) {
            p = peers.get(peerName);
        }
        if (p != null) {
            synchronized (p) {
                p.resetEchoUntilNanos = clock.nanoTime() + RESET_ECHO_WINDOW.toNanos();
            }
        }
    }

    /** The BFD state beside BGP peer {@code peerName}, or {@link BfdState#NONE} when it runs no BFD. */
    BfdState stateOf(String peerName) {
        PeerBinding p;
        synchronized (this) {
            p = peers.get(peerName);
        }
        BfdSessionHandle h = p == null ? null : p.handle;
        return h == null ? BfdState.NONE : state(h.state());
    }

    /** {@code gannet show bfd}: every session with the BGP peers using it. */
    List<BfdSessionStatus> sessions() {
        List<BfdSessionStatus> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Map.Entry<PeerBinding, io.gannet.bfd.BfdSessionStatus> e : snapshot().entrySet()) {
            io.gannet.bfd.BfdSessionStatus s = e.getValue();
            out.add(new BfdSessionStatus(s.key().peer(), s.key().local(), s.key().interfaceName(),
                    s.key().hopMode() == HopMode.MULTI_HOP, state(s.state()),
                    state(s.remoteState()), now - s.sinceLastChangeMillis(), s.localDiagnostic().text(),
                    s.txIntervalMicros(), s.rxIntervalMicros(), s.detectMult(), s.flaps(), s.detectionEvents(),
                    List.of(e.getKey().name)));
        }
        return out;
    }

    /** One {@link BfdMetrics} per session, for the metrics snapshot. */
    List<BfdMetrics> metrics() {
        List<BfdMetrics> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Map.Entry<PeerBinding, io.gannet.bfd.BfdSessionStatus> e : snapshot().entrySet()) {
            io.gannet.bfd.BfdSessionStatus s = e.getValue();
            out.add(new BfdMetrics(s.key().peer().getHostAddress(), s.key().interfaceName() == null ? "" : s.key().interfaceName(),
                    s.key().hopMode() == HopMode.MULTI_HOP, e.getKey().name, state(s.state()), now - s.sinceLastChangeMillis(), s.flaps(), s.detectionEvents(),
                    s.txIntervalMicros(), s.detectTimeMicros()));
        }
        return out;
    }

    private Map<PeerBinding, io.gannet.bfd.BfdSessionStatus> snapshot() {
        List<PeerBinding> list;
        synchronized (this) {
            list = List.copyOf(peers.values());
        }
        Map<PeerBinding, io.gannet.bfd.BfdSessionStatus> m = new LinkedHashMap<>();
        for (PeerBinding p : list) {
            BfdSessionHandle h = p.handle;
            if (h != null) {
                try {
                    m.put(p, h.status());
                } catch (RuntimeException e) {
                    // Released meanwhile (reload or stop): not listed.
                }
            }
        }
        return m;
    }

    /** Releases every session (AdminDown to the peers) and stops the BFD service. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        rechecks.shutdownNow();
        for (PeerBinding p : peers.values()) {
            p.close();
        }
        peers.clear();
        sessions.close();
    }

    static BfdState state(io.gannet.bfd.wire.BfdState s) {
        return switch (s) {
            case ADMIN_DOWN -> BfdState.ADMIN_DOWN;
            case DOWN -> BfdState.DOWN;
            case INIT -> BfdState.INIT;
            case UP -> BfdState.UP;
        };
    }
}
