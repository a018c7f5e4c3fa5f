package io.herald.bench.ceiling;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /publish}: the body, as is, becomes one text frame, encoded once and written to every
 * socket (flushed as the server's {@link Sockets.Flush} mode says). Answers
 * {@code {"delivered":N}}. Every other request goes on to the WebSocket upgrade. One per connection.
 */
final class PublishHandler extends ChannelInboundHandlerAdapter {
    private final Sockets sockets;

    PublishHandler(Sockets sockets) {
        this.sockets = sockets;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !request.method().equals(HttpMethod.POST)
                || !request.uri().equals("/publish")) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            int delivered = sockets.fanOut(ctx.alloc(), request.content(), false, null);
            byte[] body = ("{\"delivered\":" + delivered + "}").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            var f = ctx.writeAndFlush(response);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            request.release();
        }
    }
}
