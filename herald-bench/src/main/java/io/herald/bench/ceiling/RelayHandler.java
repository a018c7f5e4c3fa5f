package io.herald.bench.ceiling;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * An upgraded socket: joins the sockets when the handshake completes (it leaves on close), and
 * relays each message it sends to every other socket, text as text and binary as binary, as a relay
 * room does (Netty's protocol handler answers pings and echoes the close frame). One per connection.
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
        if ((msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) && ((WebSocketFrame) msg).isFinalFragment()) {
            WebSocketFrame frame = (WebSocketFrame) msg;
            try {
                sockets.fanOut(ctx.alloc(), frame.content(), frame instanceof BinaryWebSocketFrame, ctx.channel());
            } finally {
                frame.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }
}
