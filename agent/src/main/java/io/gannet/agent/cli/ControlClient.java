package io.gannet.agent.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP/1.1 request to the daemon over its Unix socket or, with a bearer token, its
 * loopback control port.
 */
public final class ControlClient {
    /** Route tables can be large: up to 1,000,000 entries at a few hundred bytes each. */
    private static final int MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

    /** The daemon's answer. */
    public record Response(int status, String contentType, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Path socket;
    private final InetSocketAddress tcp;
    private final String token;
    private final Duration timeout;

    public ControlClient(Path socket, Duration timeout) {
        this(socket, null, null, timeout);
    }

    private ControlClient(Path socket, InetSocketAddress tcp, String token, Duration timeout) {
        this.socket = socket;
        this.tcp = tcp;
        this.token = token;
        this.timeout = timeout;
    }

    /** A client of the control TCP port; {@code token} (or null for none) is sent as a bearer token. */
    public static ControlClient tcp(InetSocketAddress address, String token, Duration timeout) {
        return new ControlClient(null, address, token, timeout);
    }

    private String where() {
        return tcp == null ? socket.toString() : tcp.getHostString() + ":" + tcp.getPort();
    }

    public Response get(String uri) throws DaemonUnreachableException {
        return send("GET", uri, null);
    }

    public Response post(String uri, byte[] jsonBody) throws DaemonUnreachableException {
        return send("POST", uri, jsonBody);
    }

    private Response send(String method, String uri, byte[] body) throws DaemonUnreachableException {
        if (tcp == null) {
            checkSocketFile();
        }
        EventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("gannet-cli-io", true));
        CompletableFuture<Response> answer = new CompletableFuture<>();
        try {
            Bootstrap b = new Bootstrap().group(group)
                    .channel(tcp == null ? EpollDomainSocketChannel.class : EpollSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), 5000))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                                    new SimpleChannelInboundHandler<FullHttpResponse>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                            answer.complete(new Response(r.status().code(),
                                                    r.headers().get(HttpHeaderNames.CONTENT_TYPE, ""),
                                                    ByteBufUtil.getBytes(r.content())));
                                            ctx.close();
                                        }

                                        @Override
                                        public void channelInactive(ChannelHandlerContext ctx) {
                                            answer.completeExceptionally(new IllegalStateException(
                                                    "the daemon closed the connection without an answer"));
                                        }

                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            answer.completeExceptionally(cause);
                                            ctx.close();
                                        }
                                    });
                        }
                    });
            Channel ch;
            try {
                ch = b.connect(tcp == null ? new DomainSocketAddress(socket.toFile()) : tcp).syncUninterruptibly().channel();
            } catch (Exception e) {
                throw unreachable(e);
            }
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri,
                    body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            req.headers().set(HttpHeaderNames.HOST, "gannet");
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            req.headers().set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON);
            req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
            if (token != null) {
                req.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
            }
            if (body != null) {
                req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            }
            ch.writeAndFlush(req);
            try {
                return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new DaemonUnreachableException("the daemon on " + where() + " did not answer within "
                        + timeout.toSeconds() + " s");
            } catch (ExecutionException e) {
                throw new DaemonUnreachableException("lost the connection to the daemon on " + where() + ": "
                        + e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DaemonUnreachableException("interrupted");
            }
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    private void checkSocketFile() throws DaemonUnreachableException {
        if (!Files.exists(socket)) {
            throw new DaemonUnreachableException("no control socket at " + socket
                    + ": is the gannet daemon running? (`gannet run` starts it; --socket or GANNET_SOCKET pick another socket)");
        }
        if (Files.isDirectory(socket) || Files.isRegularFile(socket)) {
            throw new DaemonUnreachableException(socket + " is not a socket; pass the daemon's control socket with --socket");
        }
    }

    private DaemonUnreachableException unreachable(Throwable e) {
        String m = String.valueOf(e.getMessage());
        if (tcp != null) {
            return new DaemonUnreachableException("cannot connect to the control port " + where()
                    + (m.contains("refused") ? ": nothing listens there (is gannet run started with --control-port?)" : ": " + m));
        }
        if (m.contains("Permission denied") || m.contains("EACCES")) {
            return new DaemonUnreachableException("cannot open control socket " + socket
                    + ": permission denied (run as root or as a member of the socket's group)");
        }
        if (m.contains("Connection refused") || m.contains("ECONNREFUSED")) {
            return new DaemonUnreachableException("no gannet daemon is listening on " + socket
                    + " (stale socket file: the daemon is not running)");
        }
        return new DaemonUnreachableException("cannot connect to " + socket + ": " + m);
    }
}
