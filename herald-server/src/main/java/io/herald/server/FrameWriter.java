package io.herald.server;

import io.herald.EncodedMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes shared, pre-encoded messages for every connection of one event loop (WebSocket frames, SSE
 * chunks) and coalesces the flushes: a connection written during a pass is flushed once, by a task
 * queued behind the fan-out tasks already waiting, so several messages for one connection leave in one
 * syscall under load and at once when idle. Confined to its event loop.
 */
public final class FrameWriter {
    private final EventLoop loop;
    private final List<Target> dirty = new ArrayList<>();
    private final Runnable flushTask = this::flushAll;
    private boolean flushScheduled;
    private long flushes;

    /**
     * A connection whose writes a {@link FrameWriter} queues: the writer marks it when it queues a write
     * and calls {@link #flushNow} once at the end of the pass. Confined to the writer's loop.
     */
    public abstract static class Target {
        /** Written since the last flush; owned by the writer. */
        boolean dirty;

        /** Flushes what the writer queued on this connection's channel (called by the writer only). */
        protected abstract void flushNow();
    }

    public FrameWriter(EventLoop loop) {
        this.loop = loop;
    }

    /** The loop whose connections this writer serves; fan-out groups connections by it. */
    public EventLoop loop() {
        return loop;
    }

    /** Queues {@code message}'s WebSocket frame on the transport's channel; the flush comes at the end of the pass. */
    void writeFrame(WebSocketTransport t, ChannelHandlerContext ch, EncodedMessage message) {
        ByteBuf frame = message.transportForm(FrameWriter.class, FrameWriter::encodeFrame);
        write(t, ch, frame.duplicate(), ch.voidPromise());
    }

    /**
     * Queues {@code msg} on {@code ch} (the handler context of {@code t}'s connection) without flushing;
     * {@code t} is flushed once, at the end of the pass. Call on this writer's loop, which must be the
     * channel's.
     */
    public void write(Target t, ChannelHandlerContext ch, Object msg, ChannelPromise promise) {
        ch.write(msg, promise);
        if (!t.dirty) {
            t.dirty = true;
            dirty.add(t);
        }
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushAll() {
        flushScheduled = false;
        int n = dirty.size();
        for (int i = 0; i < n; i++) {
            Target t = dirty.get(i);
            t.dirty = false;
            t.flushNow();
        }
        flushes += n;
        dirty.clear();
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
