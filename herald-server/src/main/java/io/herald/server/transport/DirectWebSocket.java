package io.herald.server.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket served by Herald's own Netty handler rather than by Vert.x (which keeps several KiB per
 * socket): it sits behind Netty's frame decoder, UTF-8 validator and encoder once {@link DirectUpgrades}
 * has answered the 101, hands data frames to its endpoint, answers pings, runs the closing handshake,
 * and on channel close releases the socket's place and tells its endpoint. Confined to its event loop.
 *
 * <p>It also bounds what a client can make the server hold: pings are answered only within the socket's
 * outbound limit, and the socket stops reading while it is unwritable. A client that sends and never
 * reads can then make the server hold at most its outbound limit: what it sends waits in its own kernel
 * buffers, not in ours.
 */
public final class DirectWebSocket extends ChannelInboundHandlerAdapter implements WebSocketTransport.Socket {
    private static final Logger log = LoggerFactory.getLogger(DirectWebSocket.class);
    /** How long a close frame we sent waits for the peer's before the connection is cut (Vert.x's default too). */
    static final long CLOSING_TIMEOUT_MS = 5_000;

    private final WebSocketTransport transport;
    private final Sockets sockets;
    private ChannelHandlerContext ctx;
    private Consumer<WebSocketFrame> frames = f -> { };
    private Runnable closed = () -> { };
    private boolean closeSent;
    /** The peer's close frame's code and reason: 1005 for a frame without a code, 1006 when the connection ended without one. */
    private int peerCloseCode = WebSocketCloseStatus.ABNORMAL_CLOSURE.code();
    private String peerCloseReason = "";
    /** Between the first frame of a read and its completion: answers wait for one flush. */
    private boolean reading;
    private boolean flushPending;
    private ScheduledFuture<?> closingTimeout;

    DirectWebSocket(WebSocketTransport transport, Sockets sockets) {
        this.transport = transport;
        this.sockets = sockets;
    }

    public WebSocketTransport transport() {
        return transport;
    }

    /** Receives the peer's text, binary and continuation frames (released after the call; retain to keep). */
    public void onFrame(Consumer<WebSocketFrame> handler) {
        this.frames = handler;
    }

    /** The code of the peer's close frame (1005: it had none), or 1006 when the connection ended without one. */
    public int peerCloseCode() {
        return peerCloseCode;
    }

    /** The reason in the peer's close frame, or empty. */
    public String peerCloseReason() {
        return peerCloseReason;
    }

    /** Runs once when the connection has ended, however it ended. */
    public void onClosed(Runnable handler) {
        this.closed = handler;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        sockets.add(transport);
        // the transport writes frames encoded already: from the encoder's context they go straight to the head
        // (and TLS, if there), without passing this handler's inbound neighbours or the encoder's type check,
        // per socket and per message; this handler's own frames still go through the encoder, in write order
        ChannelHandlerContext encoded = ctx.pipeline().context(OneCloseEncoder.class);
        transport.attach(encoded != null ? encoded : ctx, this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            // the empty end of the upgrade request, decoded before the pipeline changed
            ReferenceCountUtil.release(msg);
            return;
        }
        reading = true;
        try {
            transport.touch();
            if (frame instanceof CloseWebSocketFrame close) {
                peerClosed(close);
            } else if (frame instanceof PingWebSocketFrame ping) {
                pong(ping);
            } else if (!(frame instanceof PongWebSocketFrame) && !closeSent) {
                frames.accept(frame);
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * Answers {@code ping}, flushed once with every other answer to this read. Past the outbound limit the
     * pong is dropped, not queued: the peer's next ping asks again.
     */
    private void pong(PingWebSocketFrame ping) {
        if (!closeSent && ctx.channel().isWritable()) {
            ctx.write(new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
            flushPending = true;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // reading resumes once the peer has taken what we owe it down to the low water mark
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    /** The peer's close: ends a handshake we started, or is echoed with its code and the connection cut once sent. */
    private void peerClosed(CloseWebSocketFrame close) {
        int received = close.statusCode();
        peerCloseCode = received < 0 ? WebSocketCloseStatus.EMPTY.code() : received;
        peerCloseReason = received < 0 || !utf8(close.content(), 2) ? "" : close.reasonText();
        if (closeSent) {
            ctx.close();
            return;
        }
        if (received >= 0 && !sendable(received)) {
            // a code the peer may not send (RFC 6455 §7.4: under 1000, the reserved 1004-1006 and 1015, the
            // unassigned 1016-2999, or 5000 and over) is a protocol error, answered with 1002, not echoed.
            // Netty's decoder reports most of these itself (exceptionCaught); 5000 and over it lets through
            transport.violated(InboundViolation.PROTOCOL, "invalid close code");
            return;
        }
        if (received >= 0 && !utf8(close.content(), 2)) {
            // the reason must be UTF-8 as a text frame must (RFC 6455 §5.5.1)
            transport.violated(InboundViolation.INVALID_UTF8, "invalid close reason");
            return;
        }
        closeSent = true;
        CloseWebSocketFrame echo = received < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(received, "");
        ctx.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
    }

    /** Whether {@code content} from {@code offset} on is valid UTF-8. */
    private static boolean utf8(io.netty.buffer.ByteBuf content, int offset) {
        int n = content.readableBytes() - offset;
        if (n <= 0) {
            return true;
        }
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(content.nioBuffer(content.readerIndex() + offset, n));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** Whether an endpoint may put {@code code} in a close frame (RFC 6455 §7.4.1, §7.4.2). */
    static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    @Override
    public void writeText(String text) {
        if (closeSent) {
            return;
        }
        if (reading) {
            // an answer to a frame of this read: flushed once with the others when the read completes
            ctx.write(new TextWebSocketFrame(text), ctx.voidPromise());
            flushPending = true;
        } else {
            ctx.writeAndFlush(new TextWebSocketFrame(text), ctx.voidPromise());
        }
    }

    @Override
    public void writePing() {
        if (!closeSent) {
            ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
        }
    }

    @Override
    public void close(int code, String reason) {
        if (closeSent || !ctx.channel().isActive()) {
            return;
        }
        closeSent = true;
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason), ctx.voidPromise());
        closingTimeout = ctx.executor().schedule(() -> {
            ctx.close();
        }, CLOSING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void fail(int code, String reason) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (closeSent) {
            // our close or the echo of the peer's is out: the answer we were waiting for cannot be read now
            ctx.close();
            return;
        }
        closeSent = true;
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (closingTimeout != null) {
            closingTimeout.cancel(false);
        }
        transport.markClosed();
        sockets.remove(transport);
        closed.run();
        ctx.fireChannelInactive();
    }

    /**
     * What Netty's decoder, UTF-8 validator and aggregator find wrong with the client's frames reaches here
     * (none of them closes by itself) and goes to the transport's one violation path.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        InboundViolation violation = InboundViolation.of(cause);
        if (violation != null) {
            transport.violated(violation, InboundViolation.detail(cause));
            return;
        }
        log.debug("closing WebSocket {} after {}", transport.id(), cause.toString());
        ctx.close();
    }
}
