package io.herald.server;

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
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Takes WebSocket upgrades for some paths below Vert.x, so those sockets cost a Netty channel and a
 * few small objects instead of Vert.x's HTTP connection, request and WebSocket (several KiB each).
 * Every HTTP/1 connection gets an {@link Interceptor} in front of Vert.x's handler: it passes every
 * other request on, and answers an upgrade for one of its {@link Endpoint}s itself (the JSON error of a
 * refusal, or the 101), then swaps the HTTP codec for Netty's WebSocket codec and a
 * {@link DirectWebSocket}, and drops Vert.x's handler. One instance per event loop.
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
         * Checks the request before the 101; throws {@link HeraldException} to refuse it with that error's
         * status and JSON. {@code transport} is the socket's, not attached yet: what is sent on it is held.
         */
        A admit(QueryStringDecoder query, HttpRequest request, WebSocketTransport transport);

        /** Undoes {@link #admit} when the upgrade is refused after it (the connection cap). */
        default void cancel(A admission) {
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
    /** Each endpoint's frame decoder settings, made once (endpoints and their limits are fixed). */
    private final Map<Endpoint<?>, WebSocketDecoderConfig> decoderConfigs = new HashMap<>();

    /** {@code routes} maps a path (leading slashes collapsed) to its endpoint, or to null for Vert.x. */
    DirectUpgrades(Function<String, Endpoint<?>> routes, Sockets sockets, FrameWriter writer, ErrorHandler errors,
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
                .closeOnProtocolViolation(true)
                .build();
    }

    /** Puts an interceptor in front of {@code pipeline}'s Vert.x handler, if it is an HTTP/1 pipeline. */
    void install(ChannelPipeline pipeline) {
        if (pipeline.get(HttpRequestDecoder.class) != null && pipeline.context("handler") != null) {
            pipeline.addBefore("handler", "herald-upgrades", new Interceptor());
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

    /** The per-connection handler; after an upgrade it is replaced by the socket. */
    private final class Interceptor extends ChannelDuplexHandler {
        /** Requests handed to Vert.x whose response has not ended: an upgrade behind one stays Vert.x's. */
        private int unanswered;
        /** A refused upgrade's remaining parts are dropped while the connection closes. */
        private boolean refused;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                Endpoint<?> endpoint = unanswered == 0 ? endpointFor(request) : null;
                if (endpoint != null) {
                    take(ctx, request, endpoint);
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
        }

        private <A> void take(ChannelHandlerContext ctx, HttpRequest request, Endpoint<A> endpoint) {
            WebSocketTransport transport = new WebSocketTransport(writer, maxPendingBytes, meters, endpoint.primitive());
            A admission = null;
            String accept;
            try {
                admission = endpoint.admit(new QueryStringDecoder(request.uri()), request, transport);
                accept = acceptKey(request);
                sockets.reserve();
            } catch (RuntimeException e) {
                if (admission != null) {
                    endpoint.cancel(admission);
                }
                refuse(ctx, request, e);
                return;
            } finally {
                ReferenceCountUtil.release(request);
            }
            FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                    Unpooled.EMPTY_BUFFER);
            switching.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, accept);
            ChannelPipeline p = ctx.pipeline();
            // encoded by the HTTP encoder now, so the encoder can go before anything else is written
            ctx.write(switching, ctx.voidPromise());
            String decoder = p.context(HttpRequestDecoder.class).name();
            // the encoder before the decoder: the close a decoder sends on a protocol violation is encoded
            p.addBefore(decoder, "ws-encoder", new WebSocket13FrameEncoder(false));
            p.addBefore(decoder, "ws-one-close", new OneCloseFrame());
            // bytes the client sent after the request, and the request's empty end, flow on to the new decoder
            p.replace(decoder, "ws-decoder", new WebSocket13FrameDecoder(
                    decoderConfigs.computeIfAbsent(endpoint, e -> decoderConfig(e.maxFrameBytes()))));
            InboundGuard.install(p, ctx.name(), transport);
            if (endpoint.maxMessageBytes() > 0) {
                // behind the UTF-8 validator, which must see each fragment
                p.addAfter(InboundGuard.UTF8, "ws-aggregator", new WebSocketFrameAggregator(endpoint.maxMessageBytes()));
            }
            p.remove(HttpResponseEncoder.class);
            // Vert.x's connection handler: removing it lets its connection objects go (its h2c handler, when
            // there, removes itself once the request has passed; with compression off it adds no extension handler)
            p.remove("handler");
            DirectWebSocket socket = new DirectWebSocket(transport, sockets);
            p.replace(this, "herald-ws", socket);
            p.flush();
            endpoint.open(socket, admission);
        }

        private void refuse(ChannelHandlerContext ctx, HttpRequest request, RuntimeException failure) {
            refused = true;
            HeraldException e = errors.refusal(request.method().name(), path(request.uri()), failure);
            byte[] body = ErrorHandler.body(e);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(e.code().httpStatus()), Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            if (e.code() == ErrorCode.UPGRADE_REQUIRED) {
                response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            }
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
