package io.herald.server.transport;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.Meters;
import io.herald.config.ServerConfig;
import io.herald.server.http.ErrorHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard of one plain HTTP connection: admits it at accept under {@code server.maxHttpConnections} and
 * {@code server.maxConnectionsPerAddress}, answers 408 and closes it when a request's line and headers
 * take longer than {@code server.requestHeadTimeoutMs}, and closes it when it sits between requests for
 * {@code server.idleTimeoutMs}. Confined to the connection's event loop (its admission runs on the
 * listening channel's loop, before the connection has one).
 *
 * <p>From accept until Vert.x has set up HTTP/1 it is a watcher at the front of the pipeline that starts
 * the first head's deadline; then ({@link #install}) it sits in front of Vert.x's handler, where it sees
 * decoded requests coming in and responses going out, with a small watcher in front of the HTTP decoder
 * that sees the first bytes of each later request head. A connection with a response in progress (an SSE
 * stream, a room join before its 101) is never idle. When a 101 goes out both handlers leave the
 * pipeline, so WebSocket frames pass nothing of this, and a WebSocket leaves the HTTP count: it is under
 * {@code server.maxConnections} and has its own liveness check ({@link Sockets}). The per-address count
 * is held until the connection closes, upgraded or not.
 *
 * <p>Vert.x's {@code HttpServerOptions.setIdleTimeout} is not used: it closes any connection silent in
 * both directions, upgraded sockets and quiet SSE streams included, and knows nothing of request heads.
 */
public final class ConnectionGuard extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    static final String NAME = "herald-guard";
    static final String HEAD_WATCH = "herald-head-watch";
    static final String ACCEPTED = "herald-accepted";
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final AttributeKey<ConnectionGuard> KEY = AttributeKey.valueOf(ConnectionGuard.class, "guard");
    /** The 408 of a connection that sent nothing, written before any HTTP encoder exists. */
    private static final byte[] SILENT_TIMEOUT = silentTimeout();

    private enum Wait { NONE, HEAD, IDLE }

    private final ConnectionCounts counts;
    private final Meters meters;
    /** The 101's header naming the node that took the socket. */
    static final String NODE_HEADER = "x-herald-node";
    private final long headNanos;
    private final long idleNanos;
    private final InetAddress peer;
    /** This node's id in a cluster, or null: where a client's socket landed, for clients, tests and load-balancer checks. */
    private final String node;
    private final HeadWatch headWatch = new HeadWatch();
    private final AcceptWatch acceptWatch = new AcceptWatch();
    /** This guard's place in the pipeline once {@link #install}ed; before that, null. */
    private ChannelHandlerContext ctx;
    private Channel channel;
    /** Still counted as a plain HTTP connection (until it upgrades or closes). */
    private boolean http = true;
    /** The address this connection is counted under, or null while it is not counted under one. */
    private InetAddress counted;
    /** A trusted proxy's connection, counted under its first request's client address. */
    private boolean awaitingClient;
    /** Requests read whose response has not ended. */
    private int inFlight;
    /** What the connection is waiting for, and until when ({@link System#nanoTime}). */
    private Wait waiting = Wait.NONE;
    private long deadline;
    /** One pending check at a time: a later deadline is picked up when it fires, an earlier one reschedules it. */
    private ScheduledFuture<?> timer;
    private long timerAt;
    private boolean closing;

    private ConnectionGuard(ConnectionCounts counts, Meters meters, ServerConfig config, InetAddress peer, String node) {
        this.node = node;
        this.counts = counts;
        this.meters = meters;
        this.headNanos = TimeUnit.MILLISECONDS.toNanos(config.requestHeadTimeoutMs());
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
        this.peer = peer;
    }

    /**
     * Admits a just-accepted connection, not registered yet, under {@code server.maxHttpConnections} and
     * {@code server.maxConnectionsPerAddress}, and starts its guard: its request head's deadline runs from
     * now. A refused connection gets no answer: nothing was asked yet, and under a flood writing costs more
     * than closing. Runs on the listening channel's loop.
     *
     * @return whether the connection was admitted; the caller closes a refused one
     */
    static boolean admit(Channel accepted, ConnectionCounts counts, Meters meters, ServerConfig config, String node) {
        if (!counts.openHttp()) {
            refused(accepted, meters, "max_http_connections");
            return false;
        }
        InetAddress peer = accepted.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        ConnectionGuard guard = new ConnectionGuard(counts, meters, config, peer, node);
        if (peer != null && counts.perAddressLimited()) {
            if (counts.trusted(peer)) {
                guard.awaitingClient = true;
            } else if (counts.acquire(peer)) {
                guard.counted = peer;
            } else {
                counts.closeHttp();
                refused(accepted, meters, "per_address");
                return false;
            }
        }
        accepted.attr(KEY).set(guard);
        accepted.closeFuture().addListener(f -> guard.closed());
        // first in the pipeline, before whatever Vert.x adds when the channel registers
        accepted.pipeline().addLast(ACCEPTED, guard.acceptWatch);
        return true;
    }

    private static void refused(Channel channel, Meters meters, String reason) {
        meters.refused(reason);
        log.debug("Connection from {} refused at accept: {}", channel.remoteAddress(), reason);
    }

    /**
     * Moves a connection's guard in front of Vert.x's handler ({@code "handler"}) once Vert.x has set up its
     * HTTP/1 pipeline; call it before anything else goes there. An HTTP/2 connection (h2c, ALPN) keeps its
     * place in the HTTP count but no timeouts: its requests are streams this guard does not follow.
     */
    public static void install(ChannelPipeline p) {
        ConnectionGuard guard = p.channel().attr(KEY).getAndSet(null);
        if (guard == null) {
            return;
        }
        if (p.get(ACCEPTED) != null) {
            p.remove(ACCEPTED);
        }
        if (p.get(HttpRequestDecoder.class) != null && p.context("handler") != null) {
            p.addBefore(p.context(HttpRequestDecoder.class).name(), HEAD_WATCH, guard.headWatch);
            p.addBefore("handler", NAME, guard);
        } else {
            guard.waiting = Wait.NONE;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // the guard lives as long as the connection (its close listener gives the counts back), and a removed
        // context still links the handlers around it when it left: Vert.x's h2c handler and connection
        // initializer, the upgrade interceptor, several hundred bytes an idle socket would keep for nothing
        this.ctx = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            inFlight++;
            waiting = Wait.NONE;
            if (awaitingClient && !admitClient(request)) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Counts a trusted proxy's connection under the client its first request names; false when refused with 429. */
    private boolean admitClient(HttpRequest request) {
        awaitingClient = false;
        InetAddress client = counts.clientOf(peer, request.headers().getAll(X_FORWARDED_FOR));
        if (counts.acquire(client)) {
            counted = client;
            return true;
        }
        meters.refused("per_address");
        log.debug("Request from {} through {} refused: too many connections from its address", client, peer);
        answerAndClose(ErrorCode.TOO_MANY_REQUESTS, "Too many connections from this address.");
        return false;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            if (node != null) {
                r.headers().set(NODE_HEADER, node);
            }
            ctx.write(msg, promise);
            // an h2c upgrade stays an HTTP connection, counted as one: only a WebSocket moves to maxConnections
            upgraded(r.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true));
            return;
        }
        if (msg instanceof LastHttpContent && inFlight > 0
                && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL)
                && --inFlight == 0 && !closing) {
            await(Wait.IDLE, idleNanos);
        }
        ctx.write(msg, promise);
    }

    /**
     * The connection carries one response that does not end, an SSE stream written below Vert.x: it stays in
     * the HTTP count until it closes, without a request or idle deadline, and its guard leaves the pipeline.
     */
    static void streaming(ChannelPipeline p) {
        ConnectionGuard guard = p.get(ConnectionGuard.class);
        if (guard != null) {
            guard.upgraded(false);
        }
    }

    /**
     * The connection speaks another protocol now: it leaves this pipeline, and a WebSocket leaves the HTTP
     * count too (it is under {@code server.maxConnections} from its upgrade on).
     */
    private void upgraded(boolean webSocket) {
        waiting = Wait.NONE;
        if (http && webSocket) {
            http = false;
            counts.closeHttp();
        }
        stopTimer();
        ChannelPipeline p = ctx.pipeline();
        if (p.get(HEAD_WATCH) != null) {
            p.remove(HEAD_WATCH);
        }
        p.remove(this);
    }

    /** Runs when the channel closes, on its event loop: gives back what it holds. */
    private void closed() {
        if (http) {
            http = false;
            counts.closeHttp();
        }
        if (counted != null) {
            counts.release(counted);
            counted = null;
        }
        stopTimer();
    }

    /** Waits for {@code what} for {@code nanos} from now. */
    private void await(Wait what, long nanos) {
        waiting = what;
        deadline = System.nanoTime() + nanos;
        if (timer != null && deadline - timerAt >= 0) {
            return;
        }
        stopTimer();
        schedule(nanos);
    }

    private void schedule(long nanos) {
        timerAt = System.nanoTime() + nanos;
        timer = channel.eventLoop().schedule(this::check, nanos, TimeUnit.NANOSECONDS);
    }

    private void stopTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (waiting == Wait.NONE || closing || !channel.isActive()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(left);
        } else if (waiting == Wait.HEAD) {
            meters.refused("request_head_timeout");
            log.debug("Connection from {} sent no complete request head in time", peer);
            answerAndClose(ErrorCode.REQUEST_TIMEOUT, ErrorCode.REQUEST_TIMEOUT.defaultMessage());
        } else {
            meters.refused("idle_timeout");
            closing = true;
            channel.close();
        }
    }

    /** Answers {@code code} as JSON with {@code Connection: close} and closes; nothing read after it reaches Vert.x. */
    private void answerAndClose(ErrorCode code, String message) {
        closing = true;
        waiting = Wait.NONE;
        if (ctx == null) {
            silentTimeout(acceptWatch.ctx);
            return;
        }
        byte[] body = ErrorHandler.body(new HeraldException(code, message));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(code.httpStatus()), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The 408 of a connection whose protocol Vert.x has not seen yet (it waits for a first byte to tell
     * HTTP/1 from h2c): written as bytes from the front of the pipeline, unless TLS is there, whose
     * handshake never finished and which closes it silently instead.
     */
    private void silentTimeout(ChannelHandlerContext front) {
        if (front != null && channel.pipeline().get(SslHandler.class) == null) {
            front.writeAndFlush(Unpooled.wrappedBuffer(SILENT_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    private static byte[] silentTimeout() {
        byte[] body = ErrorHandler.body(new HeraldException(ErrorCode.REQUEST_TIMEOUT));
        String head = HttpVersion.HTTP_1_1 + " " + HttpResponseStatus.valueOf(ErrorCode.REQUEST_TIMEOUT.httpStatus())
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head8, head8.length + body.length);
        System.arraycopy(body, 0, all, head8.length, body.length);
        return all;
    }

    /** At the front of a just-accepted connection until {@link #install}: starts the head's deadline from the accept. */
    private final class AcceptWatch extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // runs once the connection is registered, on its own loop
            this.ctx = ctx;
            channel = ctx.channel();
            // a connection that sends nothing is a request head that never comes
            await(Wait.HEAD, headNanos);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            this.ctx = null;
        }
    }

    /** Sees raw bytes before the decoder: the first bytes of a request after an idle wait start its head's deadline. */
    private final class HeadWatch extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // only between requests: a head's deadline runs from its first byte, never reset by later ones
            if (waiting == Wait.IDLE && inFlight == 0 && !closing) {
                await(Wait.HEAD, headNanos);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
