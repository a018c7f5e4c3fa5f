package io.herald.server.transport;


import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Meters;
import io.herald.server.http.ErrorHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket upgraded by the real {@link DirectUpgrades} on a Netty {@link EmbeddedChannel} whose pipeline
 * is laid out as Vert.x lays out an HTTP/1 connection (request decoder, response encoder, then the
 * handler named {@code handler}): so the frame decoder, encoder, aggregator and {@link DirectWebSocket}
 * are exactly the ones a client reaches, without a socket. Every buffer it hands out or the pipeline
 * allocates comes from a tracking allocator, so a test can see the bytes the channel retains and that
 * each buffer is released once the connection ends. Not thread-safe (the embedded loop is the caller).
 */
final class EmbeddedDirectSocket {
    private static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    /** The payloads of the data frames the endpoint was handed, in order. */
    final List<byte[]> delivered = new ArrayList<>();

    /**
     * Upgrades a connection to an endpoint with these limits ({@code maxMessageBytes} 0: no aggregation, as for
     * broadcast sockets; positive: joined messages, as for lane sockets).
     */
    EmbeddedDirectSocket(int maxFrameBytes, int maxMessageBytes) {
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast("httpDecoder", new HttpRequestDecoder())
                .addLast("httpEncoder", new HttpResponseEncoder())
                .addLast("handler", new ChannelInboundHandlerAdapter());
        Meters meters = new Meters(new SimpleMeterRegistry());
        Sockets sockets = new Sockets(new AtomicInteger(), 10, 30_000);
        DirectUpgrades.Endpoint<String> endpoint = new DirectUpgrades.Endpoint<>() {
            @Override
            public java.util.concurrent.CompletionStage<String> admit(QueryStringDecoder query, HttpRequest request,
                    WebSocketTransport transport) {
                return java.util.concurrent.CompletableFuture.completedFuture("admitted");
            }

            @Override
            public void open(DirectWebSocket socket, String admission) {
                socket.onFrame(EmbeddedDirectSocket.this::deliver);
            }

            @Override
            public String primitive() {
                return "test";
            }

            @Override
            public int maxFrameBytes() {
                return maxFrameBytes;
            }

            @Override
            public int maxMessageBytes() {
                return maxMessageBytes;
            }
        };
        new DirectUpgrades(path -> endpoint, sockets, new FrameWriter(channel.eventLoop()), new ErrorHandler(meters), 64 * 1024, meters)
                .install(channel.pipeline());
        channel.writeInbound(copy(UPGRADE.getBytes(StandardCharsets.US_ASCII)));
        String response = new String(drainOutbound(), StandardCharsets.ISO_8859_1);
        assertThat(response).startsWith("HTTP/1.1 101 ");
        assertThat(channel.pipeline().get(DirectWebSocket.class)).isNotNull();
    }

    private void deliver(WebSocketFrame frame) {
        byte[] b = new byte[frame.content().readableBytes()];
        frame.content().getBytes(frame.content().readerIndex(), b);
        delivered.add(b);
    }

    /**
     * Hands the channel {@code bytes} as one read, if it is still open; any exception that escapes the
     * pipeline is thrown. Returns whether the channel was open.
     */
    boolean feed(byte[] bytes) {
        if (!channel.isOpen()) {
            return false;
        }
        channel.writeInbound(copy(bytes));
        channel.checkException();
        written.writeBytes(drainOutbound());
        return true;
    }

    /** Lets the socket's timers run as if {@code ms} had passed. */
    void advance(long ms) {
        if (channel.isOpen()) {
            channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.checkException();
            written.writeBytes(drainOutbound());
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** The frames the server wrote after the 101. */
    List<ClientFrame.ServerFrame> serverFrames() {
        return ClientFrame.parseServerFrames(written.toByteArray());
    }

    /** The capacity of the buffers from this channel's allocator that nobody has released yet. */
    long retainedBytes() {
        return alloc.live();
    }

    /** Closes the channel (its handlers release what they hold) and returns how many buffers were never released. */
    int closeAndCountLeaks() {
        channel.close();
        channel.finishAndReleaseAll();
        return alloc.unreleased();
    }

    private ByteBuf copy(byte[] bytes) {
        return alloc.heapBuffer(bytes.length).writeBytes(bytes);
    }

    private byte[] drainOutbound() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /**
     * Unpooled heap buffers that are remembered: {@link AbstractByteBufAllocator} still wraps each in Netty's
     * leak detector, and the list lets a test check every one's reference count without waiting for a GC.
     */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        long live() {
            long n = 0;
            for (ByteBuf b : allocated) {
                if (b.refCnt() > 0) {
                    n += b.capacity();
                }
            }
            return n;
        }

        int unreleased() {
            int n = 0;
            for (ByteBuf b : allocated) {
                if (b.refCnt() > 0) {
                    n++;
                }
            }
            return n;
        }
    }
}
