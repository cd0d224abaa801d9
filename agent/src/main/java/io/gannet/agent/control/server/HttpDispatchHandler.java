package io.gannet.agent.control.server;

import io.gannet.agent.control.ControlException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Takes a decoded request off the I/O thread, runs it on a worker, writes the answer back on
 * the I/O thread. While a request is in flight the connection stops reading and the
 * {@link io.netty.handler.flow.FlowControlHandler} before this one holds any further requests
 * already decoded from the same read, so pipelined requests are answered one at a time, in order.
 */
final class HttpDispatchHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ControlApi api;
    private final ControlApi.Scope scope;
    private final Executor workers;
    /** Who sent a request, given its Authorization header (null when absent). */
    private final Function<String, Caller> callers;

    HttpDispatchHandler(ControlApi api, ControlApi.Scope scope, Executor workers, Function<String, Caller> callers) {
        this.api = api;
        this.scope = scope;
        this.workers = workers;
        this.callers = callers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.decoderResult().isFailure()) {
            write(ctx, ApiResponse.error(ControlException.badRequest("malformed HTTP request: "
                    + req.decoderResult().cause().getMessage())), false);
            return;
        }
        ApiRequest request = new ApiRequest(req.method().name(), req.uri(),
                req.headers().get(HttpHeaderNames.CONTENT_TYPE), ByteBufUtil.getBytes(req.content()),
                req.headers().get(HttpHeaderNames.ACCEPT));
        Caller caller = callers.apply(req.headers().get(HttpHeaderNames.AUTHORIZATION));
        ctx.channel().config().setAutoRead(false);
        try {
            workers.execute(() -> {
                ApiResponse response = api.handle(request, scope, caller);
                ctx.executor().execute(() -> write(ctx, response, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, ApiResponse.error(new ControlException(ControlException.Kind.UNAVAILABLE,
                    "the control server is busy or shutting down; retry")), false);
        }
    }

    private static void write(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
            ctx.channel().config().setAutoRead(true);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A client that vanished mid-request is not the daemon's problem; drop the connection.
        ctx.close();
    }
}
