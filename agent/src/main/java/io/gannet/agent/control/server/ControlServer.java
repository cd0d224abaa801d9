package io.gannet.agent.control.server;

import io.gannet.agent.control.DaemonControl;
import io.gannet.agent.control.DaemonView;
import io.gannet.agent.metrics.GannetMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The running control server. Start it from the daemon with {@link #start}, stop it with
 * {@link #close} (which also removes the socket file).
 *
 * <pre>{@code
 * GannetMetrics metrics = GannetMetrics.create(InstantSource.system());
 * ControlServer server = ControlServer.start(
 *         ControlServerConfig.defaults().withMetricsTcp(new InetSocketAddress("0.0.0.0", 9324)),
 *         view, control, metrics);
 * ...
 * server.close();
 * metrics.close();
 * }</pre>
 */
public final class ControlServer implements AutoCloseable {
    /** Largest request body accepted (an announce with many communities is a few KiB). */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private final ControlServerConfig config;
    private final EventLoopGroup io;
    private final ThreadPoolExecutor workers;
    private final List<Channel> listeners = new ArrayList<>();
    private InetSocketAddress controlTcpBound;
    private InetSocketAddress metricsTcpBound;

    private ControlServer(ControlServerConfig config) {
        this.config = config;
        this.io = new EpollEventLoopGroup(1, new DefaultThreadFactory("gannet-control-io", true));
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.workerQueue()), r -> {
                    Thread t = new Thread(r, "gannet-control-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Binds every configured listener. Fails (and releases what it bound) when a listener
     * cannot be bound, for example when another daemon already serves the socket.
     */
    public static ControlServer start(ControlServerConfig config, DaemonView view, DaemonControl control,
                                      GannetMetrics metrics) {
        return start(config, view, control, metrics, ControlAudit.NONE);
    }

    /** As above; every operator command (POST) is reported to {@code audit} with who sent it. */
    public static ControlServer start(ControlServerConfig config, DaemonView view, DaemonControl control,
                                      GannetMetrics metrics, ControlAudit audit) {
        return start(config, view, control, metrics, audit, TextViews.NONE);
    }

    /** As above; {@code Accept: text/plain} requests get the CLI's text from {@code text}. */
    public static ControlServer start(ControlServerConfig config, DaemonView view, DaemonControl control,
                                      GannetMetrics metrics, ControlAudit audit, TextViews text) {
        Objects.requireNonNull(config, "config");
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the control server needs netty's epoll transport", Epoll.unavailabilityCause());
        }
        if (config.controlTcp() != null && config.tokens() == null) {
            throw new IllegalArgumentException("the control TCP port " + config.controlTcp().getPort()
                    + " needs bearer tokens: pass --control-tokens FILE (lines of NAME read|write TOKEN, mode 0600)");
        }
        ControlApi api = new ControlApi(Objects.requireNonNull(view, "view"), Objects.requireNonNull(control, "control"),
                Objects.requireNonNull(metrics, "metrics"), Objects.requireNonNull(audit, "audit"))
                .withTextViews(Objects.requireNonNull(text, "text"));
        ControlServer server = new ControlServer(config);
        try {
            server.bindAll(api);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bindAll(ControlApi api) {
        if (config.unixSocket() != null) {
            prepareSocketPath(config.unixSocket());
            Channel ch = bind(new ServerBootstrap().channel(EpollServerDomainSocketChannel.class),
                    new DomainSocketAddress(config.unixSocket().toFile()), api, ControlApi.Scope.CONTROL, ControlServer::unixCaller);
            listeners.add(ch);
            try {
                Files.setPosixFilePermissions(config.unixSocket(), config.socketPermissions());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set permissions of " + config.unixSocket(), e);
            }
            if (config.socketGroup() != null) {
                setGroup(config.unixSocket(), config.socketGroup());
            }
        }
        if (config.controlTcp() != null) {
            ControlTokens tokens = config.tokens();
            Channel ch = bind(new ServerBootstrap().channel(EpollServerSocketChannel.class), config.controlTcp(), api,
                    ControlApi.Scope.CONTROL, c -> tokens::authenticate);
            listeners.add(ch);
            controlTcpBound = (InetSocketAddress) ch.localAddress();
        }
        if (config.metricsTcp() != null) {
            Caller anonymous = new Caller("metrics", "", Caller.Access.NONE);
            Channel ch = bind(new ServerBootstrap().channel(EpollServerSocketChannel.class), config.metricsTcp(), api,
                    ControlApi.Scope.METRICS_ONLY, c -> header -> anonymous);
            listeners.add(ch);
            metricsTcpBound = (InetSocketAddress) ch.localAddress();
        }
    }

    /**
     * The caller on a Unix socket connection: SO_PEERCRED's uid and pid (fixed for the
     * connection's life). The socket file's mode and group already admitted it.
     */
    private static Function<String, Caller> unixCaller(Channel ch) {
        Caller caller;
        try {
            PeerCredentials c = ((EpollDomainSocketChannel) ch).peerCredentials();
            caller = Caller.unixPeer(c.uid(), c.pid());
        } catch (IOException | RuntimeException e) {
            caller = new Caller("unix", "uid=? pid=?", Caller.Access.WRITE);
        }
        Caller fixed = caller;
        return header -> fixed;
    }

    private static void setGroup(Path socket, String group) {
        try {
            GroupPrincipal g = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(g);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("--control-group: no group named '" + group + "' on this host");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + socket + " the group " + group, e);
        }
    }

    private Channel bind(ServerBootstrap b, java.net.SocketAddress address, ControlApi api, ControlApi.Scope scope,
                         Function<Channel, Function<String, Caller>> callers) {
        b.group(io).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(
                        new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                        new HttpServerCodec(),
                        new JsonErrorAggregator(MAX_BODY_BYTES),
                        // Pipelined requests decoded from one read must not reach the dispatcher
                        // together: it answers one at a time, in order, re-enabling reads after
                        // each response, and this handler releases one request per read.
                        new FlowControlHandler(),
                        new HttpDispatchHandler(api, scope, workers, callers.apply(ch)));
            }
        });
        try {
            return b.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the socket's directory, and removes a socket file left by a daemon that died;
     * refuses to start when a live daemon still answers on it.
     */
    private static void prepareSocketPath(Path socket) {
        try {
            Path dir = socket.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            if (Files.exists(socket)) {
                if (answers(socket)) {
                    throw new IllegalStateException("another gannet daemon is listening on " + socket);
                }
                Files.delete(socket);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare control socket " + socket, e);
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The bound Unix socket, or null. */
    public Path unixSocket() {
        return config.unixSocket();
    }

    /** The bound control TCP address (the real port when 0 was configured), or null. */
    public InetSocketAddress controlTcpAddress() {
        return controlTcpBound;
    }

    /** The bound metrics TCP address (the real port when 0 was configured), or null. */
    public InetSocketAddress metricsTcpAddress() {
        return metricsTcpBound;
    }

    /** Stops listening, lets running requests finish for up to 2 s, removes the socket file. */
    @Override
    public void close() {
        for (Channel ch : listeners) {
            ch.close().syncUninterruptibly();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (config.unixSocket() != null && !listeners.isEmpty()) {
            try {
                Files.deleteIfExists(config.unixSocket());
            } catch (IOException e) {
                // Nothing to do: the next start removes a stale socket file anyway.
            }
        }
    }
}
