package io.herald.server.transport;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.server.http.ErrorHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Takes every WebSocket upgrade below Vert.x, so a socket costs a Netty channel and a few small objects
 * instead of Vert.x's HTTP connection, request and WebSocket (several KiB each). Every HTTP/1 connection
 * gets an {@link Interceptor} in front of Vert.x's handler: it passes every other request on, and answers
 * an upgrade for one of its {@link Endpoint}s itself. The endpoint's admission may be asynchronous (a
 * room's access gate and join run before the 101, as PartyServer does): the connection stops reading
 * until it completes. Then the JSON error of a refusal, or the 101, after which the HTTP codec is swapped
 * for Netty's WebSocket codec and a {@link DirectWebSocket}, and Vert.x's handler is dropped. An upgrade
 * pipelined behind a request Vert.x has not answered waits for that answer. One instance per event loop.
 */
public final class DirectUpgrades {
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /**
     * A primitive whose sockets are served directly: checks an upgrade before the 101 and opens the
     * socket after it.
     *
     * @param <A> what the check found (the verified ticket, the scope) and the opening needs
     */
    public interface Endpoint<A> {
        /**
         * Checks the request before the 101, on the connection's loop: throws, or completes exceptionally, with
         * {@link HeraldException} (or a {@link StatusRefusal}) to refuse it with that error's status and JSON.
         * {@code transport} is the socket's, not attached yet: what is sent on it is held. The request is not
         * read after this returns. The stage may complete on any thread.
         */
        CompletionStage<A> admit(QueryStringDecoder query, HttpRequest request, WebSocketTransport transport);

        /** Undoes {@link #admit} when the upgrade does not happen after it (the connection cap, the client gone). */
        default void cancel(A admission) {
        }

        /**
         * Whether {@link #admit} reserved the socket's place under {@code server.maxConnections} itself ({@link
         * Sockets#reserve}), before work a refused upgrade would waste (a room's join); then {@link #cancel} gives it
         * back. Otherwise the place is reserved after the admission.
         */
        default boolean reservesItsPlace() {
            return false;
        }

        /** Opens the upgraded socket (its transport is attached and counted already). */
        void open(DirectWebSocket socket, A admission);

        /** The primitive its sockets are counted under in metrics. */
        String primitive();

        /** The largest frame a client may send (1009 past it). */
        int maxFrameBytes();

        /** When positive, fragmented messages are joined up to this many bytes (1009 past it); else frames come as sent. */
        default int maxMessageBytes() {
            return 0;
        }
    }

    private final Function<String, Endpoint<?>> routes;
    private final Sockets sockets;
    private final FrameWriter writer;
    private final ErrorHandler errors;
    private final int maxPendingBytes;
    private final io.herald.Meters meters;
    private static final String NAME = "herald-upgrades";
    /** Each endpoint's frame decoder settings, made once (endpoints and their limits are fixed). */
    private final Map<Endpoint<?>, WebSocketDecoderConfig> decoderConfigs = new HashMap<>();

    /** {@code routes} maps a path (leading slashes collapsed) to its endpoint, or to null for Vert.x. */
    public DirectUpgrades(Function<String, Endpoint<?>> routes, Sockets sockets, FrameWriter writer, ErrorHandler errors,
            int maxPendingBytes, io.herald.Meters meters) {
        this.routes = routes;
        this.sockets = sockets;
        this.writer = writer;
        this.errors = errors;
        this.maxPendingBytes = maxPendingBytes;
        this.meters = meters;
    }

    private static WebSocketDecoderConfig decoderConfig(int maxFrameBytes) {
        return WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameBytes)
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                // a violation is thrown to the socket's handler, which closes through the transport's one path
                .closeOnProtocolViolation(false)
                .build();
    }

    /** Puts an interceptor in front of {@code pipeline}'s Vert.x handler, if it is an HTTP/1 pipeline. */
    public void install(ChannelPipeline pipeline) {
        if (pipeline.get(HttpRequestDecoder.class) != null && pipeline.context("handler") != null) {
            pipeline.addBefore("handler", NAME, new Interceptor());
        }
    }

    /** Takes the interceptor out of {@code pipeline}: its connection no longer carries requests (an SSE stream). */
    static void leave(ChannelPipeline pipeline) {
        if (pipeline.context(NAME) != null) {
            pipeline.remove(NAME);
        }
    }

    /** The endpoint an upgrade request is for, or null when Vert.x should have it. */
    private Endpoint<?> endpointFor(HttpRequest request) {
        if (request.method() != HttpMethod.GET || !request.decoderResult().isSuccess()
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return null;
        }
        return routes.apply(collapseLeadingSlashes(path(request.uri())));
    }

    /** The path of {@code uri}, without its query. */
    private static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /**
     * {@code path} with its leading slashes collapsed into one: partysocket's prefix written "/realtime"
     * builds "//realtime/...", and PartyServer ignores empty segments.
     */
    static String collapseLeadingSlashes(String path) {
        int slashes = 0;
        while (slashes + 1 < path.length() && path.charAt(slashes + 1) == '/') {
            slashes++;
        }
        return slashes == 0 ? path : path.substring(slashes);
    }

    /** A refusal answered with its own status and code rather than an {@link io.herald.ErrorCode}'s (a room's onBeforeConnect). */
    public interface StatusRefusal {
        int status();

        String code();

        String message();
    }

    /** The per-connection handler; after an upgrade it is replaced by the socket. */
    private final class Interceptor extends ChannelDuplexHandler {
        /** Requests handed to Vert.x whose response has not ended: an upgrade behind one waits for its answer. */
        private int unanswered;
        /** An upgrade waiting for the responses before it, or for its admission; reading is off meanwhile. */
        private boolean waiting;
        private Runnable whenAnswered;
        /** A refused upgrade's remaining parts are dropped while the connection closes. */
        private boolean refused;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused || waiting) {
                // the rest of the upgrade request (its empty end); a client must not send more before the 101
                boolean more = waiting && msg instanceof HttpRequest;
                ReferenceCountUtil.release(msg);
                if (more) {
                    refused = true;
                    ctx.close();
                }
                return;
            }
            if (msg instanceof HttpRequest request) {
                Endpoint<?> endpoint = endpointFor(request);
                if (endpoint != null) {
                    if (unanswered == 0) {
                        take(ctx, request, endpoint);
                    } else {
                        // answered in order: the upgrade's answer must follow those of the requests before it
                        hold(ctx);
                        whenAnswered = () -> take(ctx, request, endpoint);
                    }
                    return;
                }
                unanswered++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent && unanswered > 0
                    && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
                unanswered--;
            }
            ctx.write(msg, promise);
            if (unanswered == 0 && whenAnswered != null) {
                Runnable next = whenAnswered;
                whenAnswered = null;
                // after the write that ended the last answer, outside Vert.x's call
                ctx.executor().execute(() -> {
                    waiting = false;
                    next.run();
                });
            }
        }

        private void hold(ChannelHandlerContext ctx) {
            waiting = true;
            ctx.channel().config().setAutoRead(false);
        }

            private <A> void take(ChannelHandlerContext ctx, HttpRequest request, Endpoint<A> endpoint) {
            WebSocketTransport transport = new WebSocketTransport(writer, maxPendingBytes, meters, endpoint.primitive());
            CompletionStage<A> admitted;
            try {
                admitted = endpoint.admit(new QueryStringDecoder(request.uri()), request, transport);
            } catch (RuntimeException e) {
                refuse(ctx, request, e);
                return;
            } finally {
                ReferenceCountUtil.release(request);
            }
            CompletableFuture<A> f = admitted.toCompletableFuture();
            if (f.isDone()) {
                // broadcast and lane sockets: checked synchronously, upgraded in this read
                settle(ctx, request, endpoint, transport, f);
                return;
            }
            hold(ctx);
            f.whenComplete((a, e) -> ctx.executor().execute(() -> settle(ctx, request, endpoint, transport, f)));
        }

        /** Upgrades or refuses once the admission is known; on the connection's loop. */
        private <A> void settle(ChannelHandlerContext ctx, HttpRequest request, Endpoint<A> endpoint, WebSocketTransport transport,
                CompletableFuture<A> admitted) {
            A admission;
            try {
                admission = admitted.join();
            } catch (RuntimeException e) {
                if (ctx.channel().isActive()) {
                    refuse(ctx, request, e);
                }
                return;
            }
            if (!ctx.channel().isActive()) {
                endpoint.cancel(admission);
                return;
            }
            String accept;
            try {
                accept = acceptKey(request);
                if (!endpoint.reservesItsPlace()) {
                    sockets.reserve();
                }
            } catch (RuntimeException e) {
                endpoint.cancel(admission);
                refuse(ctx, request, e);
                return;
            }
            DirectWebSocket socket = upgrade(ctx, endpoint, transport, accept);
            endpoint.open(socket, admission);
        }

        /** Answers the 101 and swaps the HTTP codec for the WebSocket one, reading again. */
        private DirectWebSocket upgrade(ChannelHandlerContext ctx, Endpoint<?> endpoint, WebSocketTransport transport, String accept) {
            FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                    Unpooled.EMPTY_BUFFER);
            switching.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, accept);
            ChannelPipeline p = ctx.pipeline();
            // encoded by the HTTP encoder now, so the encoder can go before anything else is written
            ctx.write(switching, ctx.voidPromise());
            String decoder = p.context(HttpRequestDecoder.class).name();
            // the encoder before the decoder, where every close frame passes
            p.addBefore(decoder, "ws-encoder", new OneCloseEncoder());
            // bytes the client sent after the request, and the request's empty end, flow on to the new decoder
            // (Netty's replace links the old decoder to the new one for what it still holds)
            p.replace(decoder, "ws-decoder", new WebSocket13FrameDecoder(
                    decoderConfigs.computeIfAbsent(endpoint, e -> decoderConfig(e.maxFrameBytes()))));
            // the validator drops a bad text frame and throws a CorruptedWebSocketFrameException, which the socket
            // closes with 1007 (InboundViolation); it sends nothing itself
            p.addBefore(ctx.name(), "ws-utf8", new Utf8FrameValidator(false));
            if (endpoint.maxMessageBytes() > 0) {
                // behind the UTF-8 validator, which must see each fragment
                p.addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(endpoint.maxMessageBytes()));
            }
            p.remove(HttpResponseEncoder.class);
            // Vert.x's connection handler: removing it lets its connection objects go (its h2c handler, when
            // there, removes itself once the request has passed; with compression off it adds no extension handler)
            p.remove("handler");
            DirectWebSocket socket = new DirectWebSocket(transport, sockets);
            p.replace(this, "herald-ws", socket);
            p.flush();
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            return socket;
        }

        private void refuse(ChannelHandlerContext ctx, HttpRequest request, Throwable failure) {
            refused = true;
            waiting = false;
            FullHttpResponse response;
            if (ErrorHandler.unwrap(failure) instanceof StatusRefusal r) {
                byte[] body = ErrorHandler.body(r.code(), r.message());
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                        Unpooled.wrappedBuffer(body));
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            } else {
                HeraldException e = errors.refusal(request.method().name(), path(request.uri()), failure);
                byte[] body = ErrorHandler.body(e);
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(e.code().httpStatus()), Unpooled.wrappedBuffer(body));
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                if (e.code() == ErrorCode.UPGRADE_REQUIRED) {
                    response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
                }
            }
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
    /** The {@code Sec-WebSocket-Accept} for the request's key (RFC 6455 §4.2.2), once the handshake is checked. */
    static String acceptKey(HttpRequest request) {
        String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        checkHandshake(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION), key);
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key.trim() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    /**
     * The one check of a WebSocket opening handshake's headers, for every upgrade whichever stack
     * answers it (RFC 6455 §4.2.1): version 13, and a key that is 16 bytes in base64.
     *
     * @throws HeraldException 426 {@code upgrade_required} for another version, 400 {@code bad_request} for a bad key
     */
    public static void checkHandshake(String version, String key) {
        if (!"13".equals(version == null ? null : version.trim())) {
            // 426, and the refusal names the version this server speaks
            throw new HeraldException(ErrorCode.UPGRADE_REQUIRED);
        }
        if (key == null || key.isBlank()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "Missing Sec-WebSocket-Key.");
        }
        String k = key.trim();
        // 16 bytes are 24 base64 characters, the last two padding
        boolean valid = k.length() == 24;
        if (valid) {
            try {
                valid = Base64.getDecoder().decode(k).length == 16;
            } catch (IllegalArgumentException e) {
                valid = false;
            }
        }
        if (!valid) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "Sec-WebSocket-Key must be 16 bytes in base64.");
        }
    }
}
