package io.herald.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The one place Herald reaches into Vert.x's internal types. Vert.x's public API hides the Netty channel below an
 * HTTP connection and the event loop below a context; Herald needs both because it serves its sockets on that
 * channel itself (a socket costs a few small objects instead of Vert.x's several KiB) and writes frames from that
 * loop. Each method names the internal type it relies on, so a Vert.x upgrade that moves one breaks here only.
 * Stateless.
 */
public final class VertxInternals {
    private VertxInternals() {
    }

    /** The Netty pipeline of {@code connection} ({@code ConnectionBase}): where the guards and the upgrade interceptor go. */
    public static ChannelPipeline pipeline(HttpConnection connection) {
        return ((ConnectionBase) connection).channel().pipeline();
    }

    /**
     * The handler context Vert.x writes {@code connection}'s responses from, or null when the connection is not one of
     * Vert.x's own ({@code ConnectionBase}), e.g. behind vertx-web's wrappers for HTTP/2.
     */
    static ChannelHandlerContext handlerContext(HttpConnection connection) {
        return connection instanceof ConnectionBase c ? c.channelHandlerContext() : null;
    }

    /** The Netty event loop that runs {@code context} ({@code ContextInternal}). */
    public static EventLoop eventLoop(Context context) {
        return ((ContextInternal) context).nettyEventLoop();
    }

    /** A Vert.x buffer over {@code bytes} without a copy ({@code BufferInternal}): a shared frame written through Vert.x. */
    static Buffer wrap(ByteBuf bytes) {
        return BufferInternal.buffer(bytes);
    }
}
