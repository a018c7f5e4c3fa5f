package io.herald.bench.ceiling;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * An upgraded socket: joins the sockets when the handshake completes (it leaves on close), and
 * relays each text frame it sends to every other socket, as a relay room does. One per connection.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final Sockets sockets;

    RelayHandler(Sockets sockets) {
        this.sockets = sockets;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            sockets.add(ctx.channel());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame frame && frame.isFinalFragment()) {
            try {
                sockets.fanOut(ctx.alloc(), frame.content(), ctx.channel());
            } finally {
                frame.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }
}
