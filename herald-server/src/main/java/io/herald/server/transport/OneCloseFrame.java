package io.herald.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Lets one close frame out of a WebSocket and drops any later one: a socket ends with one close code
 * (RFC 6455 §5.5.1). Netty's decoder and validator no longer write closes of their own (every violation
 * goes through {@link WebSocketTransport#violated}), so this is a guard for whatever else might write one.
 * Sits right behind the frame encoder, where every close frame passes.
 * Confined to its event loop.
 */
final class OneCloseFrame extends ChannelOutboundHandlerAdapter {
    private boolean sent;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame) {
            if (sent) {
                ReferenceCountUtil.release(msg);
                promise.trySuccess();
                return;
            }
            sent = true;
        }
        ctx.write(msg, promise);
    }
}
