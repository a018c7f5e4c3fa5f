package io.herald.server.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;

/**
 * The inbound side of every server WebSocket, whichever stack serves it: text frames are checked for
 * valid UTF-8 (1007 otherwise, across fragments too: RFC 6455 §8.1), pings are answered within the
 * socket's outbound limit, and the socket stops reading while it is unwritable. A client that sends and
 * never reads can then make the server hold at most its outbound limit: what it sends waits in its own
 * kernel buffers, not in ours. Confined to its event loop.
 */
final class InboundGuard extends ChannelDuplexHandler {
    static final String NAME = "herald-inbound";
    static final String UTF8 = "herald-utf8";

    private final WebSocketTransport transport;
    private boolean flushPending;

    private InboundGuard(WebSocketTransport transport) {
        this.transport = transport;
    }

    /**
     * Puts the UTF-8 validator and a guard for {@code transport} in front of {@code before}, the handler
     * that receives the socket's frames (Herald's own or Vert.x's), behind the frame decoder.
     */
    static void install(ChannelPipeline pipeline, String before, WebSocketTransport transport) {
        // the validator drops the frame and throws a CorruptedWebSocketFrameException, which the socket's handler
        // closes with 1007 (InboundViolation); it sends nothing itself
        pipeline.addBefore(before, UTF8, new Utf8FrameValidator(false));
        pipeline.addBefore(before, NAME, new InboundGuard(transport));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PingWebSocketFrame ping) {
            transport.touch();
            if (ctx.channel().isWritable() && !transport.isClosed()) {
                // flushed once per read, with every other answer to what this read brought
                ctx.write(new PongWebSocketFrame(ping.content()), ctx.voidPromise());
                flushPending = true;
            } else {
                // past the outbound limit a pong is dropped, not queued: the peer's next ping asks again
                ping.release();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // reading resumes once the peer has taken what we owe it down to the low water mark
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }
}
