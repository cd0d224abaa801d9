package io.gannet.agent.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Services' {@code healthCheckNodePort} as kube-proxy does, so a cloud load balancer
 * sends traffic of an {@code externalTrafficPolicy: Local} Service only to nodes with a local
 * endpoint: an HTTP server on each port (all addresses) answers any request with
 * {@code 200} when the node has local endpoints for the Service and {@code 503} when not, and
 * the JSON body {@code {"service":{"namespace":..,"name":..},"localEndpoints":N,"serviceProxyHealthy":true}}.
 *
 * <p>Threads: one netty event loop ("gannet-healthcheck") serves every port; {@link #update}
 * is called from the service watcher thread; the counts are a concurrent map read by the loop.
 */
final class HealthCheckNodePorts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthCheckNodePorts.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one port answers for. */
    record Check(String namespace, String name, int localEndpoints) {}

    private final EventLoopGroup loop = new EpollEventLoopGroup(1, new DefaultThreadFactory("gannet-healthcheck", true));
    private final Map<Integer, Check> checks = new ConcurrentHashMap<>();
    private final Map<Integer, Channel> listeners = new HashMap<>(); // watcher thread only

    /**
     * Makes the served ports equal to {@code wanted}; returns ports that could not be bound,
     * with the reason, for the caller to report on the Service.
     */
    Map<Integer, String> update(Map<Integer, Check> wanted) {
        checks.putAll(wanted);
        checks.keySet().retainAll(wanted.keySet());
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().close();
                it.remove();
            }
        }
        Map<Integer, String> failed = new LinkedHashMap<>();
        for (int port : wanted.keySet()) {
            if (listeners.containsKey(port)) {
                continue;
            }
            try {
                Channel ch = new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel c) {
                                c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(4096), new Handler(port));
                            }
                        }).bind(port).sync().channel();
                listeners.put(port, ch);
                LOG.info("healthCheckNodePort {} serving {}", port, wanted.get(port));
            } catch (Exception e) {
                failed.put(port, "cannot listen on port " + port + ": " + e.getMessage());
            }
        }
        return failed;
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final int port;

        Handler(int port) {
            this.port = port;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
            Check c = checks.get(port);
            FullHttpResponse res;
            if (c == null) {
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            } else {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("service", Map.of("namespace", c.namespace(), "name", c.name()));
                body.put("localEndpoints", c.localEndpoints());
                body.put("serviceProxyHealthy", true);
                byte[] bytes = JSON.writeValueAsBytes(body);
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        c.localEndpoints() > 0 ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        Unpooled.wrappedBuffer(bytes));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                res.headers().set("X-Content-Type-Options", "nosniff");
            }
            HttpUtil.setContentLength(res, res.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        for (Channel ch : listeners.values()) {
            ch.close();
        }
        listeners.clear();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
