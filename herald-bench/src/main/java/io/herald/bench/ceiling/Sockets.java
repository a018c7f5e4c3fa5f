package io.herald.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open WebSockets, kept per event loop so one message costs one task per loop, not one per
 * socket; inside the task each socket gets the frame's bytes with its own write and flush. Each
 * loop's list is touched only on that loop. Thread-safe.
 */
final class Sockets {
    private final Map<EventLoop, List<Channel>> byLoop = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

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
     * Writes one text frame of {@code payload} to every socket but {@code except} (may be null). The
     * frame is encoded once; every socket writes a duplicate of the same bytes and flushes.
     *
     * @return the sockets it was sent to
     */
    int fanOut(ByteBufAllocator alloc, ByteBuf payload, Channel except) {
        ByteBuf frame = encode(alloc, payload);
        int n = 0;
        try {
            for (Map.Entry<EventLoop, List<Channel>> e : byLoop.entrySet()) {
                List<Channel> channels = e.getValue();
                n += channels.size();
                frame.retain();
                e.getKey().execute(() -> {
                    try {
                        for (Channel c : channels) {
                            if (c != except) {
                                c.writeAndFlush(frame.retainedDuplicate(), c.voidPromise());
                            }
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

    /** An unmasked final text frame: RFC 6455 header, then the payload. */
    private static ByteBuf encode(ByteBufAllocator alloc, ByteBuf payload) {
        int length = payload.readableBytes();
        ByteBuf frame = alloc.directBuffer(length + 10);
        frame.writeByte(0x81);
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
}
