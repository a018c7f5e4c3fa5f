package io.herald.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open WebSockets, kept per event loop so one message costs one task per loop, not one per
 * socket. Inside the task each socket gets the frame's bytes: {@link Flush#NAIVE} writes and flushes
 * per socket per message; {@link Flush#COALESCE} only writes, and each loop flushes the sockets it
 * wrote to once at the end of its pass, however many messages that pass carried. Each loop's list
 * and dirty set are touched only on that loop. Thread-safe.
 */
final class Sockets {
    /** When a written frame goes to the kernel. */
    enum Flush {
        /** A flush per socket per message: one write system call per delivery. */
        NAIVE,
        /** Writes only; one flush per written socket at the end of the event loop's pass. */
        COALESCE
    }

    private final Map<EventLoop, List<Channel>> byLoop = new ConcurrentHashMap<>();
    private final Map<EventLoop, LoopFlush> flushes = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final Flush flush;

    Sockets(Flush flush) {
        this.flush = flush;
    }

    Flush flush() {
        return flush;
    }

    /** Adds an upgraded channel; call on its loop. It leaves when it closes. */
    void add(Channel ch) {
        List<Channel> list = byLoop.computeIfAbsent(ch.eventLoop(), l -> new ArrayList<>());
        list.add(ch);
        count.incrementAndGet();
        ch.closeFuture().addListener(f -> {
            list.remove(ch);
            count.decrementAndGet();
        });
    }

    int size() {
        return count.get();
    }

    /**
     * Writes one frame of {@code payload} ({@code binary} or text) to every socket but {@code except}
     * (may be null). The frame is encoded once; every socket writes a duplicate of the same bytes.
     *
     * @return the sockets it was sent to
     */
    int fanOut(ByteBufAllocator alloc, ByteBuf payload, boolean binary, Channel except) {
        ByteBuf frame = encode(alloc, payload, binary);
        int n = 0;
        try {
            for (Map.Entry<EventLoop, List<Channel>> e : byLoop.entrySet()) {
                List<Channel> channels = e.getValue();
                n += channels.size();
                frame.retain();
                EventLoop loop = e.getKey();
                loop.execute(() -> {
                    try {
                        if (flush == Flush.NAIVE) {
                            for (Channel c : channels) {
                                if (c != except) {
                                    c.writeAndFlush(frame.retainedDuplicate(), c.voidPromise());
                                }
                            }
                        } else {
                            for (Channel c : channels) {
                                if (c != except) {
                                    c.write(frame.retainedDuplicate(), c.voidPromise());
                                }
                            }
                            flushes.computeIfAbsent(loop, l -> new LoopFlush(l, channels)).schedule();
                        }
                    } finally {
                        frame.release();
                    }
                });
            }
        } finally {
            frame.release();
        }
        return except == null ? n : n - 1;
    }

    /** An unmasked final text or binary frame: RFC 6455 header, then the payload. */
    private static ByteBuf encode(ByteBufAllocator alloc, ByteBuf payload, boolean binary) {
        int length = payload.readableBytes();
        ByteBuf frame = alloc.directBuffer(length + 10);
        frame.writeByte(binary ? 0x82 : 0x81);
        if (length < 126) {
            frame.writeByte(length);
        } else if (length <= 0xffff) {
            frame.writeByte(126);
            frame.writeShort(length);
        } else {
            frame.writeByte(127);
            frame.writeLong(length);
        }
        frame.writeBytes(payload, payload.readerIndex(), length);
        return frame;
    }

    void closeAll() {
        byLoop.forEach((loop, channels) -> loop.execute(() -> new ArrayList<>(channels).forEach(Channel::close)));
    }

    /**
     * Flushes one loop's sockets once, in a task Netty runs after the loop's I/O and tasks of its current pass
     * ({@link SingleThreadEventLoop#executeAfterEventLoopIteration}): the place a hand-written server flushes.
     * Every fan-out writes to every socket of the loop (but a sender), so all of them are flushed; one with
     * nothing written (the sender) costs no system call. Confined to its loop.
     */
    private static final class LoopFlush implements Runnable {
        private final SingleThreadEventLoop loop;
        private final List<Channel> channels;
        private boolean scheduled;

        LoopFlush(EventLoop loop, List<Channel> channels) {
            this.loop = (SingleThreadEventLoop) loop;
            this.channels = channels;
        }

        void schedule() {
            if (!scheduled) {
                scheduled = true;
                loop.executeAfterEventLoopIteration(this);
            }
        }

        @Override
        public void run() {
            scheduled = false;
            for (int i = 0; i < channels.size(); i++) {
                channels.get(i).flush();
            }
        }
    }
}
