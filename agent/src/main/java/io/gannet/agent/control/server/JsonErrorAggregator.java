package io.gannet.agent.control.server;

import io.gannet.agent.control.ControlException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** netty's aggregator, answering an oversized body with the API's JSON error instead of an empty 413. */
final class JsonErrorAggregator extends HttpObjectAggregator {
    JsonErrorAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ApiResponse r = ApiResponse.error(new ControlException(ControlException.Kind.PAYLOAD_TOO_LARGE,
                "request body is larger than " + maxContentLength() + " bytes"));
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Closing now, with the rest of the body unread, makes the kernel reset the connection and
        // the client may lose this answer. Half-close instead: the client reads the 413 and EOF,
        // the aggregator discards what is still arriving, and the client's close ends it.
        ctx.writeAndFlush(res).addListener((ChannelFutureListener) f -> {
            if (f.channel() instanceof DuplexChannel d) {
                d.shutdownOutput();
            } else {
                f.channel().close();
            }
        });
    }
}
