package io.gannet.bgp;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.rib.RibWarmUp;
import io.gannet.bgp.rib.RouteProcessor;
import io.gannet.bgp.session.Jitter;
import io.gannet.bgp.session.PeerIndexes;
import io.gannet.bgp.session.PeerSession;
import io.gannet.bgp.session.PeerStatus;
import io.gannet.bgp.session.SessionContext;
import io.gannet.bgp.transport.EventLoopScheduler;
import io.gannet.bgp.transport.NettyTransport;
import io.gannet.bgp.wire.NotificationMessage;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BGP speaker: sessions, transport and the route processor (the RIB) on one epoll event
 * loop. The loop thread owns everything; other threads reach the RIB and the sessions only
 * through {@link #execute} / {@link #call} and the admin methods, which hop onto the loop.
 *
 * <pre>{@code
 * BgpSpeaker<Rib> speaker = BgpSpeaker.start(config, Rib::new, SpeakerOptions.defaults());
 * speaker.execute(() -> speaker.routes().announce(...));   // RIB calls on the loop
 * List<PeerStatus> peers = speaker.peers();
 * speaker.stop(true);   // graceful: TCP close without NOTIFICATION, peers keep our routes
 * }</pre>
 *
 * @param <R> the route processor's type, so callers get their RIB back typed
 */
public final class BgpSpeaker<R extends RouteProcessor> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BgpSpeaker.class);

    private final EpollEventLoopGroup group;
    private final EventLoop loop;
    private final R routes;
    private final SessionContext ctx;
    private final NettyTransport transport;
    private SpeakerConfig config;
    private volatile InetSocketAddress bound;
    private boolean stopped;
    /** Static peers by name, and dynamic ones once accepted. Loop only. */
    private final Map<String, PeerSession> sessions = new LinkedHashMap<>();

    private BgpSpeaker(SpeakerConfig config, Function<SpeakerConfig, R> routesFactory, SpeakerOptions options) {
        this.config = config;
        this.group = new EpollEventLoopGroup(1, new DefaultThreadFactory("bgp-speaker", true));
        this.loop = group.next();
        this.routes = Objects.requireNonNull(routesFactory.apply(config), "route processor");
        routes.attachLoop(loop); // injected, not found through netty's thread map
        EventLoopScheduler scheduler = new EventLoopScheduler(loop, options.clock());
        long restartingUntil = 0;
        if (options.restarting()) {
            int longest = config.peers().stream().mapToInt(PeerConfig::gracefulRestartSeconds).max().orElse(120);
            restartingUntil = options.clock().millis() + longest * 1000L;
        }
        this.transport = new NettyTransport(loop, this::acceptFrom);
        this.ctx = new SessionContext(scheduler, transport, routes, options.listener(), new PeerIndexes(),
                new Jitter(options.random()), config.routerId(), restartingUntil, options.forwardingKept(), this::forgetDynamic);
    }

    /**
     * Starts the speaker: warms the JIT up when {@link SpeakerOptions#warmUp} (a bounded run on a
     * throw-away RIB, nothing visible outside), creates the event loop, the route processor ({@code routesFactory}
     * is called once, on the caller's thread, before anything runs on the loop), binds the
     * listener when {@link SpeakerConfig#listenAddress} is set, and starts every peer.
     */
    public static <R extends RouteProcessor> BgpSpeaker<R> start(SpeakerConfig config, Function<SpeakerConfig, R> routesFactory,
                                                                 SpeakerOptions options) {
        if (options.warmUp()) {
            // Before the loop has any work: the compilers then finish before the first real table.
            RibWarmUp.Result w = RibWarmUp.run(config, TimeUnit.MILLISECONDS.toNanos(SpeakerOptions.WARM_UP_MILLIS), System::nanoTime);
            log.debug("JIT warm-up: {} rounds, {} UPDATEs in {} ms", w.rounds(), w.updatesFed(), w.nanos() / 1_000_000);
        }
        BgpSpeaker<R> speaker = new BgpSpeaker<>(config, routesFactory, options);
        try {
            for (java.net.InetAddress address : config.listenAddresses()) {
                // Bound from the caller's thread: a bind failure (port in use) fails start().
                ChannelFuture f = speaker.transport.listen(address, config.listenPort(), md5Keys(config));
                f.syncUninterruptibly();
                if (speaker.bound == null) {
                    speaker.bound = (InetSocketAddress) f.channel().localAddress();
                }
            }
            speaker.call(() -> {
                for (PeerConfig p : config.peers()) {
                    speaker.addPeer(p);
                }
                return null;
            });
        } catch (RuntimeException | Error e) {
            speaker.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        return speaker;
    }

    /** The route processor (the RIB). Call its methods only on the loop: {@link #execute}. */
    public R routes() {
        return routes;
    }

    /** The listener's bound address (useful with port 0), or null when not listening. */
    public InetSocketAddress listenAddress() {
        return bound;
    }

    /** Runs {@code task} on the speaker's loop, the thread that owns the RIB and sessions. */
    public void execute(Runnable task) {
        loop.execute(task);
    }

    /** Runs {@code task} on the loop and waits for its result (directly when already on it). */
    public <T> T call(Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("speaker loop did not answer in 30 s", e);
        }
    }

    /** A snapshot of every peer, static and dynamic, in configuration order. */
    public List<PeerStatus> peers() {
        return call(() -> {
            List<PeerStatus> out = new ArrayList<>();
            for (PeerSession s : sessions.values()) {
                out.add(s.status());
            }
            return List.copyOf(out);
        });
    }

    /** One peer's status, or null. */
    public PeerStatus peer(String name) {
        return call(() -> {
            PeerSession s = sessions.get(name);
            return s == null ? null : s.status();
        });
    }

    /** Disables a peer: Cease / Administrative Shutdown with an RFC 8203 message (may be null). */
    public void disable(String name, String message) {
        call(() -> {
            session(name).disable(message);
            return null;
        });
    }

    /** Re-enables a disabled peer. */
    public void enable(String name) {
        call(() -> {
            session(name).enable();
            return null;
        });
    }

    /** Resets a peer: Cease / Administrative Reset with an RFC 8203 message (may be null), then reconnects. */
    public void reset(String name, String message) {
        call(() -> {
            session(name).reset(message);
            return null;
        });
    }

    /**
     * BFD went Down for peer {@code name}: the session ends at once with Cease / BFD Down
     * (RFC 9384), its routes are withdrawn, and it stays Idle (no connection, the peer's
     * refused) until {@link #bfdUp}. Does not wait for the loop, so a BFD notification thread
     * never blocks on BGP; a peer that no longer exists (removed by a reload) is ignored.
     */
    public void bfdDown(String name, String diagnostic) {
        loop.execute(() -> {
            PeerSession s = sessions.get(name);
            if (s != null) {
                s.bfdDown(diagnostic);
            }
        });
    }

    /**
     * BFD is Up for peer {@code name} and the caller's damping lets BGP back: opens the gate of
     * {@link #bfdDown} or of a strict-mode start ({@link PeerConfig#bfdStrict}). Asynchronous
     * like {@link #bfdDown}; unknown peers are ignored.
     */
    public void bfdUp(String name) {
        loop.execute(() -> {
            PeerSession s = sessions.get(name);
            if (s != null) {
                s.bfdUp();
            }
        });
    }

    /** Sends ROUTE-REFRESH (RFC 2918) to a peer; false if it is not Established or cannot refresh. */
    public boolean requestRefresh(String name) {
        return call(() -> session(name).requestRefresh());
    }

    /**
     * Applies a new configuration: removed peers get Cease / Peer De-configured, changed ones
     * Cease / Other Configuration Change and start again with their new settings, untouched
     * ones keep their sessions. A changed listen address or port rebinds the listener. Local
     * AS and router id changes need a restart of the speaker and are refused.
     */
    public void reconfigure(SpeakerConfig next) {
        call(() -> {
            if (next.localAs() != config.localAs() || next.routerId() != config.routerId()) {
                throw new IllegalArgumentException("local AS or router id changed: restart the speaker");
            }
            Map<String, PeerConfig> wanted = new LinkedHashMap<>();
            for (PeerConfig p : next.peers()) {
                wanted.put(p.name(), p);
            }
            for (PeerSession s : List.copyOf(sessions.values())) {
                PeerConfig p = wanted.get(s.name());
                if (s.dynamic()) {
                    continue;
                }
                if (p == null) {
                    s.stop(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_PEER_DECONFIGURED),
                            "peer removed from configuration", false);
                    sessions.remove(s.name());
                } else if (!p.equals(s.config()) && localOnly(s.config(), p)) {
                    // Timers and options of our own side (connect retry, passive): nothing the peer
                    // negotiated changes, so the live session takes them; the next timer uses them.
                    s.updateConfig(p);
                    log.info("{}: local session settings changed, applied without a reset", s.name());
                } else if (!p.equals(s.config()) && policyOnly(withLocalOf(s.config(), p), p)
                        && applyInPlace(s, p)) {
                    log.info("{}: routing policy changed, applied to the live session", s.name());
                } else if (!p.equals(s.config())) {
                    boolean disabled = s.adminDown();
                    s.stop(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_OTHER_CONFIGURATION_CHANGE),
                            "peer configuration changed", false);
                    sessions.remove(s.name());
                    addPeer(p, s, disabled);
                }
            }
            SpeakerConfig previous = config;
            config = next;
            for (PeerConfig p : next.peers()) {
                if (!sessions.containsKey(p.name())) {
                    addPeer(p);
                }
            }
            if (!Objects.equals(previous.listenAddresses(), next.listenAddresses()) || previous.listenPort() != next.listenPort()) {
                transport.closeListener();
                bound = null;
                bind();
            } else {
                transport.md5Keys(md5Keys(next));
            }
            return null;
        });
    }

    /**
     * Stops the speaker. {@code graceful}: every TCP connection is closed without a
     * NOTIFICATION, so peers that negotiated graceful restart keep our routes until we are
     * back (RFC 4724). Otherwise each peer gets Cease / Administrative Shutdown.
     */
    public void stop(boolean graceful) {
        stop(graceful, null);
    }

    /** As {@link #stop(boolean)}, with an RFC 8203 shutdown message for the non-graceful case. */
    public void stop(boolean graceful, String message) {
        if (stopped) {
            return;
        }
        call(() -> {
            stopped = true;
            transport.closeListener();
            NotificationMessage n = graceful ? null : NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_SHUTDOWN, message);
            for (PeerSession s : sessions.values()) {
                s.shutdown(n);
            }
            return null;
        });
        // Lets the close of each channel (after its NOTIFICATION) run before the loop ends.
        var terminated = group.shutdownGracefully(100, 3000, TimeUnit.MILLISECONDS);
        if (!loop.inEventLoop()) {
            terminated.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        log.info("speaker stopped ({})", graceful ? "graceful: no NOTIFICATION" : "Cease sent");
    }

    @Override
    public void close() {
        stop(false);
    }

    // ---------------------------------------------------------------- loop-only internals

    private void bind() {
        boolean first = true;
        for (java.net.InetAddress address : config.listenAddresses()) {
            ChannelFuture f = transport.listen(address, config.listenPort(), md5Keys(config));
            if (first) {
                f.addListener(done -> bound = done.isSuccess() ? (InetSocketAddress) f.channel().localAddress() : null);
            }
            first = false;
        }
    }

    /** True when {@code a} and {@code b} differ only in what the RIB can apply to a live session. */
    static boolean policyOnly(PeerConfig a, PeerConfig b) {
        PeerConfig.Builder same = PeerConfig.builder(b.name(), b.address(), b.remoteAs(), b.localAs())
                .localAddress(b.localAddress()).port(b.port()).passive(b.passive()).holdTimeSeconds(b.holdTimeSeconds())
                .connectRetrySeconds(b.connectRetrySeconds()).md5Password(b.md5Password()).ttlSecurityHops(b.ttlSecurityHops())
                .multihopTtl(b.multihopTtl()).families(b.families()).gracefulRestart(b.gracefulRestart())
                .gracefulRestartSeconds(b.gracefulRestartSeconds()).extendedMessage(b.extendedMessage())
                .sendHoldTimeSeconds(b.sendHoldTimeSeconds()).bfdStrict(b.bfdStrict())
                .delayOpenSeconds(b.delayOpenSeconds())
                // the policy-side fields taken from a: if the result equals a, nothing else changed
                .importPolicy(a.importPolicy()).exportPolicy(a.exportPolicy()).routeReflectorClient(a.routeReflectorClient())
                .nextHopSelf(a.nextHopSelf()).maxPrefixes(a.maxPrefixes(), a.maxPrefixAction()).keepReceived(a.keepReceived());
        return same.build().equals(a);
    }

    /** Policy change on one session: in place if the RIB can, else false (the caller resets). */
    private boolean applyInPlace(PeerSession s, PeerConfig next) {
        if (s.state() != io.gannet.bgp.session.SessionState.ESTABLISHED) {
            s.updateConfig(next);
            return true;
        }
        PeerConfig previous = s.config();
        s.updateConfig(next);
        if (routes.peerPolicyChanged(s.link(), next)) {
            return true;
        }
        s.updateConfig(previous);
        return false;
    }

    private static Map<InetAddress, String> md5Keys(SpeakerConfig config) {
        Map<InetAddress, String> keys = new HashMap<>();
        for (PeerConfig p : config.peers()) {
            if (p.md5Password() != null) {
                keys.put(p.address(), p.md5Password());
            }
        }
        return keys;
    }

    private void addPeer(PeerConfig p) {
        addPeer(p, null);
    }

    /** @param replaced the session this one replaces after a reconfiguration, or null */
    private void addPeer(PeerConfig p, PeerSession replaced) {
        addPeer(p, replaced, false);
    }

    /**
     * @param replaced the session this one replaces after a reconfiguration, or null
     * @param disabled the operator had disabled the peer: the new session stays disabled
     *                 (Idle, no connection) until {@link #enable}
     */
    private void addPeer(PeerConfig p, PeerSession replaced, boolean disabled) {
        PeerSession s = new PeerSession(ctx, p, false);
        if (replaced != null) {
            s.continueHistoryOf(replaced);
        }
        sessions.put(p.name(), s);
        if (disabled) {
            s.holdDisabled();
        } else {
            s.start();
        }
    }

    /**
     * True when {@code a} and {@code b} differ only in settings of our own side that a live
     * session applies without a new OPEN: the connect-retry interval and passive mode.
     */
    static boolean localOnly(PeerConfig a, PeerConfig b) {
        return withLocalOf(a, b).equals(b);
    }

    /** {@code a} with {@code b}'s local-only settings (see {@link #localOnly}). */
    static PeerConfig withLocalOf(PeerConfig a, PeerConfig b) {
        return new PeerConfig(a.name(), a.address(), a.remoteAs(), a.localAs(), a.localAddress(), a.port(), b.passive(),
                a.holdTimeSeconds(), b.connectRetrySeconds(), a.md5Password(), a.ttlSecurityHops(), a.multihopTtl(), a.families(),
                a.routeReflectorClient(), a.nextHopSelf(), a.gracefulRestart(), a.gracefulRestartSeconds(), a.extendedMessage(),
                a.importPolicy(), a.exportPolicy(), a.maxPrefixes(), a.maxPrefixAction(), a.sendHoldTimeSeconds(), a.bfdStrict(),
                a.delayOpenSeconds(), a.keepReceived());
    }

    private PeerSession session(String name) {
        PeerSession s = sessions.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no peer named " + name);
        }
        return s;
    }

    /** The transport's question for each accepted connection: whose is it? */
    private PeerSession acceptFrom(InetAddress remote) {
        for (PeerSession s : sessions.values()) {
            if (s.config().address().equals(remote)) {
                return s;
            }
        }
        for (SpeakerConfig.DynamicNeighborRange range : config.dynamicNeighbors()) {
            if (DynamicNeighbors.contains(range, remote)) {
                long count = sessions.values().stream().filter(PeerSession::dynamic).count();
                if (range.limit() > 0 && count >= range.limit()) {
                    log.warn("dynamic neighbor {} refused: limit {} reached", remote.getHostAddress(), range.limit());
                    return null;
                }
                PeerSession s = new PeerSession(ctx, DynamicNeighbors.configFor(range, remote), true);
                sessions.put(s.name(), s);
                s.start();
                return s;
            }
        }
        return null;
    }

    private void forgetDynamic(PeerSession s) {
        sessions.remove(s.name(), s);
    }
}
