package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * One benchmark SSE reader: writes its {@code GET} itself, checks for a 200 {@code text/event-stream}
 * head, then hands every read straight to a {@link ChunkedDecoder} and an {@link EventStreamScanner}
 * (no HTTP codec in the pipeline, so an event costs a chunk header and a short byte scan), and counts
 * the events it receives in its loop's {@link LoopStats}. A body that is not chunked is read as it
 * comes until the server closes. Confined to its channel's event loop.
 */
final class SseConnection extends ChannelInboundHandlerAdapter implements FleetSocket, EventStreamScanner.Listener {
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final String host;
    private final String path;
    private final WsFleet fleet;
    /** Which of the fleet's servers this stream reads from. */
    private final int server;
    private final CompletableFuture<SseConnection> ready = new CompletableFuture<>();
    private final EventStreamScanner events = new EventStreamScanner(this);
    /** Null until the head is read, and for a body that is not chunked. */
    private ChunkedDecoder chunks;
    private LoopStats stats;
    private Channel channel;
    private ByteBuf head;
    private boolean open;
    private boolean probed;
    private long readMicros;

    SseConnection(String host, String path, WsFleet fleet, int server) {
        this.host = host;
        this.path = path;
        this.fleet = fleet;
        this.server = server;
    }

    /** Completes when the 200 head has arrived: Herald subscribes the stream before it writes anything. */
    @Override
    public CompletableFuture<SseConnection> ready() {
        return ready;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        stats = fleet.statsFor(ctx.channel().eventLoop(), server);
        head = ctx.alloc().heapBuffer(512);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n"
                + "Cache-Control: no-cache\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(request.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            // one clock reading per read: every event in it arrived at the same moment
            readMicros = -1;
            if (open) {
                body(ctx, in, in.readerIndex(), in.writerIndex());
            } else {
                readHead(ctx, in);
            }
        } finally {
            in.release();
        }
    }

    private void body(ChannelHandlerContext ctx, ByteBuf in, int from, int to) {
        if (chunks == null) {
            events.data(in, from, to);
            return;
        }
        chunks.feed(in, from, to);
        if (chunks.done()) {
            // the server ended the stream; the connection is not reused
            ctx.close();
        }
    }

    private void readHead(ChannelHandlerContext ctx, ByteBuf in) {
        head.writeBytes(in);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            if (head.readableBytes() > MAX_HEAD_BYTES) {
                fail(ctx, "response headers too large");
            }
            return;
        }
        String status = text.substring(0, end);
        String lower = status.toLowerCase(Locale.ROOT);
        if (!status.startsWith("HTTP/1.1 200") || !lower.contains("\r\ncontent-type: text/event-stream")) {
            String rest = text.substring(end + 4);
            fail(ctx, "stream refused: " + status.lines().findFirst().orElse("")
                    + (rest.isEmpty() ? "" : " " + rest.substring(0, Math.min(200, rest.length()))));
            return;
        }
        open = true;
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            chunks = new ChunkedDecoder(events);
        }
        ready.complete(this);
        // body bytes that came in the same read as the head (": connected" usually does)
        ByteBuf early = head;
        head = null;
        try {
            body(ctx, early, early.readerIndex() + end + 4, early.writerIndex());
        } finally {
            early.release();
        }
    }

    @Override
    public void onEvent(long ts) {
        if (ts < 0) {
            return;
        }
        if (readMicros < 0) {
            readMicros = BenchClock.micros();
        }
        if (stats.onMessage(ts, readMicros) && !probed) {
            probed = true;
            stats.onProbed();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (head != null) {
            head.release();
            head = null;
        }
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            stats.onClosed();
        } else {
            ready.completeExceptionally(new IllegalStateException("connection closed before the stream started"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        ready.completeExceptionally(new IllegalStateException(why));
        ctx.close();
    }
}
