package io.herald.server.transport;

import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.Meters;
import io.herald.channel.SseCodec;
import io.herald.server.transport.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The writer of one SSE stream: writes shared event frames, closes the stream when the reader falls
 * more than the outbound byte limit behind (counted as a drop), and sends {@code : keepalive} when
 * nothing was written for a heartbeat interval (the first one a full interval after connect).
 * {@link #send} runs only on the stream's event loop.
 *
 * <p>On an HTTP/1.1 connection of the writer's loop (the usual case) the head goes out through Vert.x
 * ({@link HttpServerResponse#writeHead}, so Vert.x's response state stays its own) and every event is
 * then written as a chunk straight on the connection's handler context, through the loop's
 * {@link FrameWriter}: one flush per stream per pass, as for WebSockets. Vert.x's response encoder
 * frames each chunk, so Vert.x can still end the response (its last chunk follows these) or reset it.
 * Nothing overtakes anything: every write happens on the connection's loop, and Vert.x holds a write
 * of its own back only while the channel is not writable, when this transport writes nothing (it
 * closes the stream). Vert.x's {@code bytesWritten()} does not count these chunks. Otherwise (HTTP/2,
 * HTTP/1.0) events go through {@link HttpServerResponse#write}, which flushes each one.
 */
public final class SseTransport extends FrameWriter.Target implements Connection {
    private final HttpServerResponse response;
    private final FrameWriter writer;
    /** The connection's handler context (Vert.x's HTTP handler) when events go through the writer; null otherwise. */
    private final ChannelHandlerContext channel;
    /**
     * The promise of those writes: void, and one that does not fire a failed write into the pipeline,
     * where Vert.x would log each failed chunk of a closing connection (its own writes carry promises
     * nobody reads). A write fails only when the connection is going away, which the close handler reports.
     */
    private final ChannelPromise writePromise;
    private final Vertx vertx;
    private final long heartbeatMs;
    private final Meters meters;
    private final String id;
    private volatile boolean closed;
    private long lastWriteNanos = System.nanoTime();
    private long timer = -1;
    private Runnable onClose = () -> { };

    public SseTransport(HttpServerRequest request, HttpServerResponse response, FrameWriter writer, Vertx vertx, long heartbeatMs,
                 int maxPendingBytes, Meters meters, String id) {
        this.response = response;
        this.writer = writer;
        this.channel = directChannel(request, writer.loop());
        this.writePromise = channel == null ? null : new VoidChannelPromise(channel.channel(), false);
        this.vertx = vertx;
        this.heartbeatMs = heartbeatMs;
        this.meters = meters;
        this.id = id;
        response.setWriteQueueMaxSize(maxPendingBytes);
        response.closeHandler(v -> closed());
        response.exceptionHandler(e -> closed());
    }

    /**
     * The handler context of {@code request}'s connection when its events can be written there: an
     * HTTP/1.1 connection (Vert.x's own, see {@link VertxInternals}) served by {@code loop}, the thread this
     * runs on. vertx-web's request wrapper delegates {@code connection()} to Vert.x's request.
     */
    static ChannelHandlerContext directChannel(HttpServerRequest request, EventLoop loop) {
        ChannelHandlerContext ctx = request.version() == HttpVersion.HTTP_1_1 ? VertxInternals.handlerContext(request.connection()) : null;
        return ctx != null && ctx.executor() == loop && loop.inEventLoop() ? ctx : null;
    }

    /**
     * Writes the response head (through Vert.x, with the headers set by then), arms the heartbeat and
     * remembers what to do when the stream ends. Call on the loop, in the request handler: every send is
     * a task queued on this loop, so none runs before this.
     */
    public void start(Runnable whenClosed) {
        this.onClose = whenClosed;
        if (closed) {
            // the reader left between the subscribe and now: nothing would ever unsubscribe it
            whenClosed.run();
            return;
        }
        if (channel != null) {
            // chunked (set by the caller); the events written on the channel come after it
            response.writeHead();
        }
        schedule(heartbeatMs);
    }

    private void schedule(long delayMs) {
        timer = vertx.setTimer(Math.max(1, delayMs), t -> {
            if (closed) {
                return;
            }
            long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastWriteNanos);
            if (idleMs >= heartbeatMs) {
                send(SseCodec.KEEPALIVE);
                schedule(heartbeatMs);
            } else {
                schedule(heartbeatMs - idleMs);
            }
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Executor executor() {
        return writer.loop();
    }

    @Override
    public boolean send(EncodedMessage message) {
        if (closed) {
            return false;
        }
        ByteBuf shared = message.transportForm(SseTransport.class, SseTransport::shared);
        if (channel != null) {
            // unflushed bytes count too: past server.maxPendingBytes the channel is not writable
            if (!channel.channel().isWritable()) {
                return overloaded();
            }
            // HTTP/1.1 chunk framing by Vert.x's response encoder, behind the head it wrote
            writer.write(this, channel, new DefaultHttpContent(shared.duplicate()), writePromise);
        } else {
            if (response.writeQueueFull()) {
                return overloaded();
            }
            response.write(VertxInternals.wrap(shared));
        }
        lastWriteNanos = System.nanoTime();
        return true;
    }

    private boolean overloaded() {
        meters.dropped("channels", "slow_consumer");
        close(ErrorCode.OVERLOADED, "slow consumer");
        return false;
    }

    @Override
    protected void flushNow() {
        channel.flush();
    }

    /**
     * The frame's bytes in one direct buffer that no write releases, made once per message and written
     * by every stream (each writes a duplicate or a slice of it): no per-subscriber copy, and no
     * heap-to-direct copy in Netty. Its memory is freed by the GC.
     */
    static ByteBuf shared(EncodedMessage m) {
        ByteBuffer b = ByteBuffer.allocateDirect(m.length()).put(m.bytes()).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(b));
    }

    @Override
    public void close(int closeCode, String reason) {
        if (!closed) {
            response.reset();
            closed();
        }
    }

    private void closed() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        onClose.run();
    }
}
