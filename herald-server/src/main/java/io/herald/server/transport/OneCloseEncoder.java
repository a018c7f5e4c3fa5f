package io.herald.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCountUtil;

/**
 * The server's WebSocket frame encoder, which lets one close frame out and drops any later one: a socket
 * ends with one close code (RFC 6455 §5.5.1). Every violation closes through
 * {@link WebSocketTransport#violated} and Netty's decoder and validator write no closes of their own, so
 * this guards whatever else might write one. One handler rather than an encoder and a filter: each handler
 * in an idle socket's pipeline costs memory. Confined to its event loop.
 */
final class OneCloseEncoder extends WebSocket13FrameEncoder {
    private boolean closeSent;

    OneCloseEncoder() {
        // a server's frames are not masked
        super(false);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof CloseWebSocketFrame) {
            if (closeSent) {
                ReferenceCountUtil.release(msg);
                promise.trySuccess();
                return;
            }
            closeSent = true;
        }
        super.write(ctx, msg, promise);
    }
}
