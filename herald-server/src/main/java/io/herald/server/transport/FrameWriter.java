package io.herald.server.transport;

import io.herald.EncodedMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import java.nio.ByteBuffer;

/**
 * Writes shared, pre-encoded messages for every connection of one event loop (WebSocket frames, SSE
 * chunks) and coalesces the flushes: a connection written during a loop pass is flushed once, when
 * the pass has run all its tasks, so the messages of every fan-out that pass ran leave in one syscall
 * per connection under load, and at once when idle. The flush goes {@link #FLUSH_CHUNK} connections
 * at a time, with the tasks queued meanwhile run between turns. With a flush delay ({@code server.flushDelayMicros})
 * the flush waits that long for more frames instead, trading latency for fewer writes. Confined to its
 * event loop.
 */
public final class FrameWriter {
    /**
     * A connection with this many unflushed frames, or {@link #MAX_UNFLUSHED_BYTES}, is flushed at once:
     * a long pass must not hold so much for one socket that its outbound limit trips.
     */
    public static final int MAX_UNFLUSHED_FRAMES = 64;
    public static final int MAX_UNFLUSHED_BYTES = 32 * 1024;
    /** Frames up to this size are copied together; larger ones are written as they are (the copy would cost more than the entry). */
    static final int MAX_GATHERED_FRAME = 2048;
    private static final int GATHER_INITIAL = 1024;

    private final EventLoop loop;
    /** Netty's end-of-pass hook when the loop has one (every NIO, epoll and io_uring loop does), else null. */
    private final SingleThreadEventLoop passEnd;
    /** 0: flush at the end of the pass; else how long the first frame of a batch waits for others. */
    private final long flushDelayNanos;
    /**
     * Sockets flushed per turn: between turns the loop runs its queued tasks and I/O. ~2.5 ms of
     * loopback writes here; one turn over 5 000 sockets held every task of the loop for ~60 ms.
     */
    static final int FLUSH_CHUNK = 256;

    /**
     * The connections written since their last flush, in the order they were listed, and beside
     * each, at the same index, what the writer holds for it: a shared frame not yet handed to Netty
     * ({@link #gathered} false; written as a duplicate if it stays alone) or this round's small frames
     * copied into one buffer ({@link #gathered} true). The buffers live in these arrays, not in the
     * connections: a reference stored into a long-lived connection object costs G1 a dirty card to
     * refine, one per socket per pass (~10 % of the server's CPU at N = 10 000), where stores into one
     * array dirty a card per 128 sockets.
     */
    private Target[] dirty = new Target[64];
    private ByteBuf[] held = new ByteBuf[64];
    private boolean[] gathered = new boolean[64];
    /**
     * The list is a ring: {@link #head} is the next to flush and {@link #count} are waiting. Under a
     * steady load a round never ends (each turn lets in fan-outs that re-list the sockets it flushed), so
     * a list only appended to would grow without end; the ring holds at most one entry per connection.
     */
    private int head;
    private int count;
    private final Runnable flushTask = this::flushAll;
    private boolean flushScheduled;
    private long flushes;

    /**
     * A connection whose writes a {@link FrameWriter} queues: the writer lists it when it queues a write
     * and calls {@link #flushNow} once at the end of the pass. Confined to the writer's loop.
     */
    public abstract static class Target {
        /** Its index in the writer's list while written since its last flush, else -1; owned by the writer. */
        int slot = -1;
        int unflushedFrames;
        int unflushedBytes;

        /** Flushes what the writer queued on this connection's channel (called by the writer only). */
        protected abstract void flushNow();
    }

    public FrameWriter(EventLoop loop) {
        this(loop, 0);
    }

    public FrameWriter(EventLoop loop, long flushDelayNanos) {
        this.loop = loop;
        this.passEnd = loop instanceof SingleThreadEventLoop st ? st : null;
        this.flushDelayNanos = flushDelayNanos;
    }

    /** The loop whose connections this writer serves; fan-out groups connections by it. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Queues {@code message}'s WebSocket frame for the transport; the flush comes at the end of the pass.
     * Small frames of one pass are gathered into one buffer, so the socket costs one pass through the
     * Netty pipeline and one outbound-buffer entry per pass instead of one per message.
     */
    void writeFrame(WebSocketTransport t, ChannelHandlerContext ch, EncodedMessage message) {
        ByteBuf frame = message.transportForm(FrameWriter.class, FrameWriter::encodeFrame);
        int len = frame.readableBytes();
        if (len > MAX_GATHERED_FRAME) {
            push(t, ch);
            ch.write(frame.duplicate(), ch.voidPromise());
            queued(t, len);
            return;
        }
        int slot = enlist(t);
        ByteBuf first = held[slot];
        if (first == null) {
            held[slot] = frame;
        } else if (gathered[slot]) {
            first.writeBytes(frame, frame.readerIndex(), len);
        } else {
            ByteBuf g = ch.alloc().directBuffer(Math.max(GATHER_INITIAL, first.readableBytes() + len));
            g.writeBytes(first, first.readerIndex(), first.readableBytes());
            g.writeBytes(frame, frame.readerIndex(), len);
            held[slot] = g;
            gathered[slot] = true;
        }
        queued(t, len);
    }

    /** Hands what {@code t} holds for this pass to Netty, without flushing (before a write that bypasses the writer). */
    void push(Target t, ChannelHandlerContext ch) {
        int slot = t.slot;
        if (slot >= 0 && held[slot] != null) {
            ByteBuf b = held[slot];
            held[slot] = null;
            ch.write(gathered[slot] ? b : b.duplicate(), ch.voidPromise());
            gathered[slot] = false;
        }
    }

    /** Drops what {@code t} holds (its peer is gone). */
    void discard(Target t) {
        int slot = t.slot;
        if (slot >= 0 && held[slot] != null) {
            if (gathered[slot]) {
                held[slot].release();
            }
            held[slot] = null;
            gathered[slot] = false;
        }
    }

    /** Lists {@code t} as written since its last flush, if it is not yet; returns its index. */
    private int enlist(Target t) {
        if (t.slot >= 0) {
            return t.slot;
        }
        if (count == dirty.length) {
            grow();
        }
        int slot = (head + count) & (dirty.length - 1);
        dirty[slot] = t;
        t.slot = slot;
        count++;
        return slot;
    }

    /** Doubles the ring, its waiting entries moved to the front in order. */
    private void grow() {
        int n = dirty.length;
        Target[] d = new Target[2 * n];
        ByteBuf[] h = new ByteBuf[2 * n];
        boolean[] g = new boolean[2 * n];
        for (int i = 0; i < count; i++) {
            int from = (head + i) & (n - 1);
            d[i] = dirty[from];
            h[i] = held[from];
            g[i] = gathered[from];
            d[i].slot = i;
        }
        dirty = d;
        held = h;
        gathered = g;
        head = 0;
    }

    /** Connections the ring has room for before it grows (for tests). */
    int capacity() {
        return dirty.length;
    }

    /** Connections waiting for their flush (for tests; read on the loop). */
    int waiting() {
        return count;
    }

    /**
     * Queues {@code msg} on {@code ch} (the handler context of {@code t}'s connection) without flushing;
     * {@code t} is flushed once, at the end of the pass (or sooner, past the unflushed caps). Call on
     * this writer's loop, which must be the channel's.
     */
    public void write(Target t, ChannelHandlerContext ch, Object msg, ChannelPromise promise) {
        int bytes = msg instanceof ByteBuf b ? b.readableBytes()
                : msg instanceof io.netty.buffer.ByteBufHolder h ? h.content().readableBytes() : 0;
        ch.write(msg, promise);
        queued(t, bytes);
    }

    private void queued(Target t, int bytes) {
        if (++t.unflushedFrames >= MAX_UNFLUSHED_FRAMES || (t.unflushedBytes += bytes) >= MAX_UNFLUSHED_BYTES) {
            // stays in the dirty list if there: the end of the pass skips a target with nothing unflushed
            flush(t);
            return;
        }
        enlist(t);
        if (!flushScheduled) {
            flushScheduled = true;
            if (flushDelayNanos > 0) {
                loop.schedule(flushTask, flushDelayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            } else if (passEnd != null) {
                passEnd.executeAfterEventLoopIteration(flushTask);
            } else {
                loop.execute(flushTask);
            }
        }
    }

    private void flushAll() {
        flushScheduled = false;
        for (int n = Math.min(count, FLUSH_CHUNK); n > 0; n--) {
            Target t = dirty[head];
            if (t.unflushedFrames > 0) {
                flush(t);
            }
            // a listener run by the flush may have written again, even grown the ring: t.slot is current
            int slot = t.slot;
            ByteBuf b = held[slot];
            boolean g = gathered[slot];
            dirty[slot] = null;
            held[slot] = null;
            gathered[slot] = false;
            head = (slot + 1) & (dirty.length - 1);
            count--;
            t.slot = -1;
            if (b != null || t.unflushedFrames > 0) {
                // written again while it flushed: listed again at the end, flushed this round
                int again = enlist(t);
                held[again] = b;
                gathered[again] = g;
            }
        }
        if (count > 0) {
            // the rest after the tasks that arrived meanwhile: a publish's response and the next fan-outs
            // run now, not after thousands of writes, and add their frames to the sockets still waiting
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flush(Target t) {
        t.unflushedFrames = 0;
        t.unflushedBytes = 0;
        t.flushNow();
        flushes++;
    }

    /** Connection flushes made so far (one per connection per pass); read it on the loop. For tests and diagnostics. */
    public long flushes() {
        return flushes;
    }

    /**
     * The whole server-to-client frame (unmasked, FIN, one frame) in one direct buffer that no write
     * releases: made once per message, duplicated per socket, so no socket copies or re-encodes it.
     * A direct buffer spares Netty a heap-to-direct copy per write; its memory is freed by the GC.
     */
    static ByteBuf encodeFrame(EncodedMessage m) {
        byte[] payload = m.bytes();
        int len = payload.length;
        int header = len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocateDirect(header + len);
        b.put((byte) (0x80 | (m.isText() ? 0x1 : 0x2)));
        if (len < 126) {
            b.put((byte) len);
        } else if (len <= 0xFFFF) {
            b.put((byte) 126).putShort((short) len);
        } else {
            b.put((byte) 127).putLong(len);
        }
        b.put(payload).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(b));
    }
}
