package io.herald.server.transport;

import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.Meters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writer of one server WebSocket: writes each message's shared pre-encoded frame through its
 * loop's {@link FrameWriter} (one flush per socket per pass), enforces the outbound byte limit
 * (past it the socket is closed with 1013 and the drop counted), reports congestion at half that limit,
 * and tracks liveness for pings. The socket below is Herald's own Netty one ({@link DirectWebSocket}).
 * {@link #send} runs only on the socket's event loop.
 */
public final class WebSocketTransport extends FrameWriter.Target implements Connection, Sockets.Member {
    private static final AtomicLong IDS = new AtomicLong();
    private final int maxPendingBytes;
    private final FrameWriter writer;
    /** The handler context frames are written from: they pass the WebSocket encoder untouched. */
    private ChannelHandlerContext channel;
    private volatile Socket ws;
    /** Messages sent before the upgrade completed (rooms join before the 101 goes out). */
    private java.util.List<EncodedMessage> early;
    private int earlyBytes;
    private final Meters meters;
    private final String primitive;
    private final String id;
    private volatile boolean closed;
    private int closeCode;
    private String closeReason;
    private volatile long lastSeenNanos = System.nanoTime();

    /**
     * The control operations of the socket below a transport (shared frames go straight to its channel).
     * Called on the socket's loop.
     */
    public interface Socket {
        void writeText(String text);

        void writePing();

        /** Starts the closing handshake with {@code code}; the connection ends when it completes or times out. */
        void close(int code, String reason);

        /**
         * Fails the connection (RFC 6455 §7.1.7): sends a close frame with {@code code} unless one was sent,
         * and cuts the connection once it is written, without waiting for the peer's.
         */
        void fail(int code, String reason);
    }

    /** A transport whose socket is attached later, on its loop; sends until then are held (bounded). */
    public WebSocketTransport(FrameWriter writer, int maxPendingBytes, Meters meters, String primitive) {
        this.writer = writer;
        this.maxPendingBytes = maxPendingBytes;
        this.meters = meters;
        this.primitive = primitive;
        this.id = Long.toString(IDS.incrementAndGet(), 36);
    }

    /**
     * Attaches an upgraded socket whose frames are written from {@code ctx}, sets the channel's water
     * marks to (limit / 2, limit) and writes what was held. Called on the socket's loop.
     */
    void attach(ChannelHandlerContext ctx, Socket socket) {
        this.channel = ctx;
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxPendingBytes / 2, maxPendingBytes));
        this.ws = socket;
        if (early != null) {
            java.util.List<EncodedMessage> held = early;
            early = null;
            for (EncodedMessage m : held) {
                send(m);
            }
        }
        if (closed) {
            socket.close(closeCode, closeReason);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Executor executor() {
        return writer.loop();
    }

    /** Writes and flushes what the writer queued (called by the writer at the end of a pass). */
    @Override
    protected void flushNow() {
        writer.push(this, channel);
        channel.flush();
    }

    /** Pings the peer (liveness); nothing before the upgrade or after a close. */
    public void ping() {
        Socket s = ws;
        // a socket past its outbound limit is not reading: a ping would only add to what it owes
        if (s != null && !closed && channel.channel().isWritable()) {
            s.writePing();
        }
    }

    @Override
    public boolean send(EncodedMessage message) {
        if (closed) {
            return false;
        }
        if (ws == null) {
            if (early == null) {
                early = new java.util.ArrayList<>(4);
            }
            earlyBytes += message.length();
            if (earlyBytes > maxPendingBytes) {
                meters.dropped(primitive, "slow_consumer");
                close(ErrorCode.OVERLOADED, "slow consumer");
                return false;
            }
            early.add(message);
            return true;
        }
        if (!writable()) {
            return false;
        }
        writer.writeFrame(this, channel, message);
        return true;
    }

    /**
     * Whether the channel takes another write; past the outbound limit the socket is closed with 1013
     * and counted. Every write to the peer asks first, answers to its own frames included.
     */
    private boolean writable() {
        if (channel.channel().isWritable()) {
            return true;
        }
        if (!channel.channel().isActive()) {
            // the peer is gone and the channel has not told us yet: not a slow consumer, nothing to count
            markClosed();
            return false;
        }
        meters.dropped(primitive, "slow_consumer");
        close(ErrorCode.OVERLOADED, "slow consumer");
        return false;
    }

    /**
     * True while more than half the outbound limit waits in the channel, written or not yet flushed.
     * {@link #attach} sets the channel's water marks to (limit / 2, limit):
     * the channel turns unwritable once more than {@code limit} bytes are pending and writable again
     * below {@code limit / 2}, and {@link #send} closes the socket while it is unwritable. Netty's
     * {@code bytesBeforeUnwritable()} reads only volatile state (the outbound buffer's pending count,
     * the water mark, the writability flag) and is 0 while unwritable, so this is safe off the loop, and
     * false means the channel was writable with at most {@code limit / 2} pending: the other half is
     * the margin for what a room queues between this check and the loop writing it. Before the upgrade
     * completes, false (what is held then is bounded by the limit itself).
     */
    @Override
    public boolean congested() {
        if (ws == null || closed || !channel.channel().isActive()) {
            return false;
        }
        // ws is volatile and written after channel, so channel is visible here
        return congested(channel.channel());
    }

    /** More than half of {@code ch}'s high water mark pending, or {@code ch} not writable; thread-safe. */
    static boolean congested(Channel ch) {
        long high = ch.config().getWriteBufferHighWaterMark();
        return ch.bytesBeforeUnwritable() <= high - high / 2;
    }

    /**
     * Sends a small text frame (control replies such as {@code pong}) under the same outbound limit as
     * {@link #send}: a client that asks and never reads is closed with 1013, not answered without bound.
     */
    public void sendText(String text) {
        if (!closed && ws != null && writable()) {
            // on the loop (handlers call it there): frames the writer holds go first, in order
            writer.push(this, channel);
            ws.writeText(text);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (closed) {
            return;
        }
        closeCode = code;
        closeReason = reason;
        closed = true;
        Socket s = ws;
        if (s != null) {
            onLoop(() -> closeOnLoop(s));
        }
    }

    /** Runs {@code task} on the socket's loop: at once when called there, so a close keeps its place among the writes. */
    private void onLoop(Runnable task) {
        if (writer.loop().inEventLoop()) {
            task.run();
        } else {
            writer.loop().execute(task);
        }
    }

    /** The close frame goes after the frames the writer holds for this socket. */
    private void closeOnLoop(Socket s) {
        writer.push(this, channel);
        s.close(closeCode, closeReason);
    }

    /** Marks the socket closed by the peer or the network. */
    public void markClosed() {
        closed = true;
        if (writer.loop().inEventLoop()) {
            writer.discard(this);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * The one inbound-violation path: closes the socket with the close code the error table gives
     * {@code violation}, and {@code detail} as the reason (the violation's own when null). Every place that
     * finds a client at fault calls this: the socket's pipeline for what Netty's decoder, UTF-8 validator
     * and aggregator report ({@link DirectWebSocket}), and rooms for their size and rate limits. A violation
     * that leaves the frame stream unreadable fails the connection (the close frame, then the cut);
     * the others start the closing handshake as {@link #close} does. Callable from any thread.
     */
    public void violated(InboundViolation violation, String detail) {
        String reason = detail == null || detail.isEmpty() ? violation.reason() : detail;
        int code = violation.code().closeCode();
        if (!violation.failsConnection()) {
            close(code, reason);
            return;
        }
        // even when a close is under way: its answer can no longer be read
        if (!closed) {
            closeCode = code;
            closeReason = reason;
            closed = true;
        }
        Socket s = ws;
        if (s != null) {
            onLoop(() -> failOnLoop(s, code, reason));
        }
    }

    /** The close frame goes after the frames the writer holds for this socket, and nothing after it. */
    private void failOnLoop(Socket s, int code, String reason) {
        writer.push(this, channel);
        s.fail(code, reason);
    }

    /** Records that the peer sent something (any frame, including pong). */
    public void touch() {
        lastSeenNanos = System.nanoTime();
    }

    public long lastSeenNanos() {
        return lastSeenNanos;
    }
}
