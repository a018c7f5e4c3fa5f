package io.herald.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Lets one close frame out of a WebSocket and drops any later one: after Herald has closed a socket (1009
 * for a message too large, say), Netty's decoder may still find a violation in what the peer keeps
 * sending and write a close of its own, but a socket ends with one close code (RFC 6455 §5.5.1).
 * Sits right behind the frame encoder, where every close frame passes, the decoder's included.
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
