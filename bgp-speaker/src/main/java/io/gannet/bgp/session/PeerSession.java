package io.gannet.bgp.session;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.BgpError;
import io.gannet.bgp.wire.KeepaliveMessage;
import io.gannet.bgp.wire.MessageHeader;
import io.gannet.bgp.wire.MessageType;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.NotificationMessage;
import io.gannet.bgp.wire.OpenMessage;
import io.gannet.bgp.wire.RouteRefreshMessage;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BGP finite state machine of one neighbor (RFC 4271 section 8).
 *
 * <p>Shape: every input (timer, TCP event, message, operator command) becomes an
 * {@link Event}; {@link #dispatch} hands it to the handler of the current state, which does
 * the state's work and returns the next state with a reason. Each change is logged once as
 * {@code "old -> new reason"}, counted, and reported to the {@link SessionListener}. Events
 * raised while a handler runs (the RIB resetting the session from inside
 * {@code updateReceived}, say) are queued and handled after it, so handlers never nest.
 *
 * <p>Timers (RFC 4271 10, RFC 9687): ConnectRetry (jittered), Hold, Keepalive (hold/3,
 * jittered), IdleHold (exponential back-off after errors), SendHold (a peer that does not
 * drain our socket), and the RFC 4724 restart timer while a restarting peer's routes are
 * stale. DelayOpen is not implemented (it is optional).
 *
 * <p>Collision detection (RFC 4271 6.8): a second, inbound connection that arrives in
 * OpenSent or OpenConfirm gets our OPEN; when its OPEN arrives the connection opened by the
 * speaker with the higher BGP identifier survives and the other one gets Cease / Connection
 * Collision Resolution. That Cease received on our connection ends only that connection: the
 * session goes on with the peer's (see {@link #notificationBeforeEstablished}). An inbound
 * connection while Established is refused the same way,
 * unless the peer negotiated graceful restart: then it is the peer restarting (RFC 4724 4.2)
 * and the old session is dropped with its routes kept as stale.
 *
 * <p>BFD gate (RFC 5882 4.1, RFC 9384, draft-ietf-idr-bgp-bfd-strict-mode): {@link #bfdDown}
 * ends the session at once with Cease / BFD Down and withdraws its routes (a BFD failure is a
 * real failure, not a graceful restart), then holds the session in Idle, making no
 * connection and refusing the peer's, until {@link #bfdUp}. A session configured
 * {@link PeerConfig#bfdStrict} starts gated, so it cannot reach Established before BFD is Up.
 * The gate is the BFD client's word; back-off for a flapping BFD session is its job too.
 *
 * <p>Threading: event loop only, no locks.
 */
public final class PeerSession {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);

    /** RFC 4271 8.2.2: "large value" for the hold timer until the peer's OPEN arrives (4 minutes suggested). */
    static final long OPEN_HOLD_MILLIS = 240_000;
    static final long IDLE_HOLD_BASE_MILLIS = 1_000;
    static final long IDLE_HOLD_MAX_MILLIS = 120_000;
    /** RFC 9687 3: at least 8 minutes, or twice the hold time when that is longer. */
    static final long SEND_HOLD_MIN_MILLIS = 480_000;
    /** How long stale routes wait for the End-of-RIB of the new session (BIRD and FRR use 360 s). */
    static final long STALE_PATH_MILLIS = 360_000;

    /** Inputs of the FSM. */
    sealed interface Event {
        record Start(String reason) implements Event {}
        record Stop(NotificationMessage notification, String reason, boolean restart) implements Event {}
        record ConnectRetryExpired() implements Event {}
        record HoldExpired() implements Event {}
        record KeepaliveExpired() implements Event {}
        record SendHoldExpired() implements Event {}
        record TcpUp(Connection connection) implements Event {}
        record TcpFailed(String why) implements Event {}
        record TcpClosed(String why) implements Event {}
        record Message(int type, ByteBuf frame) implements Event {}
        record FramingError(BgpError error) implements Event {}
        record DelayOpenExpired() implements Event {}
    }

    /** A handler's answer: the next state (possibly the same) and why. */
    record Transition(SessionState next, String reason) {}

    private final SessionContext ctx;
    private final boolean dynamic;
    private PeerConfig config;

    private SessionState state = SessionState.IDLE;
    private long sinceMillis;
    private Connection connection;
    private Connection collision;
    private Connector.Attempt attempt;
    private OpenMessage sentOpen;
    private Negotiated negotiated;
    private SessionLink link;
    private SessionLink staleLink;
    private long establishedAtMillis;

    private Scheduler.Timer connectRetryTimer;
    private Scheduler.Timer holdTimer;
    private long holdDeadlineMillis;
    private long holdTimerDueMillis;
    private final Runnable holdTimerTask = this::holdTimerFired;
    private Scheduler.Timer keepaliveTimer;
    private Scheduler.Timer idleHoldTimer;
    private Scheduler.Timer sendHoldTimer;
    private Scheduler.Timer staleTimer;
    /** RFC 4271 8.1.1: running while a connection waits for the peer's OPEN before we send ours. */
    private Scheduler.Timer delayOpenTimer;

    private boolean adminDown;
    /** Held in Idle until the BFD client says BFD is Up (strict start, or after a BFD Down). */
    private boolean bfdGated;
    private boolean shutDown;
    private int consecutiveFailures;
    private long flaps;
    private long transitions;
    private String lastError;
    /** When {@link #lastError} was set (speaker clock, epoch millis), 0 when never. */
    private long lastErrorMillis;
    private long learnedAs;
    private final MessageCounters in = new MessageCounters();
    private final MessageCounters out = new MessageCounters();

    private boolean dispatching;
    private final ArrayDeque<Event> pending = new ArrayDeque<>();

    public PeerSession(SessionContext ctx, PeerConfig config, boolean dynamic) {
        this.ctx = ctx;
        this.config = config;
        this.dynamic = dynamic;
        this.sinceMillis = ctx.scheduler().currentTimeMillis();
        this.bfdGated = config.bfdStrict();
        if (bfdGated) {
            setLastError("BFD strict mode: waiting for BFD Up");
        }
    }

    // ---------------------------------------------------------------- commands and inputs

    /** ManualStart / AutomaticStart: leave Idle now. */
    /**
     * Continues the operator-visible history of the session this one replaces (a
     * reconfiguration stops a peer's session and starts a new one): flaps, transitions, message
     * counts and the last error describe the peer since the speaker started, not one session.
     * Call before {@link #start}.
     */
    public void continueHistoryOf(PeerSession previous) {
        flaps += previous.flaps;
        transitions += previous.transitions;
        if (lastError == null) {
            lastError = previous.lastError;
            lastErrorMillis = previous.lastErrorMillis;
        }
        in.addAll(previous.in);
        out.addAll(previous.out);
    }

    public void start() {
        adminDown = false;
        dispatch(new Event.Start("start"));
    }

    /** Operator disable: Cease / Administrative Shutdown with an RFC 8203 message; stays Idle. */
    public void disable(String message) {
        adminDown = true;
        cancel(idleHoldTimer);
        dispatch(new Event.Stop(NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_SHUTDOWN, message),
                "administratively disabled" + quoted(message), false));
    }

    /**
     * Instead of {@link #start}: the session replaces one the operator had disabled, so it stays
     * Idle and disabled (no connection, the peer's refused) until {@link #enable}.
     */
    public void holdDisabled() {
        adminDown = true;
    }

    private void setLastError(String error) {
        lastError = error;
        lastErrorMillis = ctx.scheduler().currentTimeMillis();
    }

    /** Operator enable after {@link #disable}. */
    public void enable() {
        if (adminDown) {
            start();
        }
    }

    /** Operator reset: Cease / Administrative Reset with an RFC 8203 message, then reconnect. */
    public void reset(String message) {
        dispatch(new Event.Stop(NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_RESET, message),
                "administratively reset" + quoted(message), true));
    }

    /**
     * BFD went Down for this neighbor (RFC 5882 4.1): the session ends at once with Cease /
     * BFD Down (RFC 9384, subcode 10) when a connection is open, its routes are withdrawn
     * (never kept as graceful-restart stale: the forwarding path is gone), and it stays in Idle
     * until {@link #bfdUp}. Idempotent.
     *
     * @param diagnostic why BFD went down (for the log and {@code lastError}), may be null
     */
    public void bfdDown(String diagnostic) {
        String reason = "BFD down" + (diagnostic == null || diagnostic.isEmpty() ? "" : ": " + diagnostic);
        bfdGated = true;
        cancel(idleHoldTimer);
        idleHoldTimer = null;
        if (state == SessionState.IDLE) {
            setLastError(reason);
            return;
        }
        dispatch(new Event.Stop(new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_BFD_DOWN),
                reason, false));
    }

    /** BFD is Up (and the client's damping permits it): the gate opens and the session starts, unless disabled. */
    public void bfdUp() {
        if (!bfdGated) {
            return;
        }
        bfdGated = false;
        if (!adminDown && !shutDown) {
            dispatch(new Event.Start("BFD up"));
        }
    }

    /** True while the session is held in Idle waiting for BFD Up. */
    public boolean bfdGated() {
        return bfdGated;
    }

    /**
     * Takes a new configuration for this neighbor without touching the session. Only for
     * changes the RIB applies to a live session (policies); the caller decides that.
     */
    public void updateConfig(PeerConfig next) {
        if (!next.name().equals(config.name()) || !next.address().equals(config.address())) {
            throw new IllegalArgumentException("a different neighbor: " + next + " for " + config);
        }
        config = next;
    }

    /**
     * Asks the peer to resend its routes (RFC 2918) for every negotiated family. Returns
     * false when not Established or the peer did not advertise route refresh.
     */
    public boolean requestRefresh() {
        if (state != SessionState.ESTABLISHED || !negotiated.routeRefresh()) {
            return false;
        }
        for (AddressFamily af : negotiated.families()) {
            send(connection, new RouteRefreshMessage(af, RouteRefreshMessage.NORMAL).encode(connection.alloc()));
        }
        connection.flush();
        return true;
    }

    /** Ends the session with {@code notification}; {@code restart} decides whether it comes back. */
    public void stop(NotificationMessage notification, String reason, boolean restart) {
        if (!restart) {
            adminDown = true;
            cancel(idleHoldTimer);
        }
        dispatch(new Event.Stop(notification, reason, restart));
    }

    /**
     * The speaker is going away: send {@code notification} (null for a graceful stop: the
     * peer sees a plain TCP close and, with graceful restart, keeps our routes), close, and
     * stop all timers. The RIB is not told, it goes away with the speaker.
     */
    public void shutdown(NotificationMessage notification) {
        shutDown = true;
        adminDown = true;
        if (notification != null && connection != null && state.compareTo(SessionState.OPEN_SENT) >= 0) {
            send(connection, notification.encode(connection.alloc()));
        }
        if (connection != null) {
            connection.flush();
            connection.close();
        }
        if (collision != null) {
            collision.close();
        }
        connection = null;
        collision = null;
        if (link != null) {
            link.down();
        }
        cancelAllTimers();
        cancel(staleTimer);
        cancelAttempt();
        if (state != SessionState.IDLE) {
            enter(SessionState.IDLE, notification == null ? "speaker stopped gracefully" : "speaker stopped: " + notification);
        }
    }

    /** Outbound connect succeeded. */
    public void connected(Connection c) {
        if (shutDown || (state != SessionState.CONNECT && state != SessionState.ACTIVE)) {
            c.close();
            return;
        }
        attempt = null;
        dispatch(new Event.TcpUp(c));
    }

    /** Outbound connect failed. */
    public void connectFailed(String why) {
        attempt = null;
        dispatch(new Event.TcpFailed(why));
    }

    /** The speaker accepted a connection from this peer's address. */
    public void inbound(Connection c) {
        if (shutDown || adminDown || bfdGated) {
            reject(c, NotificationMessage.CEASE_CONNECTION_REJECTED,
                    shutDown ? "stopping" : adminDown ? "administratively down" : "waiting for BFD Up");
            return;
        }
        switch (state) {
            case IDLE -> {
                if (config.passive() && idleHoldTimer != null) {
                    // The back-off throttles our own connection attempts; a passive session
                    // makes none, so the peer's (a restarting peer's, typically) is taken.
                    dispatch(new Event.Start("inbound connection during IdleHold"));
                    dispatch(new Event.TcpUp(c));
                } else {
                    // RFC 4271 8.2.2: Idle refuses connections; the peer will retry.
                    reject(c, NotificationMessage.CEASE_CONNECTION_REJECTED, "session idle");
                }
            }
            case CONNECT, ACTIVE -> {
                cancelAttempt();
                dispatch(new Event.TcpUp(c));
            }
            case OPEN_SENT, OPEN_CONFIRM -> {
                if (collision != null) {
                    reject(c, NotificationMessage.CEASE_CONNECTION_COLLISION, "third connection");
                    return;
                }
                collision = c;
                send(c, sentOpen.encode(c.alloc()));
                c.flush();
                log.info("{}: second connection from {} during {}, collision detection pending", name(), c.remoteAddress(), state);
            }
            case ESTABLISHED -> {
                if (negotiated.peerGracefulRestart() != null) {
                    dispatch(new Event.TcpUp(c));
                } else {
                    reject(c, NotificationMessage.CEASE_CONNECTION_COLLISION, "already established");
                }
            }
        }
    }

    /** A framed message from {@code c}. The frame (header included) is borrowed for the call. */
    public void message(Connection c, ByteBuf frame) {
        int type = frame.getUnsignedByte(frame.readerIndex() + MessageHeader.TYPE_OFFSET);
        if (c == connection) {
            in.count(type);
            if (type == MessageType.UPDATE && state == SessionState.ESTABLISHED && !dispatching) {
                // The hot path: no event object, no slice; the RIB borrows the frame past its header.
                restartHoldTimer();
                dispatching = true;
                try {
                    ctx.routes().updateReceived(link, frame.skipBytes(MessageHeader.LENGTH));
                    drainPending();
                } finally {
                    dispatching = false;
                }
                return;
            }
            dispatch(new Event.Message(type, frame));
        } else if (c == collision) {
            in.count(type);
            collisionMessage(c, type, frame);
        }
    }

    /** The frame decoder rejected a header from {@code c} (RFC 4271 6.1). */
    public void framingError(Connection c, BgpError error) {
        if (c == connection) {
            dispatch(new Event.FramingError(error));
        } else if (c == collision) {
            sendAndClose(c, error.toNotification());
            collision = null;
        }
    }

    public void closed(Connection c, String why) {
        if (c == connection) {
            dispatch(new Event.TcpClosed(why));
        } else if (c == collision) {
            collision = null;
        }
    }

    public void writabilityChanged(Connection c) {
        if (c != connection) {
            return;
        }
        if (c.isWritable()) {
            cancel(sendHoldTimer);
            sendHoldTimer = null;
            if (state == SessionState.ESTABLISHED && link != null) {
                ctx.routes().peerWritable(link);
            }
        } else if (sendHoldTimer == null && state.compareTo(SessionState.OPEN_SENT) >= 0) {
            long millis = sendHoldMillis();
            if (millis > 0) {
                sendHoldTimer = ctx.scheduler().schedule(millis, () -> {
                    sendHoldTimer = null;
                    dispatch(new Event.SendHoldExpired());
                });
            }
        }
    }

    void resetFromRib(NotificationMessage n) {
        dispatch(new Event.Stop(n, "reset by RIB: " + n, true));
    }

    void countOut(int type) {
        out.count(type);
    }

    // ---------------------------------------------------------------- dispatch

    void dispatch(Event e) {
        if (dispatching) {
            pending.add(e);
            return;
        }
        dispatching = true;
        try {
            handle(e);
            drainPending();
        } finally {
            dispatching = false;
        }
    }

    private void drainPending() {
        Event next;
        while ((next = pending.poll()) != null) {
            handle(next);
        }
    }

    private void handle(Event e) {
        if (shutDown) {
            return;
        }
        Transition t = switch (state) {
            case IDLE -> onIdle(e);
            case CONNECT -> onConnect(e);
            case ACTIVE -> onActive(e);
            case OPEN_SENT -> onOpenSent(e);
            case OPEN_CONFIRM -> onOpenConfirm(e);
            case ESTABLISHED -> onEstablished(e);
        };
        if (t != null && t.next() != state) {
            enter(t.next(), t.reason());
        }
    }

    private void enter(SessionState next, String reason) {
        SessionState old = state;
        state = next;
        sinceMillis = ctx.scheduler().currentTimeMillis();
        transitions++;
        log.info("{}: {} -> {} {}", name(), old, next, reason);
        try {
            ctx.listener().stateChanged(name(), old, next, reason);
        } catch (RuntimeException e) {
            // A broken listener must not break the FSM.
            log.warn("{}: state listener failed", name(), e);
        }
        if (next == SessionState.IDLE && dynamic && staleLink == null && !shutDown) {
            ctx.dynamicIdle().accept(this);
        }
    }

    // ---------------------------------------------------------------- one handler per state

    private Transition onIdle(Event e) {
        return switch (e) {
            case Event.Start s -> {
                if (adminDown || bfdGated) {
                    yield null;
                }
                cancel(idleHoldTimer);
                idleHoldTimer = null;
                yield leaveIdle(s.reason());
            }
            default -> null;
        };
    }

    private Transition leaveIdle(String reason) {
        if (config.passive()) {
            return new Transition(SessionState.ACTIVE, reason + ", passive: waiting for the peer");
        }
        startConnect();
        return new Transition(SessionState.CONNECT, reason + ", connecting");
    }

    private Transition onConnect(Event e) {
        return switch (e) {
            case Event.ConnectRetryExpired x -> {
                cancelAttempt();
                startConnect();
                yield null;
            }
            case Event.TcpUp up -> connectionUp(up.connection());
            case Event.TcpFailed f -> {
                cancelAttempt();
                restartConnectRetry();
                setLastError("connect failed: " + f.why());
                yield new Transition(SessionState.ACTIVE, lastError);
            }
            case Event.Stop s -> toIdle(null, s.reason(), s.restart(), false);
            default -> delayingOpen(e);
        };
    }

    private Transition onActive(Event e) {
        return switch (e) {
            case Event.ConnectRetryExpired x -> {
                if (config.passive()) {
                    yield null;
                }
                startConnect();
                yield new Transition(SessionState.CONNECT, "ConnectRetry timer expired");
            }
            case Event.TcpUp up -> connectionUp(up.connection());
            case Event.Stop s -> toIdle(null, s.reason(), s.restart(), false);
            default -> delayingOpen(e);
        };
    }

    /**
     * RFC 4271 8.2.2 (Connect and Active with DelayOpen): the connection is up, our OPEN waits
     * for DelayOpenTimer or the peer's OPEN, whichever comes first.
     */
    private Transition connectionUp(Connection c) {
        if (connection != null && connection != c) {
            // A second connection while the first waits under DelayOpen: stop waiting, send our
            // OPEN on both and let collision detection (RFC 4271 6.8) pick one, as in OpenSent.
            cancel(delayOpenTimer);
            delayOpenTimer = null;
            Transition t = openSent(connection);
            collision = c;
            send(c, sentOpen.encode(c.alloc()));
            c.flush();
            return new Transition(t.next(), "DelayOpen: second connection from " + c.remoteAddress().getHostAddress()
                    + ", OPEN sent on both");
        }
        if (config.delayOpenSeconds() == 0) {
            return openSent(c);
        }
        connection = c;
        cancel(connectRetryTimer);
        connectRetryTimer = null;
        cancelAttempt();
        cancel(delayOpenTimer);
        delayOpenTimer = ctx.scheduler().schedule(config.delayOpenSeconds() * 1000L, () -> {
            delayOpenTimer = null;
            dispatch(new Event.DelayOpenExpired());
        });
        restartHold(OPEN_HOLD_MILLIS);
        log.info("{}: {} {}, DelayOpen: waiting up to {} s for its OPEN", name(), c.outbound() ? "connected to" : "accepted",
                c.remoteAddress().getHostAddress(), config.delayOpenSeconds());
        return null;
    }

    /** Events of Connect/Active while a connection waits under DelayOpen (RFC 4271 8.2.2). */
    private Transition delayingOpen(Event e) {
        if (connection == null) {
            return null;
        }
        return switch (e) {
            case Event.DelayOpenExpired x -> {
                Transition t = openSent(connection);
                yield new Transition(t.next(), "DelayOpen timer expired, OPEN sent");
            }
            case Event.Message m -> switch (m.type()) {
                case MessageType.OPEN -> {
                    // OPEN while DelayOpenTimer runs: ours goes out now, then KEEPALIVE, OpenConfirm.
                    cancel(delayOpenTimer);
                    delayOpenTimer = null;
                    Connection c = connection;
                    sentOpen = OpenNegotiation.ourOpen(config, ctx.routerId(), ctx.restarting(), ctx.forwardingKept());
                    send(c, sentOpen.encode(c.alloc()));
                    Transition t = receiveOpen(m.frame());
                    if (connection != null) {
                        connection.flush();
                    }
                    yield t.next() == SessionState.OPEN_CONFIRM
                            ? new Transition(t.next(), "DelayOpen: " + t.reason() + ", OPEN sent") : t;
                }
                case MessageType.NOTIFICATION -> notificationReceived(m.frame());
                default -> toIdle(new NotificationMessage(NotificationMessage.FSM_ERROR, 0),
                        MessageType.name(m.type()) + " before OPEN (DelayOpen)", true, true);
            };
            case Event.HoldExpired x -> toIdle(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0),
                    "hold timer expired waiting for OPEN (DelayOpen)", true, true);
            case Event.TcpClosed c -> {
                dropConnection();
                cancelAllTimers();
                restartConnectRetry();
                lastError = "connection closed before OPEN (DelayOpen): " + c.why();
                yield new Transition(SessionState.ACTIVE, lastError);
            }
            case Event.FramingError f -> toIdle(f.error().toNotification(), "bad header: " + f.error().getMessage(), true, true);
            default -> null;
        };
    }

    private Transition onOpenSent(Event e) {
        return switch (e) {
            case Event.Message m -> switch (m.type()) {
                case MessageType.OPEN -> receiveOpen(m.frame());
                case MessageType.NOTIFICATION -> notificationBeforeEstablished(m.frame());
                default -> toIdle(new NotificationMessage(NotificationMessage.FSM_ERROR, NotificationMessage.FSM_UNEXPECTED_IN_OPENSENT),
                        MessageType.name(m.type()) + " in OpenSent", true, true);
            };
            case Event.HoldExpired x -> toIdle(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0),
                    "hold timer expired waiting for OPEN", true, true);
            case Event.SendHoldExpired x -> sendHoldExpired();
            case Event.TcpClosed c when collision != null -> continueOnCollision(c.why());
            // RFC 4271 8.2.2 OpenSent, TcpConnectionFails: back to Active, ConnectRetry running.
            case Event.TcpClosed c -> backToActive("connection closed in OpenSent: " + c.why());
            case Event.FramingError f -> toIdle(f.error().toNotification(), "bad header: " + f.error().getMessage(), true, true);
            case Event.Stop s -> toIdle(s.notification(), s.reason(), s.restart(), false);
            default -> null;
        };
    }

    private Transition onOpenConfirm(Event e) {
        return switch (e) {
            case Event.Message m -> switch (m.type()) {
                case MessageType.KEEPALIVE -> established();
                case MessageType.NOTIFICATION -> notificationBeforeEstablished(m.frame());
                default -> toIdle(new NotificationMessage(NotificationMessage.FSM_ERROR, NotificationMessage.FSM_UNEXPECTED_IN_OPENCONFIRM),
                        MessageType.name(m.type()) + " in OpenConfirm", true, true);
            };
            case Event.KeepaliveExpired x -> {
                sendKeepalive();
                yield null;
            }
            case Event.HoldExpired x -> toIdle(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0),
                    "hold timer expired in OpenConfirm", true, true);
            case Event.SendHoldExpired x -> sendHoldExpired();
            case Event.TcpClosed c when collision != null -> continueOnCollision(c.why());
            case Event.TcpClosed c -> toIdle(null, "connection closed in OpenConfirm: " + c.why(), true, true);
            case Event.FramingError f -> toIdle(f.error().toNotification(), "bad header: " + f.error().getMessage(), true, true);
            case Event.Stop s -> toIdle(s.notification(), s.reason(), s.restart(), false);
            default -> null;
        };
    }

    private Transition onEstablished(Event e) {
        return switch (e) {
            case Event.Message m -> switch (m.type()) {
                case MessageType.KEEPALIVE -> {
                    restartHoldTimer();
                    yield null;
                }
                case MessageType.UPDATE -> {
                    restartHoldTimer();
                    ctx.routes().updateReceived(link, m.frame().skipBytes(MessageHeader.LENGTH));
                    yield null;
                }
                case MessageType.ROUTE_REFRESH -> routeRefresh(m.frame());
                case MessageType.NOTIFICATION -> notificationReceived(m.frame());
                default -> toIdle(new NotificationMessage(NotificationMessage.FSM_ERROR, NotificationMessage.FSM_UNEXPECTED_IN_ESTABLISHED),
                        MessageType.name(m.type()) + " in Established", true, true);
            };
            case Event.KeepaliveExpired x -> {
                sendKeepalive();
                yield null;
            }
            case Event.HoldExpired x -> toIdle(new NotificationMessage(NotificationMessage.HOLD_TIMER_EXPIRED, 0),
                    "hold timer expired", true, true, true);
            case Event.SendHoldExpired x -> sendHoldExpired();
            case Event.TcpClosed c -> toIdle(null, "connection closed: " + c.why(), true, true, true);
            case Event.TcpUp up -> {
                // RFC 4724 4.2: a new connection from a peer that negotiated graceful restart
                // means it restarted; keep its routes as stale and take the new connection.
                leaveEstablished(true);
                connection.close();
                connection = null;
                cancelAllTimers();
                flaps++;
                setLastError("peer reconnected while established (graceful restart)");
                enter(SessionState.IDLE, lastError);
                yield openSent(up.connection());
            }
            case Event.FramingError f -> toIdle(f.error().toNotification(), "bad header: " + f.error().getMessage(), true, true);
            case Event.Stop s -> toIdle(s.notification(), s.reason(), s.restart(), false);
            default -> null;
        };
    }

    // ---------------------------------------------------------------- state work

    private Transition openSent(Connection c) {
        connection = c;
        cancel(connectRetryTimer);
        connectRetryTimer = null;
        sentOpen = OpenNegotiation.ourOpen(config, ctx.routerId(), ctx.restarting(), ctx.forwardingKept());
        send(c, sentOpen.encode(c.alloc()));
        c.flush();
        restartHold(OPEN_HOLD_MILLIS);
        return new Transition(SessionState.OPEN_SENT, (c.outbound() ? "connected to " : "accepted connection from ")
                + c.remoteAddress().getHostAddress() + ", OPEN sent");
    }

    /**
     * RFC 4271 6.8: when one connection of a collision closes (typically the peer closed it,
     * having resolved the collision its way) the other one carries the session. Our OPEN went
     * out on it when it was accepted, so the session waits for the peer's OPEN there.
     */
    private Transition continueOnCollision(String why) {
        connection = collision;
        collision = null;
        negotiated = null;
        cancelAllTimers();
        restartHold(OPEN_HOLD_MILLIS);
        return new Transition(SessionState.OPEN_SENT, "connection closed (" + why + "), continuing on the colliding connection from "
                + connection.remoteAddress().getHostAddress());
    }

    private Transition receiveOpen(ByteBuf frame) {
        OpenMessage theirs;
        Negotiated agreed;
        try {
            theirs = OpenMessage.decode(body(frame));
            agreed = OpenNegotiation.negotiate(config, sentOpen, theirs);
        } catch (BgpError err) {
            return toIdle(err.toNotification(), "bad OPEN: " + err.getMessage(), true, true);
        }
        return acceptOpen(agreed);
    }

    private Transition acceptOpen(Negotiated agreed) {
        negotiated = agreed;
        learnedAs = agreed.remoteAs();
        connection.maxMessageLength(agreed.maxMessageSize());
        sendKeepalive();
        if (agreed.holdTimeSeconds() == 0) {
            cancel(holdTimer);
            holdTimer = null;
        } else {
            restartHoldTimer();
        }
        return new Transition(SessionState.OPEN_CONFIRM, "OPEN received: AS" + agreed.remoteAs() + " id "
                + OpenNegotiation.routerIdText(agreed.remoteRouterId()) + " hold " + agreed.holdTimeSeconds() + "s "
                + agreed.families());
    }

    private Transition established() {
        restartHoldTimer();
        if (collision != null) {
            reject(collision, NotificationMessage.CEASE_CONNECTION_COLLISION, "session established on the other connection");
            collision = null;
        }
        consecutiveFailures = 0;
        establishedAtMillis = ctx.scheduler().currentTimeMillis();
        link = new SessionLink(this, connection, ctx.indexes().acquire(), config, negotiated);
        if (staleLink != null) {
            cancel(staleTimer);
            if (negotiated.peerGracefulRestart() == null) {
                // RFC 4724 4.2: the peer no longer does graceful restart; stale routes go now.
                flushStale("peer no longer advertises graceful restart");
            } else {
                // Stale routes go with the peer's End-of-RIB (the RIB's job) or at the latest here.
                SessionLink stale = staleLink;
                staleTimer = ctx.scheduler().schedule(STALE_PATH_MILLIS, () -> {
                    if (staleLink == stale) {
                        flushStale("stale-path timer expired without End-of-RIB");
                    }
                });
            }
        }
        // Entering Established is announced before the RIB sends anything, so the table
        // and End-of-RIB that peerEstablished writes follow our KEEPALIVE on the wire.
        Transition t = new Transition(SessionState.ESTABLISHED, "KEEPALIVE received");
        enter(t.next(), t.reason());
        ctx.routes().peerEstablished(link);
        connection.flush();
        return t;
    }

    private Transition routeRefresh(ByteBuf frame) {
        RouteRefreshMessage rr;
        try {
            rr = RouteRefreshMessage.decode(body(frame), frame);
        } catch (BgpError err) {
            return toIdle(err.toNotification(), "bad ROUTE-REFRESH: " + err.getMessage(), true, true, true);
        }
        // RFC 2918 4 / RFC 7313 5: a family that was not negotiated, or an unknown subtype, is ignored.
        if (negotiated.families().contains(new AddressFamily(rr.afi(), rr.safi())) && rr.subtype() <= RouteRefreshMessage.EORR) {
            ctx.routes().routeRefreshReceived(link, rr.afi(), rr.safi(), rr.subtype());
        }
        return null;
    }

    private Transition notificationReceived(ByteBuf frame) {
        return notificationReceived(decodeNotification(frame));
    }

    /** The NOTIFICATION in {@code frame}; one that does not decode reads as 0/0. */
    private NotificationMessage decodeNotification(ByteBuf frame) {
        try {
            return NotificationMessage.decode(body(frame));
        } catch (BgpError err) {
            return new NotificationMessage(0, 0);
        }
    }

    private Transition notificationReceived(NotificationMessage n) {
        // RFC 4724 4: a NOTIFICATION ends graceful restart, routes go now; unless both set the
        // RFC 8538 N bit and it is not a Cease/Hard Reset: then the peer's routes are kept as stale.
        boolean graceful = negotiated != null && negotiated.gracefulNotification() && !GracefulNotification.isHardReset(n);
        return toIdle(null, "NOTIFICATION received: " + n, true, true, graceful);
    }

    /**
     * A NOTIFICATION in OpenSent or OpenConfirm. Cease / Connection Collision Resolution (RFC 4271
     * 6.8) says the peer resolved a collision in favour of its own connection: only this
     * connection ends, nothing failed. The session goes on with the peer's connection if it is
     * already here (its OPEN not read yet), else waits for it in Active with ConnectRetry
     * running, so that connection is accepted when it comes and no IdleHold back-off grows
     * (a core whose connections to a thousand listening nodes all lost their collisions went
     * Idle, refused each node's own connection and backed off for seconds). Any other
     * NOTIFICATION ends the session as before.
     */
    private Transition notificationBeforeEstablished(ByteBuf frame) {
        NotificationMessage n = decodeNotification(frame);
        if (n.code() != NotificationMessage.CEASE || n.subcode() != NotificationMessage.CEASE_CONNECTION_COLLISION) {
            return notificationReceived(n);
        }
        String why = "the peer kept its own connection (NOTIFICATION received: " + n + ")";
        if (collision != null) {
            dropConnection();
            return continueOnCollision(why);
        }
        return backToActive(why + ", waiting for its connection");
    }

    /** This connection is gone, nothing failed: Active, ConnectRetry running, the peer's connection taken when it comes. */
    private Transition backToActive(String why) {
        dropConnection();
        negotiated = null;
        cancelAllTimers();
        restartConnectRetry();
        setLastError(why);
        return new Transition(SessionState.ACTIVE, why);
    }

    private Transition sendHoldExpired() {
        // RFC 9687 4: send the NOTIFICATION best-effort and close without waiting for the peer.
        NotificationMessage n = new NotificationMessage(NotificationMessage.SEND_HOLD_TIMER_EXPIRED, 0);
        Connection c = connection;
        if (c != null) {
            send(c, n.encode(c.alloc()));
            c.flush();
            c.abort();
            connection = null;
        }
        return toIdle(null, "send hold timer expired: peer does not read", true, true, negotiated != null && negotiated.peerGracefulRestart() != null);
    }

    private Transition toIdle(NotificationMessage notification, String reason, boolean restart, boolean error) {
        return toIdle(notification, reason, restart, error, false);
    }

    /**
     * The common exit to Idle: NOTIFICATION (if any) out, connection closed, timers stopped,
     * the RIB told, and, unless the operator stopped us, the IdleHold timer armed with the
     * back-off of RFC 4271 8.1.1 (DampPeerOscillations) after errors.
     */
    private Transition toIdle(NotificationMessage notification, String reason, boolean restart, boolean error, boolean retainStale) {
        if (notification != null && state == SessionState.ESTABLISHED && negotiated != null
                && negotiated.gracefulNotification()) {
            // RFC 8538 4 / 5: with the N bit, what we send is either a Hard Reset (the session and
            // its routes end on both sides) or keeps the routes as stale on both sides.
            NotificationMessage hard = GracefulNotification.hardResetFor(notification);
            if (hard != null) {
                notification = hard;
                retainStale = false;
            } else {
                retainStale = true;
            }
        }
        if (connection != null) {
            if (notification != null) {
                send(connection, notification.encode(connection.alloc()));
                connection.flush();
            }
            connection.close();
            connection = null;
        }
        if (collision != null) {
            reject(collision, NotificationMessage.CEASE_CONNECTION_COLLISION, "session ended");
            collision = null;
        }
        cancelAllTimers();
        cancelAttempt();
        if (state == SessionState.ESTABLISHED) {
            flaps++;
            leaveEstablished(retainStale && negotiated.peerGracefulRestart() != null);
        }
        negotiated = null;
        setLastError(notification != null ? reason + " (sent " + notification + ")" : reason);
        if (error) {
            consecutiveFailures++;
        }
        // A dynamic neighbor's session ends here unless it holds stale routes for the peer's
        // return; the speaker forgets it and a new connection starts a new one.
        boolean forgotten = dynamic && staleLink == null;
        if (restart && !adminDown && !forgotten) {
            long delay = error ? Math.min(IDLE_HOLD_MAX_MILLIS, IDLE_HOLD_BASE_MILLIS << Math.min(consecutiveFailures - 1, 16)) : 0;
            idleHoldTimer = ctx.scheduler().schedule(delay, () -> {
                idleHoldTimer = null;
                dispatch(new Event.Start("IdleHold timer expired"));
            });
        }
        return new Transition(SessionState.IDLE, lastError);
    }

    private void leaveEstablished(boolean retainStale) {
        SessionLink down = link;
        link = null;
        down.down();
        ctx.routes().peerDown(down, retainStale);
        ctx.indexes().release(down.peerIndex());
        if (retainStale) {
            staleLink = down;
            cancel(staleTimer);
            int restartSeconds = negotiated.peerGracefulRestart().restartTimeSeconds();
            // RFC 4724 4.2: the peer must be back within its Restart Time.
            staleTimer = ctx.scheduler().schedule(restartSeconds * 1000L, () -> {
                if (staleLink == down && state != SessionState.ESTABLISHED) {
                    flushStale("restart timer expired");
                }
            });
            log.info("{}: keeping routes as stale for up to {} s (graceful restart helper)", name(), restartSeconds);
        }
    }

    private void flushStale(String why) {
        SessionLink stale = staleLink;
        staleLink = null;
        cancel(staleTimer);
        staleTimer = null;
        log.info("{}: flushing stale routes: {}", name(), why);
        ctx.routes().staleTimerExpired(stale);
        if (dynamic && state == SessionState.IDLE) {
            ctx.dynamicIdle().accept(this);
        }
    }

    private void collisionMessage(Connection c, int type, ByteBuf frame) {
        if (type != MessageType.OPEN) {
            if (type != MessageType.NOTIFICATION) {
                sendAndClose(c, new NotificationMessage(NotificationMessage.FSM_ERROR, NotificationMessage.FSM_UNEXPECTED_IN_OPENSENT));
            } else {
                c.close();
            }
            collision = null;
            return;
        }
        Negotiated agreed;
        try {
            agreed = OpenNegotiation.negotiate(config, sentOpen, OpenMessage.decode(body(frame)));
        } catch (BgpError err) {
            sendAndClose(c, err.toNotification());
            collision = null;
            return;
        }
        // RFC 4271 6.8: the connection initiated by the speaker with the higher BGP
        // identifier survives; equal identifiers (RFC 6286 3) fall back to the higher AS.
        long local = ctx.routerId();
        long remote = agreed.remoteRouterId();
        boolean weAreHigher = local != remote ? local > remote : config.localAs() > agreed.remoteAs();
        boolean keepExisting = connection.outbound() == weAreHigher;
        // The loser is detached before its Cease goes out: a write that fails at once (the
        // peer already closed it, having resolved the same collision) reports the close
        // synchronously, and it must not be taken for the close of the surviving connection.
        if (keepExisting) {
            log.info("{}: collision resolved, keeping the {} connection", name(), connection.outbound() ? "outbound" : "inbound");
            collision = null;
            sendAndClose(c, new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_CONNECTION_COLLISION));
            return;
        }
        log.info("{}: collision resolved, switching to the {} connection", name(), c.outbound() ? "outbound" : "inbound");
        Connection loser = connection;
        connection = c;
        collision = null;
        sendAndClose(loser, new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_CONNECTION_COLLISION));
        Transition t = acceptOpen(agreed);
        if (t.next() != state) {
            enter(t.next(), "collision resolved: " + t.reason());
        }
    }

    // ---------------------------------------------------------------- helpers

    private void startConnect() {
        cancelAttempt();
        attempt = ctx.connector().connect(this, config);
        restartConnectRetry();
    }

    private void restartConnectRetry() {
        cancel(connectRetryTimer);
        long millis = ctx.jitter().apply(config.connectRetrySeconds() * 1000L);
        connectRetryTimer = ctx.scheduler().schedule(millis, () -> {
            connectRetryTimer = null;
            dispatch(new Event.ConnectRetryExpired());
        });
    }

    private void restartHoldTimer() {
        if (negotiated != null && negotiated.holdTimeSeconds() == 0) {
            return;
        }
        restartHold(negotiated == null ? OPEN_HOLD_MILLIS : negotiated.holdTimeSeconds() * 1000L);
    }

    /**
     * Moves the hold deadline. Every received message does this, so it must not allocate:
     * the pending timer stays when it is due no later than needed, and on firing re-arms
     * itself for whatever time the deadline moved on meanwhile.
     */
    private void restartHold(long millis) {
        long now = ctx.scheduler().currentTimeMillis();
        holdDeadlineMillis = now + millis;
        if (holdTimer != null && holdTimerDueMillis <= holdDeadlineMillis) {
            return;
        }
        cancel(holdTimer);
        holdTimerDueMillis = holdDeadlineMillis;
        holdTimer = ctx.scheduler().schedule(millis, holdTimerTask);
    }

    private void holdTimerFired() {
        holdTimer = null;
        long remaining = holdDeadlineMillis - ctx.scheduler().currentTimeMillis();
        if (remaining > 0) {
            holdTimerDueMillis = holdDeadlineMillis;
            holdTimer = ctx.scheduler().schedule(remaining, holdTimerTask);
            return;
        }
        dispatch(new Event.HoldExpired());
    }

    private void sendKeepalive() {
        send(connection, KeepaliveMessage.encode(connection.alloc()));
        connection.flush();
        cancel(keepaliveTimer);
        keepaliveTimer = null;
        if (negotiated != null && negotiated.holdTimeSeconds() > 0) {
            long millis = ctx.jitter().apply(negotiated.holdTimeSeconds() * 1000L / 3);
            keepaliveTimer = ctx.scheduler().schedule(millis, () -> {
                keepaliveTimer = null;
                dispatch(new Event.KeepaliveExpired());
            });
        }
    }

    private long sendHoldMillis() {
        if (config.sendHoldTimeSeconds() > 0) {
            return config.sendHoldTimeSeconds() * 1000L;
        }
        if (negotiated != null && negotiated.holdTimeSeconds() == 0) {
            return 0;
        }
        long hold = negotiated == null ? config.holdTimeSeconds() : negotiated.holdTimeSeconds();
        return Math.max(SEND_HOLD_MIN_MILLIS, 2 * hold * 1000L);
    }

    private void send(Connection c, ByteBuf message) {
        out.count(message.getUnsignedByte(message.readerIndex() + MessageHeader.TYPE_OFFSET));
        c.send(message);
    }

    private void sendAndClose(Connection c, NotificationMessage n) {
        send(c, n.encode(c.alloc()));
        c.flush();
        c.close();
    }

    private void reject(Connection c, int ceaseSubcode, String why) {
        log.info("{}: refusing connection from {}: {}", name(), c.remoteAddress(), why);
        sendAndClose(c, new NotificationMessage(NotificationMessage.CEASE, ceaseSubcode));
    }

    private void dropConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private void cancelAttempt() {
        if (attempt != null) {
            attempt.cancel();
            attempt = null;
        }
    }

    private void cancelAllTimers() {
        cancel(connectRetryTimer);
        cancel(holdTimer);
        cancel(keepaliveTimer);
        cancel(idleHoldTimer);
        cancel(sendHoldTimer);
        cancel(delayOpenTimer);
        connectRetryTimer = holdTimer = keepaliveTimer = idleHoldTimer = sendHoldTimer = delayOpenTimer = null;
    }

    private static void cancel(Scheduler.Timer t) {
        if (t != null) {
            t.cancel();
        }
    }

    private static ByteBuf body(ByteBuf frame) {
        return frame.slice(frame.readerIndex() + MessageHeader.LENGTH, frame.readableBytes() - MessageHeader.LENGTH);
    }

    private static String quoted(String message) {
        return message == null || message.isEmpty() ? "" : " \"" + message + "\"";
    }

    // ---------------------------------------------------------------- accessors

    public String name() {
        return config.name();
    }

    public PeerConfig config() {
        return config;
    }

    public SessionState state() {
        return state;
    }

    public boolean dynamic() {
        return dynamic;
    }

    public boolean adminDown() {
        return adminDown;
    }

    /** The live link while Established, else null. */
    public io.gannet.bgp.rib.PeerLink link() {
        return link;
    }

    public Negotiated negotiated() {
        return negotiated;
    }

    public PeerStatus status() {
        long now = ctx.scheduler().currentTimeMillis();
        long as = config.remoteAs() != 0 ? config.remoteAs() : learnedAs;
        Duration uptime = state == SessionState.ESTABLISHED ? Duration.ofMillis(now - establishedAtMillis) : Duration.ZERO;
        return new PeerStatus(name(), config.address(), as, state, Instant.ofEpochMilli(sinceMillis), lastError,
                in.snapshot(), out.snapshot(), flaps, uptime, adminDown, dynamic, transitions, negotiated, lastErrorMillis);
    }

    @Override
    public String toString() {
        return "PeerSession[" + name() + " " + state + "]";
    }
}
