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
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The writer of one SSE stream: writes shared event frames, closes the stream when the reader falls
 * more than the outbound byte limit behind (counted as a drop), and sends {@code : keepalive} when
 * nothing was written for a heartbeat interval (the first one a full interval after connect).
 * {@link #send} runs only on the stream's event loop.
 *
 * <p>Keepalives come from the loop's {@link #keepalives} sweep, which the stream joins when it starts
 * and leaves when it closes: no timer per stream. The sweep checks each stream every 0.4 heartbeat
 * interval ({@link #ROUND_FIFTHS}), so a keepalive comes 1 to 1.4 intervals after
 * the last write: at most 0.4 interval late, and an idle stream gets one every 1.2 intervals (three
 * rounds). Not a round of exactly half an interval: the second check after a keepalive would then fall
 * right on the interval, and timer jitter alone would decide between 1 and 1.5 intervals. A reader
 * cannot answer a keepalive, so a stream is never closed for silence: a dead reader shows up as a
 * failed write (the connection closes) or as the outbound limit.
 *
 * <p>On an HTTP/1.1 connection of the writer's loop (the usual case) the head goes out through Vert.x
 * ({@link HttpServerResponse#writeHead}), and then the connection leaves Vert.x: {@link SseStream} takes
 * the pipeline, and every event is written as an HTTP/1.1 chunk straight on the channel through the
 * loop's {@link FrameWriter}, one flush per stream per pass, as for WebSockets. Vert.x's connection,
 * request and response objects and its HTTP codec then no longer cost an idle stream about 2 KiB; the
 * chunk framing is in the event's shared bytes, made once per message for every stream. Nothing
 * overtakes anything: every write happens on the connection's loop. Otherwise (HTTP/2, HTTP/1.0, a
 * stream of another loop) events go through {@link HttpServerResponse#write}, which flushes each one.
 */
public final class SseTransport extends FrameWriter.Target implements Connection, LivenessSweep.Member {
    /** Vert.x's response, until the stream takes the connection: then null, so that Vert.x's objects can go. */
    private HttpServerResponse response;
    private final FrameWriter writer;
    /** Vert.x's handler context of the connection until the stream takes it at {@link #start}, when it can; else null. */
    private ChannelHandlerContext vertx;
    /** The context the stream's chunks are written from once it left Vert.x ({@link SseStream}); null on Vert.x's path. */
    private ChannelHandlerContext stream;
    /**
     * The promise of those writes: void, and one that does not fire a failed write into the pipeline. A
     * write fails only when the connection is going away, which the stream's close reports.
     */
    private final ChannelPromise writePromise;
    private final LivenessSweep<SseTransport> sweep;
    private final Meters meters;
    private final String id;
    private volatile boolean closed;
    private long lastWriteNanos = System.nanoTime();
    private Runnable onClose = () -> { };

    /**
     * A stream written through {@code writer} whose keepalives come from {@code keepalives}: both of the
     * loop this runs on (the request's).
     */
    public SseTransport(HttpServerRequest request, HttpServerResponse response, FrameWriter writer,
                 LivenessSweep<SseTransport> keepalives, int maxPendingBytes, Meters meters, String id) {
        this.response = response;
        this.writer = writer;
        this.vertx = directChannel(request, writer.loop());
        this.writePromise = vertx == null ? null : new VoidChannelPromise(vertx.channel(), false);
        this.sweep = keepalives;
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

    /** Numerator of the keepalive sweep's round, in fifths of the heartbeat interval (see the class comment). */
    static final int ROUND_FIFTHS = 2;

    /**
     * The keepalive sweep of one event loop's streams: a stream that wrote nothing for {@code heartbeatMs}
     * gets {@code : keepalive}, checked every 0.4 × {@code heartbeatMs}. Start it on the loop
     * ({@link LivenessSweep#start}) and give it to the streams of that loop.
     */
    public static LivenessSweep<SseTransport> keepalives(long heartbeatMs) {
        long heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMs);
        return new LivenessSweep<>(heartbeatMs * ROUND_FIFTHS / 5, (t, now) -> t.keepaliveIfIdle(now, heartbeatNanos));
    }

    /** Sends {@code : keepalive} when nothing was written for {@code heartbeatNanos}. */
    private void keepaliveIfIdle(long now, long heartbeatNanos) {
        if (!closed && now - lastWriteNanos >= heartbeatNanos) {
            send(SseCodec.KEEPALIVE);
        }
    }

    /**
     * Writes the response head (through Vert.x, with the headers set by then), takes the connection from
     * Vert.x when it can, joins the keepalive sweep and remembers what to do when the stream ends. Call on
     * the loop, in the request handler: every send is a task queued on this loop, so none runs before this.
     */
    public void start(Runnable whenClosed) {
        this.onClose = whenClosed;
        if (closed) {
            // the reader left between the subscribe and now: nothing would ever unsubscribe it
            whenClosed.run();
            return;
        }
        if (vertx != null) {
            // chunked (set by the caller); the events written on the channel come after it
            response.writeHead();
            stream = SseStream.take(vertx.pipeline(), this::closed);
            if (stream != null) {
                // Vert.x would have flushed the head at the end of its read, which it no longer sees
                stream.flush();
                // its connection holds the request, its headers and the response: about 2 KiB an idle stream
                response = null;
            }
            vertx = null;
        }
        // the first keepalive a full interval after the stream was made (lastWriteNanos), or after its last write
        sweep.add(this);
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
        if (message.length() == 0) {
            // an empty chunk would end the response
            return true;
        }
        Frames frames = message.transportForm(SseTransport.class, SseTransport::frames);
        if (stream != null) {
            // unflushed bytes count too: past server.maxPendingBytes the channel is not writable
            if (!stream.channel().isWritable()) {
                return overloaded();
            }
            writer.write(this, stream, frames.chunk().duplicate(), writePromise);
        } else {
            if (response.writeQueueFull()) {
                return overloaded();
            }
            response.write(VertxInternals.wrap(frames.event()));
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
        stream.flush();
    }

    /**
     * An event's bytes for every stream, made once per message: {@code chunk} framed as an HTTP/1.1 chunk
     * (size line, bytes, CRLF) for the streams Herald writes, {@code event} the bytes alone, a slice of it,
     * for Vert.x's path. Both are in one direct buffer that no write releases, and each stream writes a
     * duplicate: no per-subscriber copy, and no heap-to-direct copy in Netty. Its memory is freed by the GC.
     */
    record Frames(ByteBuf chunk, ByteBuf event) {
    }

    static Frames frames(EncodedMessage m) {
        byte[] size = (Integer.toHexString(m.length()) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocateDirect(size.length + m.length() + 2)
                .put(size).put(m.bytes()).put((byte) '\r').put((byte) '\n').flip();
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(b));
        return new Frames(chunk, chunk.slice(size.length, m.length()));
    }

    @Override
    public void close(int closeCode, String reason) {
        if (!closed) {
            // stream and response change on the loop (start): read there
            EventLoop loop = writer.loop();
            if (loop.inEventLoop()) {
                endConnection();
            } else {
                loop.execute(this::endConnection);
            }
            closed();
        }
    }

    /**
     * Ends the connection, as Vert.x's reset of an HTTP/1 response does: a reader past the outbound limit
     * would never take a last chunk, and would hold the connection open waiting for it. On the loop.
     */
    private void endConnection() {
        if (stream != null) {
            stream.close();
        } else if (response != null) {
            response.reset();
        }
    }

    private void closed() {
        if (closed) {
            return;
        }
        closed = true;
        // the sweep is the loop's; a close may come from any thread (before start, remove finds nothing)
        EventLoop loop = writer.loop();
        if (loop.inEventLoop()) {
            sweep.remove(this);
        } else {
            loop.execute(() -> sweep.remove(this));
        }
        onClose.run();
    }
}
